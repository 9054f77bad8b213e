package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/faspkit/asession/events"
)

// Workflow engines read a step's results from files rather than from its
// stdout: Argo polls ARGO_PROGRESS_FILE for "N/M" and takes output
// parameters from files. Both files are replaced atomically (a temporary
// file in the same folder, then rename), so that a reader never sees half a
// line, and both are written by a goroutine or at the end, never on the
// relay's hot path.

// startTickers starts the heartbeat, OnTick and the progress file's writer; stop ends
// them (the final progress is written by writeEngineFiles, after the
// tracker has finished).
func (j *job) startTickers() (stop func()) {
	var stops []func()
	if j.opts.ProgressFile != "" {
		last := ""
		stops = append(stops, every(time.Second, func() { last = j.writeProgressFile(last) }))
	}
	if hb := j.opts.Heartbeat; hb > 0 {
		// A progress line whenever none was written for hb, so that a
		// watchdog can tell a long quiet transfer from a dead one.
		stops = append(stops, every(hb/4, func() {
			j.writeProgress(func(dst []byte) ([]byte, bool) { return j.acct.DueHeartbeat(dst, hb) })
		}))
	}
	if j.opts.OnTick != nil {
		interval := j.opts.TickInterval
		if interval <= 0 {
			interval = time.Second
		}
		stops = append(stops, every(interval, func() { j.opts.OnTick(j.acct.Snapshot()) }))
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}

// every calls fn each interval from a goroutine until stop, which returns
// once fn is no longer running.
func every(interval time.Duration, fn func()) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fn()
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// writeProgressFile writes the current progress unless it equals last,
// and returns what the file now holds.
func (j *job) writeProgressFile(last string) string {
	snap := j.acct.Snapshot()
	p, ok := argoProgress(snap.BytesWritten, snap.BytesExpected)
	if !ok || p == last {
		return last
	}
	if err := writeFileAtomic(j.opts.ProgressFile, []byte(p), 0o644); err != nil {
		j.opts.Log.Warn().Err(err).Str("file", j.opts.ProgressFile).Msg("cannot write the progress file")
		return last
	}
	return p
}

// argoProgress formats bytes written of expected the way Argo parses a
// progress ("N/M" with 0 <= N <= M and M > 0). Until the size is known
// there is nothing valid to say.
func argoProgress(written, expected int64) (string, bool) {
	if expected <= 0 {
		return "", false
	}
	written = min(max(written, 0), expected)
	return strconv.FormatInt(written, 10) + "/" + strconv.FormatInt(expected, 10), true
}

// writeEngineFiles writes the final progress. A progress file that
// cannot be written is logged: Argo reads it for display only.
func (j *job) writeEngineFiles() {
	if j.opts.ProgressFile != "" {
		j.writeProgressFile("")
	}
}

// writeSummaryFile writes the summary to Options.SummaryFile, the bytes of
// its line on stdout. When it cannot, it removes what the path held, so
// that an older job's summary is never read as this one's, and returns
// the error line to report.
func (j *job) writeSummaryFile(summary *events.Summary) *events.Error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the same bytes as the summary line
	err := enc.Encode(summary)
	if err == nil {
		err = writeFileAtomic(j.opts.SummaryFile, buf.Bytes(), 0o600)
	}
	if err == nil {
		return nil
	}
	desc := fmt.Sprintf("cannot write the summary file: %v", err)
	if fi, statErr := os.Lstat(j.opts.SummaryFile); statErr == nil && !fi.IsDir() {
		if rmErr := os.Remove(j.opts.SummaryFile); rmErr == nil {
			desc += "; the file an earlier run left there was removed"
		} else {
			desc += fmt.Sprintf("; the file an earlier run left there could not be removed either (%v): it is not this job's", rmErr)
		}
	}
	j.opts.Log.Error().Err(err).Str("file", j.opts.SummaryFile).Msg("cannot write the summary file")
	return events.NewError(events.FromOutput, 0, desc)
}

// CreatePrivateFile creates a new, empty file only its owner can read
// (0600, whatever the umask) and puts it at path atomically: a temporary
// file made in path's folder (O_EXCL), then renamed over path. What path
// held is replaced, never opened: a symlink planted there is not followed,
// another user's file keeps its contents (and, in a sticky folder such as
// /tmp, cannot be replaced at all: an error), and the file written is
// always a new one of asession's user. The --events-file is made so.
func CreatePrivateFile(path string) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s is a folder", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return nil, err
	}
	if runtime.GOOS == "windows" {
		// A file open without FILE_SHARE_DELETE cannot be renamed there:
		// rename it closed, then open what is now at path.
		f.Close()
		if err := os.Rename(f.Name(), path); err != nil {
			os.Remove(f.Name())
			return nil, err
		}
		return os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// writeFileAtomic replaces path with data: readers see the old content or
// the new, never a mix. The file gets mode perm whatever the umask.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp makes the file 0600; by name, as Windows can only change
	// the mode that way.
	if err := os.Chmod(tmp, perm); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}

// CheckOutputFile tells before a job starts whether path can take an
// output file such as the summary: its folder exists and path is not a
// folder. Found only after a long transfer, the problem would cost the
// result.
func CheckOutputFile(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a folder", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said once
		}
		return fmt.Errorf("folder %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	return nil
}
