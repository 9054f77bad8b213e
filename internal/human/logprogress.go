package human

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/faspkit/asession/events"
)

// LogProgress writes progress as plain lines, for a log file or a CI log
// where a redrawn line would be one long line of carriage returns and
// escape codes: a line when the job starts, at every further step of
// percent, after every interval without one, and when the status changes.
type LogProgress struct {
	mu       sync.Mutex
	w        io.Writer
	now      func() time.Time
	step     float64       // fraction between lines, 0.1
	interval time.Duration // longest wait between lines, 10s
	written  bool
	nextPct  float64
	last     time.Time
	status   string
}

// NewLogProgress writes to w with the clock now (nil: time.Now).
func NewLogProgress(w io.Writer, now func() time.Time) *LogProgress {
	if now == nil {
		now = time.Now
	}
	return &LogProgress{w: w, now: now, step: 0.1, interval: 10 * time.Second}
}

// Update writes a line for s when one is due.
func (l *LogProgress) Update(s events.Snapshot) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	due := !l.written || s.Status != l.status || s.Percentage >= l.nextPct || now.Sub(l.last) >= l.interval
	if !due {
		return
	}
	l.written, l.status, l.last = true, s.Status, now
	for l.nextPct <= s.Percentage {
		l.nextPct += l.step
	}
	line := fmt.Sprintf("%s %s %3.0f%% %s of %s, %s", now.UTC().Format(events.TimeFormat), s.Status, s.Percentage*100,
		size(s.BytesWritten), size(s.BytesExpected), rate(s.RateKbps))
	if s.RemainingUsec > 0 {
		line += ", ETA " + clock(time.Duration(s.RemainingUsec)*time.Microsecond)
	}
	if s.CurrentFile != "" {
		line += ", " + Printable(s.CurrentFile)
	}
	fmt.Fprintln(l.w, line)
}

// Done does nothing: every line is already complete.
func (l *LogProgress) Done() {}

// Size, Rate and Duration spell a byte count, a rate in
// kb/s and a duration as the progress lines do, for other human output.
func Size(n int64) string             { return size(n) }
func Rate(kbps int64) string          { return rate(kbps) }
func Duration(d time.Duration) string { return clock(d) }

// Count spells a count of things: "1 file", "2 files", "0 files";
// many is the plural of one.
func Count[N ~int | ~int64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
