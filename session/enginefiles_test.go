package session

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Argo accepts a progress only as N/M with 0 <= N <= M and M > 0: anything
// else must not be written.
func TestArgoProgress(t *testing.T) {
	for _, tc := range []struct {
		written, expected int64
		want              string
		ok                bool
	}{
		{0, 0, "", false},
		{5, 0, "", false},
		{0, 10, "0/10", true},
		{7, 10, "7/10", true},
		{12, 10, "10/10", true},
		{-1, 10, "0/10", true},
	} {
		got, ok := argoProgress(tc.written, tc.expected)
		if got != tc.want || ok != tc.ok {
			t.Errorf("argoProgress(%d, %d) = %q, %v; want %q, %v", tc.written, tc.expected, got, ok, tc.want, tc.ok)
		}
	}
}

// The summary file replaces an older one with the new mode, whatever the
// umask, and leaves no temporary file behind.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	if err := os.WriteFile(path, []byte("old, longer content\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(path, []byte("new\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "new\n" {
		t.Fatalf("content %q (%v), want new", data, err)
	}
	// Windows has no permission bits to check (Go shows 0666).
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the file", len(entries))
	}
	if err := writeFileAtomic(filepath.Join(dir, "missing", "x"), []byte("x"), 0o600); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
}
