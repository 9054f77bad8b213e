package mgmt

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// The Reader decodes in place in a buffer it compacts and grows; these
// tests compare it with refReader, the straightforward line-by-line decoder
// it replaced, on streams cut into reads of every size.

type refFrame struct {
	fields []Field
}

// refReader is the previous Reader: bufio lines, fields copied out.
type refReader struct {
	maxLine, maxFields int
	stats              ReaderStats
	br                 *bufio.Reader
	inFrame            bool
	fields             []Field
}

func newRefReader(r io.Reader) *refReader {
	return &refReader{maxLine: DefaultMaxLine, maxFields: DefaultMaxFields, br: bufio.NewReaderSize(r, 64<<10)}
}

func (r *refReader) next() (*refFrame, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			if err == io.EOF && r.inFrame {
				r.inFrame = false
				return nil, ErrIncomplete
			}
			return nil, err
		}
		if line == Header {
			if r.inFrame {
				r.stats.DiscardedFrames++
			}
			r.inFrame = true
			r.fields = nil
			continue
		}
		if !r.inFrame {
			if len(line) > 0 {
				r.stats.StrayLines++
			}
			continue
		}
		if line == "" {
			r.inFrame = false
			r.stats.Frames++
			return &refFrame{fields: r.fields}, nil
		}
		// The name ends at the first colon; one space after it is the
		// syntax.
		name, value, found := strings.Cut(line, ":")
		if !found || name == "" {
			r.stats.MalformedLines++
			continue
		}
		value = strings.TrimPrefix(value, " ")
		if len(r.fields) >= r.maxFields {
			r.inFrame = false
			return nil, ErrTooManyFields
		}
		v := []byte(value)
		if f := Known([]byte(name)); f != nil && f.Escaped {
			v = AppendUnescaped(nil, v)
		}
		r.fields = append(r.fields, Field{[]byte(name), v})
	}
}

func (r *refReader) readLine() (string, error) {
	var long []byte
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		long = append(long, line...)
		for err == bufio.ErrBufferFull {
			if len(long) > r.maxLine {
				return "", ErrLineTooLong
			}
			line, err = r.br.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			if bytes.HasPrefix([]byte(Header), line) || bytes.HasPrefix(line, []byte(Header)) {
				r.inFrame = true
			} else if !r.inFrame {
				r.stats.StrayLines++
			}
		}
		return "", err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) > r.maxLine {
		return "", ErrLineTooLong
	}
	return string(line), nil
}

// decodeAll runs both readers over data, the new one through wrap, and
// describes everything they returned.
func decodeAll(t *testing.T, data []byte, maxLine, maxFields int, wrap func(io.Reader) io.Reader) (got, want string) {
	t.Helper()
	var g, w strings.Builder
	r := NewReader(wrap(bytes.NewReader(data)))
	r.MaxLine, r.MaxFields = maxLine, maxFields
	for {
		f, err := r.Next()
		if err != nil {
			fmt.Fprintf(&g, "end %v %+v\n", err, r.Stats)
			break
		}
		for _, fl := range f.Fields {
			if cap(fl.Name) != len(fl.Name) || cap(fl.Value) != len(fl.Value) {
				t.Fatalf("field %q: capacity beyond the slice", fl.Name)
			}
			fmt.Fprintf(&g, "%q=%q ", fl.Name, fl.Value)
		}
		g.WriteString("\n")
	}
	ref := newRefReader(bytes.NewReader(data))
	ref.maxLine, ref.maxFields = maxLine, maxFields
	for {
		f, err := ref.next()
		if err != nil {
			fmt.Fprintf(&w, "end %v %+v\n", err, ref.stats)
			break
		}
		for _, fl := range f.fields {
			fmt.Fprintf(&w, "%q=%q ", fl.Name, fl.Value)
		}
		w.WriteString("\n")
	}
	return g.String(), w.String()
}

// randomStream is frames with escapes, CRLF, stray and malformed lines,
// unfinished frames, long values and a cut end.
func randomStream(rng *rand.Rand) []byte {
	pieces := []string{
		"Type: STATS\n", "File: /a\x1bnb\x1b\x1bc\x1b\n", "Name:\n", "Name:  two\n", "A:b: c\n",
		"no separator\n", "Bytescont: 123\r\n", "\x1bn: v\n", "X: \x1b", "\x1br\x1bq\n",
		"FASPMGR 2\n", "FASPMGR 2\r\n", "\n", "\r\n", "stray\n", "FASPMGR", ":\n", ": x\n",
		// Near misses of the Reader's guess of the next known name.
		"File:\n", "File:x: y\n", "Sizes: 1\n", "Type:: z\n", "Size:\r\n",
		// IBM's newest forms: no space, two spaces, escapes in a path
		// and elsewhere.
		"Source:no space\n", "Destination:  two\n", "Description: a\x1bnb\n", "Source: a\x1bnb\n",
	}
	var b []byte
	n := rng.IntN(60)
	for i := 0; i < n; i++ {
		switch k := rng.IntN(20); {
		case k < 2:
			b = append(b, "Big: "...)
			b = append(b, bytes.Repeat([]byte{'a' + byte(rng.IntN(3)), 0x1b, 'n'}, rng.IntN(40000))...)
			b = append(b, '\n')
		case k < 8:
			b = AppendFrame(b, "STATS", "File", "/x\ny", "Size", "10")
		default:
			b = append(b, pieces[rng.IntN(len(pieces))]...)
		}
	}
	return b
}

func TestReaderMatchesLineByLineDecoding(t *testing.T) {
	wraps := map[string]func(io.Reader) io.Reader{
		"whole":   func(r io.Reader) io.Reader { return r },
		"onebyte": iotest.OneByteReader,
		"half":    iotest.HalfReader,
		"dataerr": iotest.DataErrReader,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 300; i++ {
		data := randomStream(rng)
		for name, wrap := range wraps {
			if name == "onebyte" && len(data) > 20000 {
				continue
			}
			for _, lim := range [][2]int{{DefaultMaxLine, DefaultMaxFields}, {50000, 4}, {16, 3}} {
				got, want := decodeAll(t, data, lim[0], lim[1], wrap)
				if got != want {
					t.Fatalf("stream %d (%s, limits %v) %q:\ngot  %s\nwant %s", i, name, lim, data, got, want)
				}
			}
		}
	}
}

// A frame larger than the buffer makes it grow; frames that straddle the
// end of the buffer are moved to its front. Both keep fields intact.
func TestReaderKeepsFramesAcrossBufferMoves(t *testing.T) {
	var stream []byte
	for i := 0; i < 3000; i++ {
		value := strings.Repeat(fmt.Sprintf("v%d\n", i), 1+i%50)
		if i%700 == 0 {
			value = strings.Repeat("big\x1b", 30000) // 120 KB: more than the buffer
		}
		// File: an Escaped field, decoded in place across the moves.
		stream = AppendFrame(stream, "STATS", "Index", fmt.Sprint(i), "File", value)
	}
	for _, wrap := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.HalfReader} {
		r := NewReader(wrap(bytes.NewReader(stream)))
		for i := 0; i < 3000; i++ {
			f, err := r.Next()
			if err != nil {
				t.Fatalf("frame %d: %v", i, err)
			}
			want := strings.Repeat(fmt.Sprintf("v%d\n", i), 1+i%50)
			if i%700 == 0 {
				want = strings.Repeat("big\x1b", 30000)
			}
			if idx, _ := f.GetString("Index"); idx != fmt.Sprint(i) {
				t.Fatalf("frame %d has Index %q", i, idx)
			}
			if v, _ := f.GetString("File"); v != want {
				t.Fatalf("frame %d: value of %d bytes differs", i, len(v))
			}
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("end: %v", err)
		}
	}
}

// Buffered is what the relay flushes on: zero exactly when every byte
// received so far has been decoded.
func TestReaderBufferedCountsUndecodedBytes(t *testing.T) {
	one := AppendFrame(nil, "STATS", "File", "a")
	r := NewReader(bytes.NewReader(append(append([]byte{}, one...), one...)))
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if got := r.Buffered(); got != len(one) {
		t.Errorf("after the first frame: Buffered() = %d, want %d", got, len(one))
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if got := r.Buffered(); got != 0 {
		t.Errorf("after the last frame: Buffered() = %d, want 0", got)
	}
}

// A read error other than EOF is returned as it is.
func TestReaderReturnsReadErrors(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(bytes.NewReader(AppendFrame(nil, "INIT")), iotest.ErrReader(boom)))
	if f, err := r.Next(); err != nil || string(f.Type()) != "INIT" {
		t.Fatalf("first frame: %v %v", f, err)
	}
	if _, err := r.Next(); !errors.Is(err, boom) {
		t.Fatalf("got %v, want boom", err)
	}
}

// FuzzReaderMatchesLineByLine is the comparison above on arbitrary input.
func FuzzReaderMatchesLineByLine(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; len(f.Name()) > 0 && i < 8; {
		// Small seeds: the fuzzer mutates them faster.
		if data := randomStream(rng); len(data) < 2000 {
			f.Add(data, uint8(i))
			i++
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		wrap := func(r io.Reader) io.Reader { return r }
		if mode%2 == 1 {
			wrap = iotest.HalfReader
		}
		for _, lim := range [][2]int{{DefaultMaxLine, DefaultMaxFields}, {16, 3}} {
			if got, want := decodeAll(t, data, lim[0], lim[1], wrap); got != want {
				t.Fatalf("limits %v:\ngot  %s\nwant %s", lim, got, want)
			}
		}
	})
}
