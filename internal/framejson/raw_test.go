package framejson

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"testing/quick"
	"unicode/utf8"

	"github.com/faspkit/asession/ascp/mgmt"
)

// appendStringRef is AppendString one byte at a time, as it was before it
// learnt to skip eight safe bytes at once: the fast path must not change a
// single output byte.
func appendStringRef(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 0x20 && c != '"' && c != '\\':
				dst = append(dst, c)
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

func TestAppendStringMatchesByteByByte(t *testing.T) {
	special := "\"\\\n\r\t\x00\x1f\x7f\x80\xff é✓\U0001F600"
	check := func(s string) bool {
		got, want := AppendString(nil, s), appendStringRef(nil, s)
		if !bytes.Equal(got, want) {
			t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
			return false
		}
		return true
	}
	// Every special byte or character at every offset of strings around
	// the eight-byte stride.
	for n := 0; n < 20; n++ {
		for i := 0; i <= n; i++ {
			for _, r := range special {
				check(strings.Repeat("a", i) + string(r) + strings.Repeat("b", n-i))
			}
			for c := 0; c < 256; c++ {
				check(strings.Repeat("a", i) + string([]byte{byte(c)}) + strings.Repeat("b", n-i))
			}
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 20000; i++ {
		b := make([]byte, rng.IntN(40))
		for j := range b {
			if rng.IntN(4) == 0 {
				b[j] = byte(rng.Uint32())
			} else {
				b[j] = 'a' + byte(rng.IntN(26))
			}
		}
		check(string(b))
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 5000}); err != nil {
		t.Error(err)
	}
}

// The encoder's guess of the next field must never be taken for the
// field itself, nor a remembered value for the value: frames of different
// layouts and values, one after another, keep every field as it is.
func TestFrameEncoderAlternatingLayouts(t *testing.T) {
	frames := [][]string{
		{"START", "SessionId", "s", "File", "/a", "Size", "7"},
		{"STATS", "SessionId", "s", "Bytescont", "3", "File", "/a"},
		{"STOP", "File", "/a", "SessionId", "s", "Written", "007"},
		{"STATS", "SessionId", "s", "Bytescont", "4", "File", "/a"},
		{"X", "Size", "1", "Size", "2"},
		{"STATS", "SessionId", "t", "Bytescont", "5", "File", ""},
		{"STATS", "SessionId", "", "Bytescont", "5", "File", "\""},
	}
	want := []string{
		`{"type":"START","session_id":"s","file":"/a","size":7}`,
		`{"type":"STATS","session_id":"s","bytes_cont":3,"file":"/a"}`,
		`{"type":"STOP","file":"/a","session_id":"s","written":7}`,
		`{"type":"STATS","session_id":"s","bytes_cont":4,"file":"/a"}`,
		`{"type":"X","size":1}`, // one key once: the first Size, as Frame.Lookup reads it
		`{"type":"STATS","session_id":"t","bytes_cont":5,"file":""}`,
		`{"type":"STATS","session_id":"","bytes_cont":5,"file":"\""}`,
	}
	e := NewFrameEncoder()
	for round := 0; round < 6; round++ {
		for i, fr := range frames {
			r := mgmt.NewReader(bytes.NewReader(mgmt.AppendFrame(nil, fr[0], fr[1:]...)))
			f, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if got := string(e.AppendFrame(nil, f, nil)); got != want[i] {
				t.Errorf("round %d frame %d: got %s, want %s", round, i, got, want[i])
			}
		}
	}
}

// A JSON line holds each key once, whatever the frame repeats: the same
// name twice, two names with one key (Bytescont and BytesCont), names of
// the key cache and beyond it, a reserved key. The first field wins: the
// value the relay itself reads (Frame.Lookup).
func TestFrameEncoderOneKeyOnce(t *testing.T) {
	e := NewFrameEncoder()
	// Fill the key cache, so that later invented names are not kept.
	for i := range maxCachedNames + 10 {
		f := frameOf(t, "STATS", "Invented"+strconv.Itoa(i), "v")
		e.AppendFrame(nil, f, nil)
	}
	for _, tc := range []struct {
		pairs []string
		want  string
	}{
		{[]string{"File", "/first", "File", "/second"}, `{"type":"X","file":"/first"}`},
		{[]string{"Bytescont", "1", "BytesCont", "2", "Bytes_Cont", "3"}, `{"type":"X","bytes_cont":1}`},
		{[]string{"NewName", "a", "NEW_NAME", "b", "new_name", "c"}, `{"type":"X","new_name":"a"}`},
		{[]string{"Invented5000", "a", "Invented5000", "b", "Size", "1", "SIZE", "2"}, `{"type":"X","invented5000":"a","size":1}`},
		{[]string{"TYPE", "DONE", "Session", "9", "File", "/a"}, `{"type":"X","file":"/a"}`},
		{[]string{"K\xff", "a", "K\xfe", "b", "K\uFFFD", "c"}, `{"type":"X","k\ufffd":"a"}`}, // one key to a JSON reader
	} {
		for round := range 3 { // the same frame again: stamps of an earlier line do not count
			got := string(e.AppendFrame(nil, frameOf(t, "X", tc.pairs...), nil))
			if got != tc.want {
				t.Errorf("round %d %v: got %s, want %s", round, tc.pairs, got, tc.want)
			}
		}
	}
}

func frameOf(t *testing.T, typ string, pairs ...string) *mgmt.Frame {
	t.Helper()
	f, err := mgmt.NewReader(bytes.NewReader(mgmt.AppendFrame(nil, typ, pairs...))).Next()
	if err != nil {
		t.Fatal(err)
	}
	return f
}
