package framejson

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/internal/benchreport/mix"
)

// chunkReader returns at most n bytes per Read, as a socket may.
type chunkReader struct {
	data []byte
	n    int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), c.n, len(c.data))
	copy(p, c.data[:k])
	c.data = c.data[k:]
	return k, nil
}

// readEach reads data to its end as the relay would, with the Transcoder
// (onePass) or with Reader.Next and a FrameEncoder, and describes every
// frame and line, how the stream ended and the reader's counts.
func readEach(data []byte, chunk, maxLine, maxFields int, onePass bool) (string, int64) {
	r := mgmt.NewReader(&chunkReader{data: data, n: chunk})
	r.MaxLine, r.MaxFields = maxLine, maxFields
	extra := []byte(`"session":3`)
	tr := NewTranscoder(r, extra)
	enc := NewFrameEncoder()
	var out bytes.Buffer
	for {
		var f *mgmt.Frame
		var line []byte
		var err error
		if onePass {
			// Lines are appended after what the buffer holds.
			var buf []byte
			f, buf, err = tr.AppendNext([]byte("kept"))
			if string(buf[:4]) != "kept" {
				panic("AppendNext changed what dst held")
			}
			line = buf[4:]
		} else if f, err = r.Next(); err == nil {
			line = append(enc.AppendFrame(nil, f, extra), '\n')
		}
		if err != nil {
			fmt.Fprintf(&out, "end %v %+v\n", err, r.Stats)
			return out.String(), tr.onePassFrames
		}
		fmt.Fprintf(&out, "frame raw=%q ids=%v\n", f.Raw, f.IDs())
		for _, fl := range f.Fields {
			fmt.Fprintf(&out, "  %q=%q caps=%v\n", fl.Name, fl.Value, cap(fl.Name) == len(fl.Name) && cap(fl.Value) == len(fl.Value))
		}
		fmt.Fprintf(&out, "  type %q lookup size %q description %q\n", f.Type(), lookup(f, "Size"), lookup(f, "Description"))
		for _, fl := range f.Fields {
			fmt.Fprintf(&out, "  lookup %q\n", lookup(f, string(fl.Name)))
		}
		out.Write(line)
		if onePass {
			// A user of the frame may change its values (the relay's
			// redaction does) and says so: later frames are whole again.
			for i := range f.Fields {
				f.Fields[i].Value = []byte("changed")
			}
			tr.Changed(f)
		}
	}
}

func lookup(f *mgmt.Frame, name string) string {
	v, _ := f.Lookup(mgmt.NewName(name))
	return string(v)
}

// mixSession is a realistic stream: a session of files, as ascp sends it.
func mixSession(files int) []byte {
	s := mix.Default
	b := s.Header(nil, files)
	for i := range files {
		b = s.File(b, i, int64(i)*mix.FileSize)
	}
	return s.Trailer(b, files)
}

// A steady stream is read almost wholly by the single pass, and gives the
// frames and lines of Reader.Next and the FrameEncoder, whatever the size
// of the socket's reads.
func TestTranscoderMatchesEncoderOnASession(t *testing.T) {
	data := mixSession(300)
	frames := mix.Frames(300)
	for _, chunk := range []int{1 << 20, 4096, 977, 1} {
		want, _ := readEach(data, chunk, mgmt.DefaultMaxLine, mgmt.DefaultMaxFields, false)
		got, one := readEach(data, chunk, mgmt.DefaultMaxLine, mgmt.DefaultMaxFields, true)
		if got != want {
			t.Fatalf("reads of %d bytes: the Transcoder differs from Next and the encoder:\n%s", chunk, firstDiff(want, got))
		}
		// A frame cut by the end of a read is read in one pass once its
		// rest has come: whatever the reads, only the first of each of
		// the session's eight types is Next's.
		if one < frames-8 {
			t.Errorf("reads of %d bytes: %d of %d frames in one pass, want all but 8", chunk, one, frames)
		}
	}
}

// watchedReader serves its data, then counts the reads past it.
type watchedReader struct {
	data []byte
	past int
}

func (w *watchedReader) Read(p []byte) (int, error) {
	if len(w.data) == 0 {
		w.past++
		return 0, io.ErrNoProgress
	}
	n := copy(p, w.data)
	w.data = w.data[n:]
	return n, nil
}

// Reading on for a cut frame never waits on the input while a whole
// frame is there, even one the single pass cannot take (a CR before each
// LF, an escape): a lone frame reaches the consumer at once.
func TestTranscoderNeverWaitsForAWholeFrame(t *testing.T) {
	stop := mgmt.AppendFrame(nil, "STOP", "File", "/a/b", "Size", "42")
	crlf := bytes.ReplaceAll(stop, []byte("\n"), []byte("\r\n"))
	escaped := mgmt.AppendFrame(nil, "STOP", "File", "/a\x1bb", "Size", "42")
	for _, last := range [][]byte{stop, crlf, escaped} {
		w := &watchedReader{data: append(append([]byte{}, stop...), last...)}
		tr := NewTranscoder(mgmt.NewReader(w), nil)
		for i := range 2 {
			if _, _, err := tr.AppendNext(nil); err != nil {
				t.Fatalf("%q: frame %d: %v", last, i, err)
			}
		}
		if w.past > 0 {
			t.Errorf("%q: %d reads past a whole frame", last, w.past)
		}
	}
}

func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-200)
	return fmt.Sprintf("want …%s…\ngot  …%s…", a[from:min(len(a), i+200)], b[from:min(len(b), i+200)])
}

// oddFrames are frames the single pass must leave to Next, or take
// exactly as Next does, each after a frame of the same type that taught
// the pass its shape.
func oddFrames() [][]byte {
	stop := func(pairs ...string) []byte {
		base := []string{"File", "/a/b", "Size", "42", "Remote", "Yes", "Tags", `{"x":1}`}
		return mgmt.AppendFrame(nil, "STOP", append(base, pairs...)...)
	}
	good := stop()
	var out [][]byte
	for _, odd := range [][]byte{
		mgmt.AppendFrame(nil, "STOP", "File", "line\nbreak", "Size", "42", "Remote", "Yes", "Tags", `{"x":1}`),
		mgmt.AppendFrame(nil, "STOP", "File", "/a/b", "Size", "042", "Remote", "No", "Tags", `{"x":1}`),
		mgmt.AppendFrame(nil, "STOP", "File", "/a/b", "Size", "-1", "Remote", "maybe", "Tags", "\xff\x00é"),
		mgmt.AppendFrame(nil, "STOP", "File", "/a/b", "Size", "1234567890123456789", "Remote", "Yes", "Tags", ""),
		mgmt.AppendFrame(nil, "STOP", "Size", "42", "File", "/a/b", "Remote", "Yes", "Tags", `{"x":1}`),
		mgmt.AppendFrame(nil, "STOP", "File", "/a/b", "Size", "42", "Remote", "Yes"),
		stop("Oddity", "1"),
		stop("Type", "START"),
		bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")),
		bytes.Replace(good, []byte("Size: 42\n"), []byte("Size:42\n"), 1),
		bytes.Replace(good, []byte("Size: 42\n"), []byte("Size:\n"), 1),
		bytes.Replace(good, []byte("\n\n"), []byte("\nstray\n\n"), 1),
		bytes.Replace(good, []byte("Remote: Yes\n"), []byte("Remote: Yes\r\n"), 1),
		bytes.Replace(good, []byte("Type: STOP\n"), []byte("Type: STOP\x1bn\n"), 1),
		append([]byte("noise\n"), good...),
		good[:len(good)-1],
		good[:len(good)-7],
		append(good[:len(good)-1:len(good)-1], mgmt.AppendFrame(nil, "DONE")...),
	} {
		out = append(out, append(append(append([]byte{}, good...), odd...), good...))
	}
	return out
}

func TestTranscoderMatchesEncoderOnOddFrames(t *testing.T) {
	for i, data := range oddFrames() {
		for _, chunk := range []int{1 << 20, 7} {
			want, _ := readEach(data, chunk, mgmt.DefaultMaxLine, mgmt.DefaultMaxFields, false)
			got, _ := readEach(data, chunk, mgmt.DefaultMaxLine, mgmt.DefaultMaxFields, true)
			if got != want {
				t.Errorf("odd frame %d, reads of %d: the Transcoder differs:\n%s", i, chunk, firstDiff(want, got))
			}
		}
	}
	// Limits are Next's, whoever reads the frame.
	data := mixSession(20)
	for _, limits := range [][2]int{{30, 100}, {100, 9}, {100, 8}, {8, 100}} {
		want, _ := readEach(data, 1<<20, limits[0], limits[1], false)
		got, _ := readEach(data, 1<<20, limits[0], limits[1], true)
		if got != want {
			t.Errorf("limits %v: the Transcoder differs:\n%s", limits, firstDiff(want, got))
		}
	}
}

// FuzzTranscoderMatchesEncoder holds the relay's single pass to what
// Reader.Next and the FrameEncoder make of any stream: the same frames
// (fields, ids, span), the same lines, the same end and counts, with any
// size of read and any limits. Seeds: a session, the odd frames and the
// transcripts in ../testdata/frames.
func FuzzTranscoderMatchesEncoder(f *testing.F) {
	f.Add(mixSession(4), uint16(0), uint8(0))
	for i, odd := range oddFrames() {
		f.Add(odd, uint16(i*37), uint8(i))
	}
	paths, _ := filepath.Glob("../../testdata/frames/*.txt")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint16(len(data)), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16, limits uint8) {
		maxLine, maxFields := mgmt.DefaultMaxLine, mgmt.DefaultMaxFields
		if limits&1 != 0 {
			maxLine = 4 + int(limits>>2)
		}
		if limits&2 != 0 {
			maxFields = 1 + int(limits>>4)
		}
		n := int(chunk) + 1
		want, _ := readEach(data, n, maxLine, maxFields, false)
		got, _ := readEach(data, n, maxLine, maxFields, true)
		if got != want {
			t.Fatalf("reads of %d, limits %d/%d: the Transcoder differs:\n%s", n, maxLine, maxFields, firstDiff(want, got))
		}
	})
}

// Once warm, the single pass allocates nothing per frame.
func TestTranscoderSteadyStateDoesNotAllocate(t *testing.T) {
	data := mixSession(2000)
	r := mgmt.NewReader(mix.Loop(data[len(mix.Default.Header(nil, 2000)):]))
	tr := NewTranscoder(r, []byte(`"session":1`))
	var buf []byte
	step := func() {
		var err error
		if _, buf, err = tr.AppendNext(buf[:0]); err != nil {
			t.Fatal(err)
		}
	}
	for range 10000 {
		step()
	}
	if a := testing.AllocsPerRun(6000, step); a != 0 {
		t.Errorf("%.3f allocations per frame, want 0", a)
	}
	if tr.onePassFrames < 15000 {
		t.Errorf("%d frames of 16000 in one pass", tr.onePassFrames)
	}
}

// BenchmarkTranscoder is Reader.Next and FrameEncoder.AppendFrame in one:
// a frame of the START/STATS/STOP mix read and its line made.
func BenchmarkTranscoder(b *testing.B) {
	data := mixSession(1000)
	body := data[len(mix.Default.Header(nil, 1000)) : len(data)-len(mix.Default.Trailer(nil, 1000))]
	r := mgmt.NewReader(mix.Loop(body))
	tr := NewTranscoder(r, []byte(`"session":`+strconv.Itoa(1)))
	var buf []byte
	for range 6000 {
		_, buf, _ = tr.AppendNext(buf[:0])
	}
	b.SetBytes(int64(len(body) / 3000))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var err error
		if _, buf, err = tr.AppendNext(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// A peer inventing frame types with long values cannot make a Transcoder
// keep more than its bound.
func TestTranscoderKeepsBoundedMemory(t *testing.T) {
	var data []byte
	// Lines and members just within what a shape keeps of one.
	long := string(bytes.Repeat([]byte("v"), 200))
	escaped := string(bytes.Repeat([]byte("\x01"), 75)) // 450 bytes as JSON
	// A short line whose member is too long to keep: 1,380 bytes as JSON.
	tooLong := string(bytes.Repeat([]byte("\x01"), 230))
	for typ := range 300 {
		var pairs []string
		for k := range maxShapeFields {
			v := []string{long, escaped, tooLong}[k%3]
			pairs = append(pairs, mgmt.KnownFields[k+1].Name, v)
		}
		frame := mgmt.AppendFrame(nil, "T"+strconv.Itoa(typ), pairs...)
		for range 3 {
			data = append(data, frame...)
		}
	}
	r := mgmt.NewReader(bytes.NewReader(data))
	tr := NewTranscoder(r, nil)
	for {
		if _, _, err := tr.AppendNext(nil); err != nil {
			break
		}
	}
	if tr.onePassFrames == 0 {
		t.Fatal("no frame was read in one pass: the bound was not tested")
	}
	kept := 0
	for i := range tr.types {
		for _, sf := range tr.types[i].fields {
			kept += cap(sf.line) + cap(sf.member) + cap(sf.runLines) + cap(sf.runMembers)
		}
	}
	if kept < shapeSlots*maxShapeFields*maxRepeatLine {
		t.Fatalf("only %d bytes kept: the test did not reach the bound", kept)
	}
	if limit := shapeSlots * maxShapeFields * maxRepeatLine * 6; kept > limit {
		t.Errorf("a Transcoder keeps %d bytes of lines, more than its bound %d", kept, limit)
	}
}

// digitsEnd finds the first byte that is not a digit as a byte loop does,
// whatever the bytes around it.
func TestDigitsEnd(t *testing.T) {
	loop := func(b []byte, i int) int {
		for i < len(b) && b[i]-'0' <= 9 {
			i++
		}
		return i
	}
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 40)
	for range 200_000 {
		for k := range b {
			switch rng.IntN(4) {
			case 0:
				b[k] = byte(rng.IntN(256))
			default:
				b[k] = '0' + byte(rng.IntN(10))
			}
		}
		at := rng.IntN(len(b))
		if got, want := digitsEnd(b, at), loop(b, at); got != want {
			t.Fatalf("%q from %d: %d, want %d", b, at, got, want)
		}
	}
}
