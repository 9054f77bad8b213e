package ascpsim

import (
	"fmt"
	"io"
	"path"
	"time"
)

// progress is the line ascp keeps redrawing on a terminal. It shows
// names, sizes and rates only: nothing from the environment.
type progress struct {
	w     io.Writer // nil when stdout is not a terminal or -q was given
	last  time.Time
	files int64
}

func human(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%cB", float64(n)/float64(div), "KMGTPE"[exp])
}

func (p *progress) line(name string, done, size, total int64, el time.Duration) {
	pct := int64(100)
	if size > 0 {
		pct = done * 100 / size
	}
	bps := float64(0)
	if s := el.Seconds(); s > 0 {
		bps = float64(total*8) / s
	}
	fmt.Fprintf(p.w, "\r%-40.40s %3d%% %9s %8.1fMb/s    ", path.Base(name), pct, human(done), bps/1e6)
}

func (p *progress) update(name string, done, size, total int64, el time.Duration) {
	if p == nil || p.w == nil || time.Since(p.last) < time.Second {
		return
	}
	p.last = time.Now()
	p.line(name, done, size, total, el)
}

func (p *progress) fileDone(name string, size int64) {
	if p == nil || p.w == nil {
		return
	}
	p.files++
	p.line(name, size, size, 0, 0)
	fmt.Fprintln(p.w)
}

func (p *progress) summary(total int64, el time.Duration) {
	if p == nil || p.w == nil {
		return
	}
	secs := max(el.Seconds(), 0.001)
	fmt.Fprintf(p.w, "Completed: %dK bytes transferred in %.0f seconds\n (%.0fK bits/sec), in %d file(s).\n",
		total/1024, el.Seconds(), float64(total*8)/1000/secs, p.files)
}
