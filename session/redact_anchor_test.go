package session

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// The relay's search from a secret's rarest byte must find exactly what
// bytes.Contains finds: at the edges of the text, with the anchor repeated
// often enough to hand over to bytes.Contains, and on random text.
func TestFrameRedactorSearchMatchesContains(t *testing.T) {
	secrets := []string{"correct-horse-battery-staple", "aaaaaaaa", "Zz9-xyzw", "abcdEFGH"}
	r := newFrameRedactor(secrets, false)
	check := func(v string) {
		t.Helper()
		want := false
		for _, s := range r.secrets {
			want = want || bytes.Contains([]byte(v), s)
		}
		if got := r.in([]byte(v)); got != want {
			t.Fatalf("in(%q) = %v, bytes.Contains says %v", v, got, want)
		}
	}
	for _, v := range []string{
		"", "correct-horse-battery-stapl", "correct-horse-battery-staple",
		"xcorrect-horse-battery-staple", "correct-horse-battery-staplex",
		strings.Repeat("-", 500) + "correct-horse-battery-staple",
		strings.Repeat("-x", 500) + "correct-horse-battery-staple" + strings.Repeat("-", 9),
		strings.Repeat("correct-horse-battery-stapl-", 100),
		strings.Repeat("a", 7), strings.Repeat("a", 8), strings.Repeat("ab", 400) + strings.Repeat("a", 8),
		"Zz9-xyz", "Zz9-xyzw", "--Zz9-xyzw--", "abcdEFG", "abcdEFGH",
	} {
		check(v)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "acdeEFGHhorstZz9-xyzwbl "
	for range 20000 {
		b := make([]byte, rng.IntN(80))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if rng.IntN(4) == 0 {
			s := secrets[rng.IntN(len(secrets))]
			at := rng.IntN(len(b) + 1)
			b = append(b[:at], append([]byte(s), b[at:]...)...)
		}
		check(string(b))
	}
}

// The anchor is the secret's rarest byte in management text: for the
// benchmark's password, the 'h' of horse rather than the 'c' that begins it
// (and that every Source and Cookie line holds).
func TestFrameRedactorAnchorIsRarestByte(t *testing.T) {
	r := newFrameRedactor([]string{"correct-horse-battery-staple", "xyzw!abc"}, false)
	for i, want := range []byte{'h', '!'} {
		if got := r.secrets[i][r.anchors[i]]; got != want {
			t.Errorf("anchor of %q = %q, want %q", r.secrets[i], got, want)
		}
	}
}
