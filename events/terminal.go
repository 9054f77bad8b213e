package events

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// TerminalProgress draws one live progress line for a person watching
// stderr: bar, percent, rate, ETA, current file. It redraws in place with a
// carriage return and never writes to stdout, which stays JSON lines.
//
// A line redrawn with a carriage return shares the terminal with whatever
// else writes there: asession's own stdout, or the program stdout is piped
// into, whose lines would land after the unfinished progress. So, when the
// terminal's height is known (ReserveBottomLine), the line lives on the
// bottom row, outside a scroll region that holds everything else, as apt
// does; every draw is one write that saves and restores the cursor, so
// other writers' output stays where it was going.
type TerminalProgress struct {
	mu    sync.Mutex
	w     io.Writer
	width int
	rows  int // >0: the bottom row is reserved
	drawn bool
	last  string // the line drawn, to redraw after Above
	final bool   // last shows how the job ended
}

// Above runs write, which writes lines to the same terminal, so that they
// appear above the progress line rather than after its text: without a
// reserved row the line is cleared first and drawn again after.
func (t *TerminalProgress) Above(write func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rows > 0 || !t.drawn {
		write()
		return
	}
	fmt.Fprint(t.w, "\r\x1b[K")
	write()
	if t.final {
		// The job is over: what was written (the summary) says more
		// than the last progress line would.
		t.drawn = false
		return
	}
	fmt.Fprintf(t.w, "\r%s\x1b[K", t.last)
}

// ReserveBottomLine keeps the bottom row of a terminal of the given height
// for the progress line, scrolling all other output above it. Done gives
// the row back. It reports false, reserving nothing, for a terminal too
// small.
func (t *TerminalProgress) ReserveBottomLine(rows int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if rows < 3 {
		return false
	}
	t.rows = rows
	// A newline first, then back up: if the cursor was on the bottom row,
	// its line scrolls up and the cursor ends inside the region. DECSTBM
	// moves the cursor home, hence save and restore around it.
	fmt.Fprintf(t.w, "\n\x1b7\x1b[1;%dr\x1b8\x1b[1A", rows-1)
	return true
}

// NewTerminalProgress draws on w, a terminal of the given width.
func NewTerminalProgress(w io.Writer, width int) *TerminalProgress {
	if width < 40 {
		width = 80
	}
	return &TerminalProgress{w: w, width: width}
}

// Update redraws the line for s.
func (t *TerminalProgress) Update(s Snapshot) {
	t.mu.Lock()
	defer t.mu.Unlock()
	const barWidth = 24
	filled := int(s.Percentage * barWidth)
	if filled > barWidth {
		filled = barWidth
	}
	bar := strings.Repeat("#", filled) + strings.Repeat(".", barWidth-filled)
	eta := "--:--"
	if s.RemainingUsec > 0 {
		eta = clock(time.Duration(s.RemainingUsec) * time.Microsecond)
	}
	line := fmt.Sprintf("[%s] %3.0f%% %9s %s ETA %s %s", bar, s.Percentage*100,
		rate(s.RateKbps), size(s.BytesWritten), eta, Printable(filepath.Base(s.CurrentFile)))
	if s.Status != StatusRunning && s.Status != StatusInitiating {
		line = fmt.Sprintf("[%s] %3.0f%% %s %s in %s", bar, s.Percentage*100, s.Status, size(s.BytesWritten),
			clock(time.Duration(s.ElapsedUsec)*time.Microsecond))
	}
	if len(line) > t.width-1 {
		line = line[:t.width-1]
	}
	t.drawn, t.last = true, line
	t.final = s.Status != StatusRunning && s.Status != StatusInitiating
	if t.rows > 0 {
		fmt.Fprintf(t.w, "\x1b7\x1b[%d;1H%s\x1b[K\x1b8", t.rows, line)
		return
	}
	// Clear to the end of the line: a shorter line must not leave the
	// tail of a longer one.
	fmt.Fprintf(t.w, "\r%s\x1b[K", line)
}

// Done ends the line so that what follows starts on a fresh one; a
// reserved bottom row is cleared and returned to the terminal (the last
// state is in the output, which a person sees).
func (t *TerminalProgress) Done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rows > 0 {
		fmt.Fprintf(t.w, "\x1b7\x1b[%d;1H\x1b[2K\x1b[r\x1b8", t.rows)
		t.rows = 0
		t.drawn = false
		return
	}
	if t.drawn {
		fmt.Fprintln(t.w)
		t.drawn = false
	}
}

func rate(kbps int64) string {
	switch {
	case kbps >= 1_000_000:
		return fmt.Sprintf("%.1f Gb/s", float64(kbps)/1e6)
	case kbps >= 1000:
		return fmt.Sprintf("%.1f Mb/s", float64(kbps)/1e3)
	}
	return fmt.Sprintf("%d kb/s", kbps)
}

func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func clock(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}
