package account

import (
	"math"
	"strconv"
	"time"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/framejson"
)

// Snapshot returns the job's progress now.
func (a *Account) Snapshot() events.Snapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	var s events.Snapshot
	a.fill(&s)
	s.CurrentFile = string(a.currentFile)
	s.FailedFiles = append([]events.FailedFile(nil), a.failedFiles...)
	s.FailedFileRest = a.failedCount - int64(len(a.failedFiles))
	return s
}

// fill computes everything but the strings, so that the hot path can use
// it without allocating; the caller holds a.mu. It also notes what it
// shows, which the next lines never show less of.
func (a *Account) fill(snap *events.Snapshot) {
	snap.Status = a.status
	snap.Sessions = len(a.sessions)
	for i := range a.sessions {
		s := &a.sessions[i]
		done := max(s.sent+s.resumed+s.curResumed, s.fileBytes) + s.there
		snap.BytesWritten += s.base.written + done
		snap.BytesSent += s.base.sent + s.sent
		expected := s.expected
		if !s.precalc {
			expected = max(expected, s.base.written+s.sizes)
		}
		snap.BytesExpected += expected
		addCounts(&snap.Counts, s.base.counts)
		addCounts(&snap.Counts, s.counts)
	}
	c := &snap.Counts
	c.Completed -= a.unverified
	c.Failed += a.unverified
	c.Skipped = max(0, c.Skipped-a.unverifiedSkipped)
	c.Attempted = max(c.Attempted, c.Completed+c.Failed)
	if snap.BytesExpected > 0 && snap.BytesWritten > snap.BytesExpected {
		snap.BytesWritten = snap.BytesExpected
	}
	// A retry restarts a file from what its resume check accepts, which
	// can be less than was sent: what was shown holds until it is passed.
	snap.BytesWritten = max(snap.BytesWritten, a.shownWritten)
	if snap.BytesExpected > 0 {
		snap.BytesExpected = max(snap.BytesExpected, snap.BytesWritten)
	}
	a.shownWritten = snap.BytesWritten
	snap.ElapsedUsec = a.now().Sub(a.start).Microseconds()
	if snap.ElapsedUsec > 0 {
		snap.RateKbps = snap.BytesSent * 8 * 1000 / snap.ElapsedUsec
	}
	switch {
	case a.status == events.StatusCompleted:
		snap.Percentage = 1
	case snap.BytesExpected > 0:
		// Only a completed job shows 100 %: every byte of a job that
		// failed may have arrived, but it did not complete.
		snap.Percentage = min(float64(snap.BytesWritten)/float64(snap.BytesExpected), maxUnfinished)
	}
	snap.Percentage = max(snap.Percentage, a.percentage)
	a.percentage = snap.Percentage
	if remaining := snap.BytesExpected - snap.BytesWritten; remaining > 0 && snap.RateKbps > 0 {
		snap.RemainingUsec = remaining * 8 * 1000 / snap.RateKbps
	}
}

// maxUnfinished is the highest percentage of a job that has not completed:
// the largest the lines' four decimals show below 1.
const maxUnfinished = 0.9999

func addCounts(c *events.FileCounts, o events.FileCounts) {
	c.Attempted += o.Attempted
	c.Completed += o.Completed
	c.Failed += o.Failed
	c.Skipped += o.Skipped
}

// DueProgress appends a progress line (with its newline) when something
// changed and at least interval has passed since the last one, or when
// force is set and something changed. It reports whether it appended.
func (a *Account) DueProgress(dst []byte, interval time.Duration, force bool) ([]byte, bool) {
	// Called for every burst of frames: when no line can be due yet,
	// answer without the lock. The check is repeated under it.
	if !force && !a.intervalPassed(interval) {
		return dst, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.changed || !force && !a.intervalPassed(interval) {
		return dst, false
	}
	return a.appendLine(dst), true
}

// appendLine appends the progress line and notes that it was made; the
// caller holds a.mu.
func (a *Account) appendLine(dst []byte) []byte {
	a.lastProgress.Store(int64(a.elapsed()))
	a.changed = false
	var s events.Snapshot
	a.fill(&s)
	return appendProgress(dst, &s, a.currentFile)
}

// ProgressDue reports, without the lock, whether DueProgress could append
// a line now: the relay asks on every burst, and most of the time the
// answer is no.
func (a *Account) ProgressDue(interval time.Duration) bool {
	return a.intervalPassed(interval)
}

// DueHeartbeat appends a progress line, changed or not, when none was made
// for at least every, so that a quiet transfer still shows it is alive. It
// reports whether it appended.
func (a *Account) DueHeartbeat(dst []byte, every time.Duration) ([]byte, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.intervalPassed(every) {
		return dst, false
	}
	return a.appendLine(dst), true
}

// noProgressYet is lastProgress before the first progress line.
const noProgressYet = math.MinInt64

// intervalPassed reports whether interval has passed since the last
// progress line.
func (a *Account) intervalPassed(interval time.Duration) bool {
	last := a.lastProgress.Load()
	return last == noProgressYet || a.elapsed()-time.Duration(last) >= interval
}

// elapsed is the time since the account started. With the real clock it
// reads only the monotonic clock (time.Since), half the cost of time.Now.
func (a *Account) elapsed() time.Duration {
	if a.realClock {
		return time.Since(a.start)
	}
	return a.now().Sub(a.start)
}

func appendProgress(dst []byte, s *events.Snapshot, currentFile []byte) []byte {
	dst = append(dst, `{"type":"progress","status":`...)
	dst = framejson.AppendString(dst, s.Status)
	dst = append(dst, `,"percentage":`...)
	dst = strconv.AppendFloat(dst, s.Percentage, 'f', 4, 64)
	dst = appendIntMember(dst, "bytes_written", s.BytesWritten)
	dst = appendIntMember(dst, "bytes_expected", s.BytesExpected)
	dst = appendIntMember(dst, "calculated_rate_kbps", s.RateKbps)
	dst = appendIntMember(dst, "elapsed_usec", s.ElapsedUsec)
	dst = appendIntMember(dst, "remaining_usec", s.RemainingUsec)
	dst = append(dst, `,"current_file":`...)
	dst = framejson.AppendStringBytes(dst, currentFile)
	dst = append(dst, `,"file_counts":{"attempted":`...)
	dst = strconv.AppendInt(dst, s.Counts.Attempted, 10)
	dst = appendIntMember(dst, "completed", s.Counts.Completed)
	dst = appendIntMember(dst, "failed", s.Counts.Failed)
	dst = appendIntMember(dst, "skipped", s.Counts.Skipped)
	dst = append(dst, '}')
	dst = appendIntMember(dst, "sessions", int64(s.Sessions))
	return append(dst, "}\n"...)
}

func appendIntMember(dst []byte, key string, v int64) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	return strconv.AppendInt(dst, v, 10)
}
