package human

import "testing"

func TestHumanCount(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "0 files differ"}, {1, "1 file differs"}, {2, "2 files differ"}} {
		if got := Count(tc.n, "file differs", "files differ"); got != tc.want {
			t.Errorf("Count(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
