package ascp

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestListFileWriteMatchesContent(t *testing.T) {
	l := &ListFile{Path: filepath.Join(t.TempDir(), "paths.txt"), Lines: []string{"/a b", "/ü/c", "", "/d\r"}}
	for i := 0; i < 100000; i++ {
		l.Lines = append(l.Lines, "/data/some/longer/path/for/the/buffer")
	}
	if err := os.WriteFile(l.Path, []byte("previous, longer content that must go"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := l.Write(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(l.Path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(l.Content()) {
		t.Errorf("Write wrote %d bytes, Content has %d", len(got), len(l.Content()))
	}
	os.Remove(l.Path)
	if err := l.Write(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(l.Path)
	if err != nil {
		t.Fatal(err)
	}
	// Windows has no permission bits (Go shows 0666 for any writable
	// file); there the private folder's ACL, inherited from the user's
	// temporary folder, keeps others out.
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("new list file: mode %v; want 0600", info.Mode().Perm())
	}
}
