package account

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

// cleanAbs is "absolute and as filepath.Clean leaves it", for the paths
// the ledger meets.
func TestCleanAbs(t *testing.T) {
	for _, p := range []string{"", "a", "a/b", "/", "/a/b", "/a//b", "/a/./b", "/a/../b", "/a/.", "/a/..", "/a/b/", "//", "/.", "/..",
		"/a/.b", "/a/..b/c", "/a/b..", "/a/b.", "/.a", "/..a/b", "/a/b/c.d", "/a/.../b"} {
		want := filepath.IsAbs(p) && filepath.Clean(p) == p
		if got := cleanAbs([]byte(p)); got != want {
			t.Errorf("cleanAbs(%q) = %v, want %v", p, got, want)
		}
		if got := cleanAbsString(p); got != want {
			t.Errorf("cleanAbsString(%q) = %v, want %v", p, got, want)
		}
	}
}
