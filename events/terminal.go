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
type TerminalProgress struct {
	mu    sync.Mutex
	w     io.Writer
	width int
	drawn bool
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
	// Clear to the end of the line: a shorter line must not leave the
	// tail of a longer one.
	fmt.Fprintf(t.w, "\r%s\x1b[K", line)
	t.drawn = true
}

// Done ends the line so that what follows starts on a fresh one.
func (t *TerminalProgress) Done() {
	t.mu.Lock()
	defer t.mu.Unlock()
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
