package human

import (
	"bytes"
	"strings"
	"testing"

	"github.com/faspkit/asession/events"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain/name-é.bin":     "plain/name-é.bin",
		"a\x1b]0;owned\x07b":   `a\x1b]0;owned\x07b`,
		"\x1b[2Jclear":         `\x1b[2Jclear`,
		"tab\tnl\ncr\rdel\x7f": `tab\x09nl\x0acr\x0ddel\x7f`,
		"c1\u009bx":            `c1\x9bx`,
		"gnp.exe\u202emoc":     `gnp.exe\u202emoc`,
		"bad\xffutf8":          `bad\xffutf8`,
		"zero\u200bwidth":      `zero\u200bwidth`,
		"日本語ファイル.txt":          "日本語ファイル.txt",
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = Printable("/data/clean/file-0001.bin") }); n != 0 {
		t.Errorf("%.0f allocations for a clean name", n)
	}
}

// A server-chosen file name cannot drive the terminal through the
// progress line: the only escape sequence written is asession's own
// erase-to-end-of-line.
func TestTerminalProgressEscapesNames(t *testing.T) {
	var out bytes.Buffer
	p := NewTerminalProgress(&out, func() (int, int) { return 200, 0 })
	p.Update(events.Snapshot{Status: events.StatusRunning, CurrentFile: "/in/\x1b]0;pwned\x07\x1b[2Jevil.bin"})
	got := out.String()
	if strings.Count(got, "\x1b") != 1 || !strings.HasSuffix(got, "\x1b[K") || strings.ContainsAny(got, "\x07") {
		t.Errorf("raw control characters on the terminal: %q", got)
	}
	if !strings.Contains(got, `\x1b]0;pwned\x07\x1b[2Jevil.bin`) {
		t.Errorf("name not shown escaped: %q", got)
	}
}
