package session

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// stalledReader serves its text, then blocks for ever, as a stdin whose
// writer keeps it open: reading past the text would hang the test.
type stalledReader struct{ r io.Reader }

func (s *stalledReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF {
		select {}
	}
	return n, err
}

// The first value ends where its last bracket, quote or digit does, the
// rest of stdin is left for the command channel, and a bracket that
// closes the wrong one fails without waiting for more input.
func TestReadFirstValue(t *testing.T) {
	for _, c := range []struct{ in, value, rest, err string }{
		{in: "  \n{\"a\":\"}]\\\"{\",\"b\":[1,{}]}\n{\"type\":\"DONE\"}\n", value: "{\"a\":\"}]\\\"{\",\"b\":[1,{}]}", rest: "\n{\"type\":\"DONE\"}\n"},
		{in: "[[],[{}]]x", value: "[[],[{}]]", rest: "x"},
		{in: "\"str\\\\\" tail", value: "\"str\\\\\"", rest: " tail"},
		{in: "123 x", value: "123", rest: " x"},
		{in: "{\"a\":[}\n{\"type\":\"DONE\"}\n", err: "stdin is not valid JSON: invalid character '}': ']' expected"},
		{in: "hello\n", err: "stdin is not valid JSON: invalid character 'h' looking for beginning of value"},
	} {
		value, rest, err := readFirstValue(&stalledReader{strings.NewReader(c.in)}, 1<<20)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: error %v, want %s", c.in, err, c.err)
			}
			continue
		}
		if err != nil || string(value) != c.value {
			t.Errorf("%q: value %q, %v; want %q", c.in, value, err, c.value)
			continue
		}
		got := make([]byte, len(c.rest))
		if _, err := io.ReadFull(rest, got); err != nil || string(got) != c.rest {
			t.Errorf("%q: rest %q, %v; want %q", c.in, got, err, c.rest)
		}
	}
	for in, want := range map[string]string{"": "no transfer spec on stdin", " \n ": "no transfer spec on stdin",
		`{"a":"b`: "stdin is not valid JSON: unexpected end of input"} {
		if _, _, err := readFirstValue(strings.NewReader(in), 1<<20); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %s", in, err, want)
		}
	}
	if v, _, err := readFirstValue(strings.NewReader("42"), 1<<20); err != nil || string(v) != "42" {
		t.Errorf("a number ending with stdin: %q, %v", v, err)
	}
}

// A value from a pipe, of unknown size, is read in blocks and joined:
// every byte in its place, past the block sizes and the size from which
// their memory is handed back, and the rest of stdin left unread.
func TestReadFirstValueInBlocks(t *testing.T) {
	for _, size := range []int{100 << 10, 17 << 20} {
		value := `{"paths":[` + strings.Repeat(`{"source":"/a/b/c/0123456789"},`, size/31) + `{"source":"/z"}]}`
		in := &stalledReader{strings.NewReader(value + "\n{\"type\":\"DONE\"}\n")}
		got, rest, err := readFirstValue(in, 64<<20)
		if err != nil || string(got) != value {
			t.Fatalf("%d bytes: %d read, %v; equal: %v", len(value), len(got), err, string(got) == value)
		}
		tail := make([]byte, 17)
		if _, err := io.ReadFull(rest, tail); err != nil || string(tail) != "\n{\"type\":\"DONE\"}\n" {
			t.Errorf("rest %q, %v", tail, err)
		}
	}
}

// FuzzReadFirstValue: a valid JSON object, array or string followed by
// anything is read to its end exactly, whatever the read sizes, and the
// rest is left.
func FuzzReadFirstValue(f *testing.F) {
	f.Add([]byte("{\n  \"paths\": [\n    {\"source\": \"/a\\\"}\"}\n  ]\n}"), []byte("\n{\"type\":\"DONE\"}"), uint8(3))
	f.Add([]byte(`["x",[1,2.5e3,true,null],{}]`), []byte("]"), uint8(1))
	f.Add([]byte(`"\\\\"`), []byte(`"`), uint8(7))
	f.Fuzz(func(t *testing.T, value, rest []byte, step uint8) {
		v := bytes.Trim(value, " \t\r\n") // JSON's blanks
		if !json.Valid(v) || len(v) == 0 || !strings.ContainsRune(`{["`, rune(v[0])) {
			return
		}
		in := append(append([]byte{}, value...), rest...)
		var r io.Reader = bytes.NewReader(in)
		if step%3 == 1 {
			r = iotest.OneByteReader(r)
		} else if step%3 == 2 {
			r = iotest.HalfReader(r)
		}
		got, left, err := readFirstValue(r, 1<<20)
		if err != nil || !bytes.Equal(got, v) {
			t.Fatalf("%q: value %q, %v; want %q", in, got, err, v)
		}
		// Blanks after the value are the rest's.
		want := in[len(bytes.TrimRight(value, " \t\r\n")):]
		tail, _ := io.ReadAll(left)
		if !bytes.Equal(tail, want) {
			t.Fatalf("%q: rest %q, want %q", in, tail, want)
		}
	})
}
