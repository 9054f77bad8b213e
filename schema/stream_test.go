package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
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
		{in: `{"paths":[{"source":"/a"},{"source":"/b","x":[1]}],"spec":{"paths":[]}}{"type":"DONE"}`, value: `{"paths":[{"source":"/a"},{"source":"/b","x":[1]}],"spec":{"paths":[]}}`, rest: `{"type":"DONE"}`},
		{in: "{\"a\":[}\n{\"type\":\"DONE\"}\n", err: "invalid character '}': ']' expected"},
		{in: "hello\n", err: "invalid character 'h' looking for beginning of value"},
		{in: `{"paths":[{"source":"/a"},}`, err: "invalid character '}' looking for beginning of value"},
	} {
		in, rest, problems, err := ReadInput(&stalledReader{strings.NewReader(c.in)}, ReadOptions{FirstValue: true})
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: error %v, want %s", c.in, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		sameInput(t, c.in, in, problems, c.value)
		got := make([]byte, len(c.rest))
		if _, err := io.ReadFull(rest, got); err != nil || string(got) != c.rest {
			t.Errorf("%q: rest %q, %v; want %q", c.in, got, err, c.rest)
		}
	}
	for in, want := range map[string]error{"": ErrNoInput, " \n ": ErrNoInput} {
		if _, _, _, err := ReadInput(strings.NewReader(in), ReadOptions{FirstValue: true}); err != want {
			t.Errorf("%q: %v, want %v", in, err, want)
		}
	}
	if _, _, _, err := ReadInput(strings.NewReader(`{"a":"b`), ReadOptions{FirstValue: true}); err == nil || err.Error() != "unexpected end of input" {
		t.Errorf("cut short: %v", err)
	}
	in, _, problems, err := ReadInput(strings.NewReader("42"), ReadOptions{FirstValue: true})
	if err != nil {
		t.Fatal(err)
	}
	sameInput(t, "42", in, problems, "42")
}

// sameInput fails unless in and problems are what ParseInput makes of
// value: the same problems, envelope, unknown fields, values and list.
func sameInput(t *testing.T, what string, in *Input, problems Problems, value string) {
	t.Helper()
	want, wantProblems := ParseInput([]byte(value), "")
	if fmt.Sprint(problems) != fmt.Sprint(wantProblems) {
		t.Fatalf("%q: problems %v; ParseInput's %v", what, problems, wantProblems)
	}
	if in.Envelope != want.Envelope || in.SpecPointer != want.SpecPointer || fmt.Sprint(in.Unknown) != fmt.Sprint(want.Unknown) ||
		!reflect.DeepEqual(in.Agent, want.Agent) || in.LogLevel != want.LogLevel || in.SDK != want.SDK || in.FileListFolder != want.FileListFolder {
		t.Fatalf("%q: input %+v; ParseInput's %+v", what, in, want)
	}
	if (in.Spec == nil) != (want.Spec == nil) {
		t.Fatalf("%q: spec %v; ParseInput's %v", what, in.Spec, want.Spec)
	}
	if in.Spec == nil {
		return
	}
	for _, name := range want.Spec.Names() {
		if a, b := in.Spec.values[name], want.Spec.values[name]; a.Text != b.Text || a.Pointer != b.Pointer || name != "paths" && a.JSON.Raw != b.JSON.Raw {
			t.Fatalf("%q: %s is %+v; ParseInput's %+v", what, name, a, b)
		}
	}
	if fmt.Sprint(in.Spec.Names()) != fmt.Sprint(want.Spec.Names()) {
		t.Fatalf("%q: fields %v; ParseInput's %v", what, in.Spec.Names(), want.Spec.Names())
	}
	if len(problems) > 0 {
		return
	}
	a, b := in.Spec.PathList(), want.Spec.PathList()
	if (a == nil) != (b == nil) || a != nil && (!a.sameLines(b) || a.MayGrow() != b.MayGrow()) {
		t.Fatalf("%q: list %+v; ParseInput's %+v", what, a, b)
	}
}

// FuzzReadFirstValue: a valid JSON object, array or string followed by
// anything is read to its end exactly, whatever the read sizes, the rest
// is left, and what is read is what ParseInput makes of the value.
func FuzzReadFirstValue(f *testing.F) {
	f.Add([]byte("{\n  \"paths\": [\n    {\"source\": \"/a\\\"}\"}\n  ]\n}"), []byte("\n{\"type\":\"DONE\"}"), uint8(3))
	f.Add([]byte(`["x",[1,2.5e3,true,null],{}]`), []byte("]"), uint8(1))
	f.Add([]byte(`"\\\\"`), []byte(`"`), uint8(7))
	f.Add([]byte(`{"remote_host":"h","direction":"send","paths":[{"source":"/a","destination":"b"},{"destination":"d","source":"/c\u00e9"}]}`), []byte(`{"type":"CANCEL"}`), uint8(2))
	f.Add([]byte(`{"transfer_specs":[{"transfer_spec":{"paths":[{"source":"/a"}],"paths":[ {"source" : "/a"} ]}},{"transfer_spec":{"paths":[1]}}],"paths":[{}]}`), []byte(" x"), uint8(4))
	f.Fuzz(func(t *testing.T, value, rest []byte, step uint8) {
		v := bytes.Trim(value, " \t\r\n") // JSON's blanks
		if !json.Valid(v) || len(v) == 0 || !strings.ContainsRune(`{["`, rune(v[0])) {
			return
		}
		data := append(append([]byte{}, value...), rest...)
		var r io.Reader = bytes.NewReader(data)
		if step%3 == 1 {
			r = iotest.OneByteReader(r)
		} else if step%3 == 2 {
			r = iotest.HalfReader(r)
		}
		in, left, problems, err := ReadInput(r, ReadOptions{FirstValue: true, Spool: step&4 != 0})
		if err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		sameInput(t, string(data), in, problems, string(v))
		in.Close()
		// Blanks after the value are the rest's.
		want := data[len(bytes.TrimRight(value, " \t\r\n")):]
		tail, _ := io.ReadAll(left)
		if !bytes.Equal(tail, want) {
			t.Fatalf("%q: rest %q, want %q", data, tail, want)
		}
	})
}

// Every spec of testdata/specs reads the same from a stream, a byte or
// half a buffer at a time, spooled, as from memory.
func TestReadInputMatchesParseInput(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/specs/*.json")
	for _, p := range paths {
		if strings.HasSuffix(p, ".golden.json") {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []io.Reader{iotest.OneByteReader(bytes.NewReader(data)), iotest.HalfReader(bytes.NewReader(data))} {
			in, _, problems, err := ReadInput(r, ReadOptions{Spool: true})
			if err != nil {
				if _, problems := ParseInput(data, ""); len(problems) != 1 || problems[0] != notJSON {
					t.Errorf("%s: %v; ParseInput's %v", p, err, problems)
				}
				continue
			}
			sameInput(t, p, in, problems, string(data))
			in.Close()
		}
	}
}

// The problems of a paths array are listed up to MaxPathProblems and
// counted beyond, so that ten million bad entries make a short error.
func TestPathProblemsAreBounded(t *testing.T) {
	spec := `{"remote_host":"h","direction":"send","paths":[` + strings.Repeat(`{"source":""},`, MaxPathProblems+41) + `{"source":"/a"}]}`
	_, problems := ParseInput([]byte(spec), "")
	if len(problems) != MaxPathProblems+1 {
		t.Fatalf("%d problems", len(problems))
	}
	if p := problems[0]; p.Pointer != "/paths" || p.Found != "41 more problems in later entries" {
		t.Errorf("the count: %+v", p)
	}
	if p := problems[len(problems)-1]; p.Pointer != "/paths/999/source" || p.Expected != "a non-empty string" {
		t.Errorf("the last listed: %+v", p)
	}
}

// Two spellings of the paths field agree when they make the same list,
// however their entries are written; otherwise the second is a problem,
// read from a stream as from memory.
func TestPathsGivenTwice(t *testing.T) {
	useTempDir(t, t.TempDir())
	for spec, ok := range map[string]bool{
		`{"remote_host":"h","direction":"send","paths":[{"source":"/a"}],"paths":[ { "source" : "/a" } ]}`:              true,
		`{"remote_host":"h","direction":"send","paths":[{"source":"/a"}],"paths":[{"source":"/\u0061"}]}`:               true,
		`{"remote_host":"h","direction":"send","paths":[{"source":"/a"}],"paths":[{"source":"/b"}]}`:                    false,
		`{"remote_host":"h","direction":"send","paths":[{"source":"/a"}],"paths":[{"source":"/a","destination":"/a"}]}`: false,
		`{"remote_host":"h","direction":"send","paths":[{"source":"/a"}],"paths":[{"source":""}]}`:                      false,
	} {
		_, problems := ParseInput([]byte(spec), "")
		in, _, streamed, err := ReadInput(strings.NewReader(spec), ReadOptions{Spool: true})
		if err != nil || ok != (len(problems) == 0) || fmt.Sprint(problems) != fmt.Sprint(streamed) {
			t.Errorf("%s: %v; streamed %v, %v", spec, problems, streamed, err)
		}
		in.Close()
	}
}

// What is held is bounded, not the paths: a list of any length passes a
// small limit, a description whose rest is over it does not, and neither
// does one entry over it.
func TestMaxHeldBoundsAllButThePaths(t *testing.T) {
	head := `{"remote_host":"h","direction":"send","paths":`
	spec := head + `[` + strings.Repeat(`{"source":"/a/b/c"},`, 100_000) + `{"source":"/z"}]}`
	in, _, problems, err := ReadInput(strings.NewReader(spec), ReadOptions{MaxHeld: int64(len(head) + 1)})
	if err != nil || len(problems) > 0 || in.Spec.PathList().Lines() != 100_001 {
		t.Fatalf("%v, %v", problems, err)
	}
	if _, _, _, err := ReadInput(strings.NewReader(spec), ReadOptions{MaxHeld: int64(len(head) - 1)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("held over the limit: %v", err)
	}
	long := head + `[{"source":"/` + strings.Repeat("x", 1<<20) + `"}]}`
	if _, _, _, err := ReadInput(strings.NewReader(long), ReadOptions{MaxHeld: 64 << 10}); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "an entry") {
		t.Errorf("an entry over the limit: %v", err)
	}
}

// useTempDir makes dir the folder os.TempDir names, on every platform:
// TMPDIR on Unix, TMP and TEMP on Windows, where TMPDIR alone would leave
// the spool in the user's own temporary folder and every check of what is
// left in dir would pass unread.
func useTempDir(tb testing.TB, dir string) {
	tb.Helper()
	for _, name := range []string{"TMPDIR", "TMP", "TEMP"} {
		tb.Setenv(name, dir)
	}
}
