package session

import "runtime/debug"

// bigJob is the number of list-file lines from which the memory of
// set-up is handed back before the transfer: below it, what a collection
// would return is not worth its time at start.
const bigJob = 10_000

// releaseSetup returns to the system what reading, checking and building
// a big job took (the input text, the parsed values, the list's lines),
// now that the list file is written: a transfer of a million files may
// last hours, and the peak of its first second should not. The lines are
// read back from the list file when a file is reported or a retry made;
// the job keeps its own copy of the input without the paths, so that the
// caller's is left as it was.
func releaseSetup(j *job) {
	lines := 0
	for _, c := range j.prepared.Invocations {
		if c.ListFile != nil {
			lines += c.ListFile.Len()
		}
	}
	if lines < bigJob {
		return
	}
	for _, c := range j.prepared.Invocations {
		if c.ListFile != nil {
			c.ListFile.Release()
		}
	}
	j.in = j.in.WithoutPaths()
	if list := j.prepared.Invocations[0].ListFile; list != nil && list.Streamed() {
		// Read as a stream (ReadJob): nothing big was ever held, and a
		// collection would only delay ascp's start.
		return
	}
	debug.FreeOSMemory()
}
