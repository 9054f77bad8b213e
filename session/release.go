package session

import "runtime/debug"

// bigJob is the number of list-file lines from which the memory of
// set-up is handed back before the transfer: below it, what a collection
// would return is not worth its time at start.
const bigJob = 10_000

// releaseSetup returns to the system what reading, checking and building
// a big job took (the input text, the parsed values, the growth of the
// slices), now that the list file is written: a transfer of a million
// files may last hours, and the peak of its first second should not.
func releaseSetup(p *Prepared) {
	lines := 0
	for _, c := range p.Invocations {
		if c.ListFile != nil {
			lines += len(c.ListFile.Lines)
		}
	}
	if lines >= bigJob {
		debug.FreeOSMemory()
	}
}
