package mgmt

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strings"
	"testing"
	"unsafe"
)

// Fuzz targets for the management-port codec. Seed inputs come from the
// transcripts in ../../testdata/frames and from testdata/fuzz/<FuzzName>/,
// which go test runs as regression cases; CI fuzzes each target for a few
// seconds (make fuzz-ci).

// addTranscripts seeds f with the management transcripts of testdata/frames.
func addTranscripts(f *testing.F) {
	paths, err := filepath.Glob("../../testdata/frames/*.txt")
	if err != nil || len(paths) == 0 {
		f.Fatalf("no transcripts in ../../testdata/frames: %v", err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzReader feeds arbitrary bytes to the frame reader: it must never
// panic, always end (every call consumes input or stops), return only
// well-formed fields, and hold no more memory than the input explains.
func FuzzReader(f *testing.F) {
	addTranscripts(f)
	f.Add([]byte("FASPMGR 2\nType: STATS\nFile: a\x1bnb\n\n"))
	f.Add([]byte("FASPMGR 2\r\nType: DONE\r\n\r\n"))
	f.Add([]byte("garbage\nFASPMGR 2\nType: X\nFASPMGR 2\nType: Y\nnot a field\n:\nName:\n\n"))
	f.Add([]byte("FASPMGR 2\nType: ERROR\nCode: 19\nDescription: x\x1b"))
	f.Add([]byte("\x00\xff\xfe\n\n\n\x1b\x1b\x1b"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, limits := range []struct{ line, fields int }{
			{DefaultMaxLine, DefaultMaxFields},
			{16, 3}, // small limits reach the error paths with small inputs
		} {
			before := heapAllocs()
			r := NewReader(bytes.NewReader(data))
			r.MaxLine, r.MaxFields = limits.line, limits.fields
			frames := 0
			for {
				fr, err := r.Next()
				if err != nil {
					if err != io.EOF && !errors.Is(err, ErrIncomplete) &&
						!errors.Is(err, ErrLineTooLong) && !errors.Is(err, ErrTooManyFields) {
						t.Fatalf("unexpected error %v", err)
					}
					break
				}
				frames++
				// A frame needs at least its header line and the empty line.
				if frames > len(data)/(len(Header)+2) {
					t.Fatalf("%d frames out of %d bytes", frames, len(data))
				}
				if len(fr.Fields) > limits.fields {
					t.Fatalf("%d fields, limit %d", len(fr.Fields), limits.fields)
				}
				for i, fl := range fr.Fields {
					// The id the Reader gave (often by its guess of the
					// order) is the name's, and Lookup finds what Get does.
					if id := fr.IDs()[i]; id != NameID(fl.Name) {
						t.Fatalf("field %d %q has id %d, its name's is %d", i, fl.Name, id, NameID(fl.Name))
					}
					if name := string(fl.Name); NameID(fl.Name) != 0 {
						got, ok := fr.Lookup(NewName(name))
						want, _ := fr.Get(fl.Name)
						if !ok || unsafe.SliceData(got) != unsafe.SliceData(want) || len(got) != len(want) {
							t.Fatalf("Lookup(%q) = %q, Get = %q", name, got, want)
						}
					}
					if len(fl.Name) == 0 || bytes.ContainsAny(fl.Name, "\n:") {
						t.Fatalf("bad field name %q", fl.Name)
					}
					if len(fl.Name)+len(fl.Value) > limits.line {
						t.Fatalf("field %q of %d bytes, line limit %d", fl.Name, len(fl.Value), limits.line)
					}
					// The redactor skips a frame whose Raw holds no secret:
					// a value outside Raw would escape it.
					if !within(fl.Value, fr.Raw) {
						t.Fatalf("value %q of %q lies outside the frame's Raw %q", fl.Value, fl.Name, fr.Raw)
					}
				}
			}
			// Decoding never grows a value: what the reader allocates is
			// bounded by its input, whatever the input is.
			if got, bound := heapAllocs()-before, uint64(8*len(data)+1<<20); got > bound {
				t.Fatalf("%d bytes allocated for %d bytes of input", got, len(data))
			}
		}
	})
}

// within reports whether v is a slice of the bytes of span.
func within(v, span []byte) bool {
	if len(v) == 0 {
		return true
	}
	if len(span) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(span)))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(v)))
	return at >= lo && at+uintptr(len(v)) <= lo+uintptr(len(span))
}

var allocSample = []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}

// heapAllocs is the number of bytes allocated on the heap so far.
func heapAllocs() uint64 {
	metrics.Read(allocSample)
	return allocSample[0].Value.Uint64()
}

// validName reports whether a field name survives encoding: not empty,
// without a line break (which would end the line) and without a colon
// (the first one ends the name).
func validName(name string) bool {
	return name != "" && !strings.ContainsAny(name, "\n:")
}

// decodedValue is what a Reader gives back of v sent by AppendFrame as
// the value of name: v itself for an Escaped field or a value without a
// line break, else v with its line breaks as escapes.
func decodedValue(name, v string) string {
	if f := Known([]byte(name)); f != nil && f.Escaped {
		return v
	}
	return string(appendEscapes(nil, v, false))
}

// FuzzFrameRoundTrip encodes a frame with AppendFrame and decodes it: every
// value comes back as decodedValue says, and so does every valid name. A
// value can never start a frame of its own.
func FuzzFrameRoundTrip(f *testing.F) {
	f.Add("START", "Source", "/a\nb", "Destination", "/d ")
	f.Add("STATS", "File", "\x1b\x1bn\r\n\x1b", "Type", "")
	f.Add("DONE", "Description", "\n\nFASPMGR 2\nType: CANCEL\n\n", "X", ": y")
	f.Add("ERROR", "Description", "esc\x1bn kept", "Destination", " /two spaces\x1b")
	f.Add("", "A\rB", "\x00\xff", "Bytescont", "123")
	f.Fuzz(func(t *testing.T, typ, n1, v1, n2, v2 string) {
		if !validName(n1) || !validName(n2) {
			return // outside the property: such names cannot be encoded
		}
		enc := AppendFrame(nil, typ, n1, v1, n2, v2)
		enc = AppendFrame(enc, "DONE")
		r := NewReader(bytes.NewReader(enc))
		fr, err := r.Next()
		if err != nil {
			t.Fatalf("decoding %q: %v", enc, err)
		}
		want := []Field{{[]byte("Type"), []byte(decodedValue("Type", typ))},
			{[]byte(n1), []byte(decodedValue(n1, v1))}, {[]byte(n2), []byte(decodedValue(n2, v2))}}
		if len(fr.Fields) != len(want) {
			t.Fatalf("%d fields decoded from %q, want %d", len(fr.Fields), enc, len(want))
		}
		for i, w := range want {
			if !bytes.Equal(fr.Fields[i].Name, w.Name) || !bytes.Equal(fr.Fields[i].Value, w.Value) {
				t.Fatalf("field %d: got %q: %q, want %q: %q", i, fr.Fields[i].Name, fr.Fields[i].Value, w.Name, w.Value)
			}
		}
		if string(fr.Type()) != decodedValue("Type", typ) {
			t.Fatalf("type %q, want %q", fr.Type(), decodedValue("Type", typ))
		}
		if fr, err = r.Next(); err != nil || string(fr.Type()) != "DONE" || len(fr.Fields) != 1 {
			t.Fatalf("second frame: %v, %v", fr, err)
		}
		if _, err = r.Next(); err != io.EOF {
			t.Fatalf("after the frames: %v, want EOF", err)
		}
		if r.Stats != (ReaderStats{Frames: 2}) {
			t.Fatalf("stats %+v", r.Stats)
		}
	})
}

// FuzzEscape checks that escaping round-trips any value and leaves no line
// break in it.
func FuzzEscape(f *testing.F) {
	f.Add("a\nb\rc\x1bd\x1b")
	f.Add("\x1bn\x1br\x1b\x1b\x1bx")
	f.Fuzz(func(t *testing.T, v string) {
		enc := AppendEscaped(nil, v)
		if bytes.ContainsAny(enc, "\n\r") {
			t.Fatalf("escaped %q holds a line break: %q", v, enc)
		}
		if got := AppendUnescaped(nil, enc); string(got) != v {
			t.Fatalf("round trip of %q gave %q", v, got)
		}
		// Unescaping anything never grows it.
		if got := AppendUnescaped(nil, []byte(v)); len(got) > len(v) {
			t.Fatalf("unescaping %q grew it to %q", v, got)
		}
	})
}
