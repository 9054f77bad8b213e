package human

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/faspkit/asession/events"
)

// drawnLines are the texts of the progress lines in out: what is between
// a move to the reserved row (or a carriage return) and the erase that
// ends it.
func drawnLines(out string) []string {
	var lines []string
	for _, m := range regexp.MustCompile(`(?:\x1b\[\d+;1H|\r)([^\x1b\r]*)\x1b\[K`).FindAllStringSubmatch(out, -1) {
		lines = append(lines, m[1])
	}
	return lines
}

func running(written, expected int64, file string) events.Snapshot {
	return events.Snapshot{Status: events.StatusRunning, BytesWritten: written, BytesExpected: expected, Percentage: float64(written) / float64(expected),
		RateKbps: 8000, RemainingUsec: 3e6, CurrentFile: file}
}

// The line is asked the terminal's size at each draw: it is cut to the
// width of the moment, drawn on the bottom row of the height of the
// moment, and a resize sets the scroll region up again after erasing
// below the cursor, where the old row went.
func TestTerminalProgressFollowsTheWindow(t *testing.T) {
	var out bytes.Buffer
	cols, rows := 120, 30
	p := NewTerminalProgress(&out, func() (int, int) { return cols, rows })
	if !p.ReserveBottomLine() {
		t.Fatal("a 120×30 terminal: no row reserved")
	}
	if got := out.String(); got != "\x1bD\x1b7\x1b[1;29r\x1b8\x1b[1A" {
		t.Errorf("reserving: %q", got)
	}
	out.Reset()
	name := "/data/" + strings.Repeat("long-name-", 12) + ".bin"
	p.Update(running(2<<20, 6<<20, name))
	line := drawnLines(out.String())
	if len(line) != 1 || !strings.HasPrefix(out.String(), "\x1b7\x1b[30;1H") || len(line[0]) != 119 ||
		!strings.Contains(line[0], "33% 2.0 MiB of 6.0 MiB 8.0 Mb/s ETA 0:03 long-name-") || !strings.HasPrefix(line[0], "[########") {
		t.Errorf("120×30: drew %q", out.String())
	}

	out.Reset()
	cols, rows = 60, 15
	p.Update(running(3<<20, 6<<20, name))
	got := out.String()
	if !strings.HasPrefix(got, "\x1b7\x1b[r\x1b8\x1b[J\x1bD\x1b7\x1b[1;14r\x1b8\x1b[1A\x1b7\x1b[15;1H") {
		t.Errorf("60×15: the region is not set up again after erasing below the cursor: %q", got)
	}
	if line := drawnLines(got); len(line) != 1 || columns(line[0]) > 59 || !strings.Contains(line[0], "50% 3.0 MiB of 6.0 MiB") {
		t.Errorf("60×15: drew %q", line)
	}

	// Too small for a row of its own: nothing drawn until it grows.
	out.Reset()
	cols, rows = 60, 2
	p.Update(running(4<<20, 6<<20, name))
	if got := out.String(); got != "\x1b7\x1b[r\x1b8\x1b[J" {
		t.Errorf("60×2: %q, want the row given back and nothing drawn", got)
	}
	out.Reset()
	cols, rows = 100, 20
	p.Resized()
	if got := out.String(); !strings.HasPrefix(got, "\x1bD\x1b7\x1b[1;19r\x1b8\x1b[1A\x1b7\x1b[20;1H") || !strings.Contains(got, "67% 4.0 MiB of 6.0 MiB") {
		t.Errorf("100×20 after 60×2: %q, want the row reserved again and the last state drawn", got)
	}
	out.Reset()
	p.Resized()
	if out.Len() != 0 {
		t.Errorf("Resized with the size unchanged wrote %q", out.String())
	}

	// Done erases from the cursor down, not at a row that a resize may
	// have given to other lines.
	cols, rows = 100, 40
	p.Done()
	if got := out.String(); got != "\x1b7\x1b[r\x1b8\x1b[J" {
		t.Errorf("Done: %q", got)
	}
	out.Reset()
	p.Update(running(5<<20, 6<<20, name))
	p.Resized()
	p.Done()
	if out.Len() != 0 {
		t.Errorf("after Done: %q", out.String())
	}
}

// Without a reserved row the line is redrawn in place at the width of the
// moment and erased at the end, on every path.
func TestTerminalProgressInPlace(t *testing.T) {
	var out bytes.Buffer
	cols := 100
	p := NewTerminalProgress(&out, func() (int, int) { return cols, 0 })
	if p.ReserveBottomLine() {
		t.Fatal("reserved a row of a terminal whose height is unknown")
	}
	p.Update(running(1<<20, 4<<20, "/x/日本語ファイル名-とても長い名前のファイル.bin"))
	cols = 50
	p.Resized()
	lines := drawnLines(out.String())
	if len(lines) != 2 || columns(lines[0]) > 99 || columns(lines[1]) > 49 || !strings.Contains(lines[1], "1.0 MiB of 4.0 MiB") {
		t.Errorf("drew %q", lines)
	}
	for _, l := range lines {
		if !strings.ContainsRune(l, '日') || strings.ContainsRune(l, '\uFFFD') {
			t.Errorf("a wide name is cut at a rune, in columns: %q", l)
		}
	}
	out.Reset()
	p.Done()
	if got := out.String(); got != "\r\x1b[K" {
		t.Errorf("Done: %q, want the line erased", got)
	}
	// Unknown total: bytes done alone.
	if line := progressLine(events.Snapshot{Status: events.StatusRunning, BytesWritten: 1 << 20}, 79); line != "[........................]   0% 1.0 MiB 0 kb/s ETA --:--" {
		t.Errorf("no total: %q", line)
	}
	if line := progressLine(events.Snapshot{Status: events.StatusCompleted, BytesWritten: 6 << 20, BytesExpected: 6 << 20, Percentage: 1, ElapsedUsec: 5e6}, 79); line != "[########################] 100% completed 6.0 MiB of 6.0 MiB in 0:05" {
		t.Errorf("final: %q", line)
	}
}
