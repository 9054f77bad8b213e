package session

import (
	"path/filepath"
	"testing"
)

// cleanPath is filepath.Clean on absolute paths, clean or not.
func TestCleanPath(t *testing.T) {
	for _, p := range []string{"/", "/a/b", "/a//b", "/a/./b", "/a/../b", "/a/.", "/a/..", "/a/b/", "//", "/.", "/..", "/a/.b", "/a/..b/c", "/a/b.."} {
		if got, want := cleanPath(p), filepath.Clean(p); got != want {
			t.Errorf("cleanPath(%q) = %q, want %q", p, got, want)
		}
	}
}
