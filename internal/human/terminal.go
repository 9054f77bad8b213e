package human

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/faspkit/asession/events"
)

// TerminalProgress draws one live progress line for a person watching
// stderr: bar, percent, bytes done of the total, rate, ETA, current file.
// It redraws in place and never writes to stdout, which stays JSON lines.
//
// A line redrawn with a carriage return shares the terminal with whatever
// else writes there: asession's own stdout, or the program stdout is piped
// into, whose lines would land after the unfinished progress. So, when the
// terminal's height is known (ReserveBottomLine), the line lives on the
// bottom row, outside a scroll region that holds everything else, as apt
// does; every draw is one write that saves and restores the cursor, so
// other writers' output stays where it was going.
//
// The terminal's size is asked before every draw and whenever Resized is
// called (on SIGWINCH), so that the line follows a window that is resized.
// A resize resets the scroll region (xterm and tmux do so) and moves, cuts
// or rewraps the old bottom row, depending on the terminal; wherever that
// row went, it went below the cursor, where nothing but the line is: the
// line is erased from the cursor down, the region set up again for the new
// height, and the line drawn for the new width.
type TerminalProgress struct {
	mu   sync.Mutex
	w    io.Writer
	size func() (cols, rows int) // now; 0 when unknown

	cols, rows int  // the size the last draw was made for
	reserve    bool // keep the bottom row whenever the height allows
	reserved   int  // >0: the bottom row of a terminal of this height is ours
	drawn      bool // a line is on the terminal
	last       events.Snapshot
	haveLast   bool
	final      bool // last shows how the job ended
	done       bool
}

// minReservedRows is the smallest terminal whose bottom row is reserved: a
// scroll region of one row would leave no room to read anything.
const minReservedRows = 3

// NewTerminalProgress draws on w, a terminal whose size (columns, rows; 0
// when unknown) size reports.
func NewTerminalProgress(w io.Writer, size func() (cols, rows int)) *TerminalProgress {
	t := &TerminalProgress{w: w, size: size}
	t.cols, t.rows = size()
	return t
}

// Above runs write, which writes lines to the same terminal, so that they
// appear above the progress line rather than after its text: without a
// reserved row the line is cleared first and drawn again after.
func (t *TerminalProgress) Above(write func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.done {
		t.follow()
	}
	if t.reserve || !t.drawn {
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
	t.draw()
}

// ReserveBottomLine keeps the bottom row of the terminal for the progress
// line, scrolling all other output above it, for as long as the terminal
// is tall enough. Done gives the row back. It reports false, reserving
// nothing, for a terminal whose height is unknown or too small.
func (t *TerminalProgress) ReserveBottomLine() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cols, t.rows = t.size()
	if t.rows < minReservedRows {
		return false
	}
	t.reserve = true
	fmt.Fprint(t.w, reserveSequence(t.rows))
	t.reserved = t.rows
	return true
}

// reserveSequence sets the scroll region to every row but the bottom one
// with the cursor where it was, inside the region. An index (ESC D) first,
// then back up: if the cursor was on the bottom row, its line scrolls up
// and the cursor ends inside the region; both keep the column, unlike a
// newline, which the terminal driver turns into CR LF. DECSTBM moves the
// cursor home, hence save and restore around it.
func reserveSequence(rows int) string {
	return fmt.Sprintf("\x1bD\x1b7\x1b[1;%dr\x1b8\x1b[1A", rows-1)
}

// releaseSequence gives the whole terminal back to scrolling and erases
// the progress line, wherever it is below the cursor.
const releaseSequence = "\x1b7\x1b[r\x1b8\x1b[J"

// follow asks the terminal's size and, when it changed, repairs what the
// resize did to a reserved row. It reports whether the size changed.
func (t *TerminalProgress) follow() bool {
	cols, rows := t.size()
	if cols == t.cols && rows == t.rows {
		return false
	}
	t.cols, t.rows = cols, rows
	if !t.reserve {
		return true
	}
	var seq strings.Builder
	if t.reserved > 0 {
		seq.WriteString(releaseSequence)
		t.reserved = 0
	}
	if rows >= minReservedRows {
		seq.WriteString(reserveSequence(rows))
		t.reserved = rows
	}
	fmt.Fprint(t.w, seq.String())
	t.drawn = false
	return true
}

// Resized redraws the line for the terminal's size now, if it changed:
// SIGWINCH calls it, so that a window made smaller does not wait for the
// next progress to be repaired.
func (t *TerminalProgress) Resized() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done || !t.follow() || !t.haveLast {
		return
	}
	if t.reserve || t.drawn {
		t.draw()
	}
}

// Update redraws the line for s.
func (t *TerminalProgress) Update(s events.Snapshot) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return
	}
	t.follow()
	t.last, t.haveLast = s, true
	t.final = s.Status != events.StatusRunning && s.Status != events.StatusInitiating
	t.draw()
}

// draw draws the line for t.last at the size last asked.
func (t *TerminalProgress) draw() {
	if t.reserve && t.reserved == 0 {
		return // a terminal too small for the line: nothing is drawn
	}
	width := t.cols
	if width <= 0 {
		width = 80
	}
	line := progressLine(t.last, width-1)
	t.drawn = true
	if t.reserve {
		fmt.Fprintf(t.w, "\x1b7\x1b[%d;1H%s\x1b[K\x1b8", t.reserved, line)
		return
	}
	// Clear to the end of the line: a shorter line must not leave the
	// tail of a longer one.
	fmt.Fprintf(t.w, "\r%s\x1b[K", line)
}

// Done takes the line off the terminal so that what follows starts on a
// clean row, and gives a reserved bottom row back to the terminal (the
// last state is in the output, which a person sees). Later calls do
// nothing.
func (t *TerminalProgress) Done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return
	}
	t.done = true
	switch {
	case t.reserve:
		// The size is not asked again: whatever a resize did, the line
		// is below the cursor, and the region is reset either way.
		fmt.Fprint(t.w, releaseSequence)
	case t.drawn:
		fmt.Fprint(t.w, "\r\x1b[K")
	}
	t.drawn, t.reserved = false, 0
}

// barColumns is the width of the bar, when there is room for it.
const barColumns = 24

// progressLine is the text of the line for s, at most width columns wide:
// the bar narrows, then goes, to leave room for the numbers; the file name
// is cut last.
func progressLine(s events.Snapshot, width int) string {
	pct := fmt.Sprintf("%3.0f%%", s.Percentage*100)
	done := size(s.BytesWritten)
	if s.BytesExpected > 0 {
		done += " of " + size(s.BytesExpected)
	}
	var stats, name string
	if s.Status != events.StatusRunning && s.Status != events.StatusInitiating {
		stats = fmt.Sprintf("%s %s %s in %s", pct, s.Status, done, clock(time.Duration(s.ElapsedUsec)*time.Microsecond))
	} else {
		eta := "--:--"
		if s.RemainingUsec > 0 {
			eta = clock(time.Duration(s.RemainingUsec) * time.Microsecond)
		}
		stats = fmt.Sprintf("%s %s %s ETA %s", pct, done, rate(s.RateKbps), eta)
		if s.CurrentFile != "" {
			name = " " + Printable(filepath.Base(s.CurrentFile))
		}
	}
	// Room for the bar: what the numbers and a short name leave.
	bar := ""
	if n := min(barColumns, width-columns(stats)-len("[] ")-min(columns(name), 12)); n >= 8 {
		filled := min(int(s.Percentage*float64(n)), n)
		bar = "[" + strings.Repeat("#", filled) + strings.Repeat(".", n-filled) + "] "
	}
	return fitColumns(bar+stats+name, width)
}

// fitColumns cuts s to at most width terminal columns, at a rune boundary.
func fitColumns(s string, width int) string {
	used := 0
	for i, r := range s {
		w := runeColumns(r)
		if used+w > width {
			return s[:i]
		}
		used += w
	}
	return s
}

func columns(s string) int {
	n := 0
	for _, r := range s {
		n += runeColumns(r)
	}
	return n
}

// runeColumns is how many columns a terminal gives r: none for a
// combining mark, two for the wide East Asian scripts and emoji, one
// otherwise. Approximate, as terminals differ, but never narrower than
// they draw the common scripts, so that the line never wraps.
func runeColumns(r rune) int {
	switch {
	case r == utf8.RuneError:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me):
		return 0
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0xa4cf, r >= 0xac00 && r <= 0xd7a3,
		r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f, r >= 0xff00 && r <= 0xff60,
		r >= 0xffe0 && r <= 0xffe6, r >= 0x1f300 && r <= 0x1f64f, r >= 0x1f900 && r <= 0x1f9ff,
		r >= 0x20000 && r <= 0x3fffd:
		return 2
	}
	return 1
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
