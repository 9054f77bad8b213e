package mgmt

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/quick"
)

func TestEscapeRoundTripsAnyValue(t *testing.T) {
	values := []string{"", "plain", "a\nb", "a\rb", "\x1b", "\x1b\x1b", "\x1bn", "end\x1b", "\x00\xff", "ünï ✓"}
	var all []byte
	for c := 0; c < 256; c++ {
		all = append(all, byte(c))
	}
	values = append(values, string(all))
	for _, v := range values {
		enc := AppendEscaped(nil, v)
		if bytes.ContainsAny(enc, "\n\r") {
			t.Errorf("escaped %q still holds a line break: %q", v, enc)
		}
		if got := string(AppendUnescaped(nil, enc)); got != v {
			t.Errorf("round trip of %q gave %q", v, got)
		}
	}
	roundTrip := func(v string) bool { return string(AppendUnescaped(nil, AppendEscaped(nil, v))) == v }
	if err := quick.Check(roundTrip, nil); err != nil {
		t.Error(err)
	}
}

func TestFrameRoundTrip(t *testing.T) {
	var stream []byte
	stream = AppendFrame(stream, "START", "Source", "/a\nb", "Destination", "/d ", "FileBytes", "0:10")
	stream = AppendFrame(stream, "DONE")
	r := NewReader(bytes.NewReader(stream))
	f, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Type()) != "START" {
		t.Fatalf("type %q", f.Type())
	}
	for name, want := range map[string]string{"Source": "/a\nb", "Destination": "/d ", "FileBytes": "0:10"} {
		if got, ok := f.GetString(name); !ok || got != want {
			t.Errorf("%s = %q, %v; want %q", name, got, ok, want)
		}
	}
	if f, err = r.Next(); err != nil || string(f.Type()) != "DONE" {
		t.Fatalf("second frame: %v %v", f, err)
	}
	if _, err = r.Next(); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
}

func TestReaderLimits(t *testing.T) {
	long := "FASPMGR 2\nType: STATS\nFile: " + strings.Repeat("x", DefaultMaxLine+1) + "\n\n"
	if _, err := NewReader(strings.NewReader(long)).Next(); !errors.Is(err, ErrLineTooLong) {
		t.Errorf("long line: got %v, want ErrLineTooLong", err)
	}
	var many strings.Builder
	many.WriteString("FASPMGR 2\n")
	for i := 0; i <= DefaultMaxFields; i++ {
		many.WriteString("F: v\n")
	}
	many.WriteString("\n")
	if _, err := NewReader(strings.NewReader(many.String())).Next(); !errors.Is(err, ErrTooManyFields) {
		t.Errorf("many fields: got %v, want ErrTooManyFields", err)
	}
	for _, cut := range []string{"FASPMGR", "FASPMGR 2", "FASPMGR 2\nType: ST"} {
		if _, err := NewReader(strings.NewReader(cut)).Next(); !errors.Is(err, ErrIncomplete) {
			t.Errorf("%q: got %v, want ErrIncomplete", cut, err)
		}
	}
}

// The reader must not allocate per frame once its buffers have grown:
// millions of frames go through it.
func TestReaderSteadyStateDoesNotAllocate(t *testing.T) {
	frame := AppendFrame(nil, "STATS", "SessionId", "0f3e", "Bytescont", "123456", "Elapsedusec", "99", "File", "/data/f\x1bn1")
	stream := bytes.Repeat(frame, 2000)
	src := bytes.NewReader(stream)
	r := NewReader(src)
	for i := 0; i < 10; i++ {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per frame, want 0", allocs)
	}
}
