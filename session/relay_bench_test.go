package session

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/account"
	"github.com/faspkit/asession/internal/benchreport/mix"
)

// benchPassword is the job's secret: relay looks for it in every value.
const benchPassword = "correct-horse-battery-staple"

// mixFiles is how many files the benchmark stream cycles through: enough
// distinct names that nothing is a lucky cache hit, small enough to stay in
// memory.
const mixFiles = 2000

// cycleReader serves a header once, then the body over and over: an
// endless management stream of the realistic mix. Each Read fills p, as a
// busy socket does.
type cycleReader struct {
	head, body []byte
	off        int
	inBody     bool
}

func newMixStream() *cycleReader {
	s := mix.Default
	var body []byte
	for i := 0; i < mixFiles; i++ {
		body = s.File(body, i, int64(i)*mix.FileSize)
	}
	return &cycleReader{head: s.Header(nil, mixFiles), body: body}
}

func (c *cycleReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		src := c.head
		if c.inBody {
			src = c.body
		}
		k := copy(p[n:], src[c.off:])
		n += k
		c.off += k
		if c.off == len(src) {
			c.off, c.inBody = 0, true
		}
	}
	return n, nil
}

// meanFrameBytes is the mean input size of a body frame.
func (c *cycleReader) meanFrameBytes() int64 { return int64(len(c.body)) / (mixFiles * mix.FrameFiles) }

func devNull(b *testing.B) *os.File {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
}

// BenchmarkRelayFrames is the hot path of a transfer, frame by frame, as
// relay runs it: Reader.Next decodes the frame, and frameRelay.frame (the
// function relay calls) tracks progress, writes the JSON line, checks
// whether a progress line is due and flushes when the input is idle. The
// output goes to /dev/null through the events.Writer. One op is one frame
// of the START/STATS/STOP mix (9, 14 and 15 fields).
//
// The stream cycles 2000 files, so the account's set of finished files
// stays small; "distinct" sends ever new files instead, as a transfer of
// millions does, made a chunk at a time with the timer stopped (no
// list: the account follows a list of the stream's sources).
func BenchmarkRelayFrames(b *testing.B) {
	for _, c := range []struct {
		name   string
		events EventSet
	}{{"all", EventsAll}, {"raw", EventsRaw}} {
		b.Run(c.name, func(b *testing.B) {
			src := newMixStream()
			opts := Options{Out: events.NewWriter(devNull(b)), Events: c.events}
			opts.defaults()
			// As relay builds it, for a spec with a password and a list
			// of the stream's sources, which the account follows.
			list := &ascp.ListFile{Option: "--file-list"}
			for i := 0; i < mixFiles; i++ {
				src, _ := mix.Names(i)
				list.Lines = append(list.Lines, src)
			}
			j := &job{opts: &opts, acct: account.New(account.Options{Sessions: 1, List: list})}
			fr := frameRelay{job: j, session: 1, raw: opts.Events != EventsProgress,
				redact: newFrameRedactor([]string{benchPassword}, false)}
			reader := mgmt.NewReader(src)
			fr.makeLines(reader)
			step := relayStep(b, &fr, reader)
			measureFrames(b, src.meanFrameBytes(), step)
		})
	}
	b.Run("distinct", func(b *testing.B) {
		src := &distinctFiles{b: b}
		opts := Options{Out: events.NewWriter(devNull(b)), Events: EventsAll}
		opts.defaults()
		j := &job{opts: &opts, acct: account.New(account.Options{Sessions: 1})}
		fr := frameRelay{job: j, session: 1, raw: true, redact: newFrameRedactor([]string{benchPassword}, false)}
		reader := mgmt.NewReader(src)
		fr.makeLines(reader)
		step := relayStep(b, &fr, reader)
		measureFrames(b, src.meanFrameBytes(), step)
	})
}

// relayStep is one turn of relay's loop: the next frame read, and
// handled as relay handles it.
func relayStep(tb testing.TB, fr *frameRelay, reader *mgmt.Reader) func() {
	return func() {
		f, line, err := fr.next(reader)
		if err != nil {
			tb.Fatal(err)
		}
		if err := fr.frame(f, line, reader.Buffered() == 0); err != nil {
			tb.Fatal(err)
		}
	}
}

// distinctFiles serves START, STATS and STOP of ever new files, made
// distinctChunk files at a time with the benchmark's timer stopped.
type distinctFiles struct {
	b    *testing.B
	buf  []byte
	off  int
	next int
}

const distinctChunk = 4096

func (d *distinctFiles) Read(p []byte) (int, error) {
	if d.off == len(d.buf) {
		d.b.StopTimer()
		d.buf, d.off = d.buf[:0], 0
		for range distinctChunk {
			d.buf = mix.Default.File(d.buf, d.next, int64(d.next)*mix.FileSize)
			d.next++
		}
		d.b.StartTimer()
	}
	n := copy(p, d.buf[d.off:])
	d.off += n
	return n, nil
}

// meanFrameBytes is the mean size of the frames of the first chunk.
func (d *distinctFiles) meanFrameBytes() int64 {
	var b []byte
	for i := range distinctChunk {
		b = mix.Default.File(b, i, int64(i)*mix.FileSize)
	}
	return int64(len(b)) / (distinctChunk * mix.FrameFiles)
}

// BenchmarkNaiveFrames is the baseline a straightforward relay would be:
// each frame parsed into a map[string]string and marshalled with
// encoding/json (every value a string, keys sorted, no progress), on the
// same stream and output.
func BenchmarkNaiveFrames(b *testing.B) {
	src := newMixStream()
	br := bufio.NewReaderSize(src, 64<<10)
	bw := bufio.NewWriterSize(devNull(b), 64<<10)
	defer bw.Flush()
	var frame map[string]string
	next := func() map[string]string {
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				b.Fatal(err)
			}
			line = line[:len(line)-1]
			switch {
			case line == mgmt.Header:
				frame = map[string]string{}
			case line == "" && frame != nil:
				f := frame
				frame = nil
				return f
			case frame != nil:
				if name, value, ok := strings.Cut(line, ": "); ok {
					frame[name] = string(mgmt.AppendUnescaped(nil, []byte(value)))
				}
			}
		}
	}
	step := func() {
		line, err := json.Marshal(next())
		if err != nil {
			b.Fatal(err)
		}
		bw.Write(line)
		bw.WriteByte('\n')
	}
	measureFrames(b, src.meanFrameBytes(), step)
}

// BenchmarkFloorFrames is the floor the relay is measured against: the
// same stream split into frames (a line of the header starts one, an empty
// line ends it) and each frame written out as it came, with no decoding,
// no JSON and no state. Nothing per frame can cost less than this.
func BenchmarkFloorFrames(b *testing.B) {
	src := newMixStream()
	br := bufio.NewReaderSize(src, 64<<10)
	bw := bufio.NewWriterSize(devNull(b), 64<<10)
	defer bw.Flush()
	var frame []byte
	step := func() {
		frame = frame[:0]
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				b.Fatal(err)
			}
			frame = append(frame, line...)
			if len(line) == 1 && len(frame) > 1 {
				break
			}
		}
		bw.Write(frame)
	}
	measureFrames(b, src.meanFrameBytes(), step)
}

// measureFrames warms step up, then times it per frame. Warming grows the
// buffers and the key cache: steady state is what a session of a million
// frames lives in.
func measureFrames(b *testing.B, frameBytes int64, step func()) {
	for range 4 * mixFiles {
		step()
	}
	b.SetBytes(frameBytes)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

// The relay must not allocate per frame once warm: a session of millions
// of frames would otherwise churn the heap. (Allocation counts, not time:
// safe to assert in a test.)
func TestRelayFrameSteadyStateDoesNotAllocate(t *testing.T) {
	src := newMixStream()
	opts := Options{Out: events.NewWriter(io.Discard)}
	opts.defaults()
	j := &job{opts: &opts, acct: account.New(account.Options{Sessions: 1})}
	fr := frameRelay{job: j, session: 1, raw: true, redact: newFrameRedactor([]string{benchPassword}, false)}
	reader := mgmt.NewReader(src)
	fr.makeLines(reader)
	step := relayStep(t, &fr, reader)
	for range 4 * mixFiles {
		step()
	}
	if allocs := testing.AllocsPerRun(3*mixFiles, step); allocs != 0 {
		t.Errorf("%.3f allocations per frame, want 0", allocs)
	}
}
