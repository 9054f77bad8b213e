package account

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The file reader gives every line whatever its length beside its window
// (a line longer than the window grows it), from the start or from an
// offset it reported, and a last line without its end is an error.
func TestListReaderLines(t *testing.T) {
	lines := []string{"a", strings.Repeat("b", listWindow+100), "", "c", strings.Repeat("d", 3*listWindow), "e"}
	path := filepath.Join(t.TempDir(), "list")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &listReader{path: path, n: len(lines)}
	var offsets []int64
	for i, want := range lines {
		offsets = append(offsets, r.offset())
		got, err := r.next()
		if err != nil || string(got) != want {
			t.Fatalf("line %d: %d bytes, %v; want %d bytes", i, len(got), err, len(want))
		}
	}
	if err := r.end(); err != nil {
		t.Fatal(err)
	}
	for i := len(lines) - 1; i >= 0; i-- {
		r.seek(i, offsets[i])
		if got, err := r.next(); err != nil || string(got) != lines[i] {
			t.Fatalf("line %d from its offset: %d bytes, %v", i, len(got), err)
		}
	}
	if err := os.WriteFile(path, []byte("a\nb"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = &listReader{path: path, n: 2}
	if _, err := r.next(); err != nil {
		t.Fatal(err)
	}
	if got, err := r.next(); err == nil {
		t.Errorf("a last line without its end gives %q, no error", got)
	}
}
