package events

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/internal/framejson"
)

// writeThreshold is how much output the Writer gathers before it writes on
// its own: a burst of frames costs one write per 64 KiB.
const writeThreshold = 64 << 10

// Writer writes JSON lines. Lines are buffered; the relay flushes whenever
// its input goes idle, so a burst costs one write and a lone frame still
// appears at once. Safe for concurrent use.
//
// Lines are encoded straight into the output buffer (no line buffer copied
// into a bufio.Writer): on the relay's hot path every copy counts.
type Writer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte // encoded lines not yet written
	enc *framejson.FrameEncoder
	err error
	now func() time.Time // set: every line gets a "time" member
}

// SetTimestamps makes every line start with a "time" member, the clock
// time (RFC 3339, milliseconds) at which the line was made; nil turns it
// off. Call it before the first line.
func (w *Writer) SetTimestamps(now func() time.Time) {
	w.mu.Lock()
	w.now = now
	w.mu.Unlock()
}

// Timestamps reports whether lines get a "time" member.
func (w *Writer) Timestamps() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now != nil
}

// stamp inserts `"time":"…",` after the opening brace of the line that
// starts at buf[start:]. The line is shifted in place: no allocation once
// the buffer has grown.
func (w *Writer) stamp(start int) {
	if w.now == nil || start >= len(w.buf) || w.buf[start] != '{' {
		return
	}
	var tmp [48]byte
	member := append(tmp[:0], `"time":"`...)
	member = w.now().UTC().AppendFormat(member, TimeFormat)
	member = append(member, '"', ',')
	end := len(w.buf)
	w.buf = append(w.buf, member...)
	copy(w.buf[start+1+len(member):], w.buf[start+1:end])
	copy(w.buf[start+1:], member)
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, buf: make([]byte, 0, writeThreshold+4<<10), enc: framejson.NewFrameEncoder()}
}

// Frame writes one raw event line for a management frame. extra holds
// already-encoded JSON members to add after "type".
func (w *Writer) Frame(f *mgmt.Frame, extra []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	start := len(w.buf)
	w.buf = w.enc.AppendFrame(w.buf, f, extra)
	w.buf = append(w.buf, '\n')
	w.stamp(start)
	return w.writeFull()
}

// Line writes one already-encoded line, newline included.
func (w *Writer) Line(line []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	start := len(w.buf)
	w.buf = append(w.buf, line...)
	w.stamp(start)
	return w.writeFull()
}

// Lines writes whole lines made elsewhere, each ending with a newline:
// the relay gathers a burst's frames and hands them over at once. With
// timestamps on, each line gets its own.
func (w *Writer) Lines(lines []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if w.now != nil {
		for len(lines) > 0 {
			n := bytes.IndexByte(lines, '\n') + 1
			if n == 0 {
				n = len(lines)
			}
			start := len(w.buf)
			w.buf = append(w.buf, lines[:n]...)
			w.stamp(start)
			lines = lines[n:]
		}
		return w.writeFull()
	}
	if len(w.buf) == 0 && len(lines) >= writeThreshold {
		// Nothing waits before them: write them as they are, not copied.
		w.write(lines)
		return w.err
	}
	w.buf = append(w.buf, lines...)
	return w.writeFull()
}

// Event writes v, a derived event, as one line and flushes: derived lines
// are rare and a consumer may be waiting for exactly this one.
func (w *Writer) Event(v any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	// Paths and placeholders hold < > &: no reason to escape them for HTML.
	start := len(w.buf)
	enc := json.NewEncoder((*appender)(&w.buf))
	enc.SetEscapeHTML(false)
	if w.err = enc.Encode(v); w.err == nil {
		w.stamp(start)
		w.flush()
	}
	return w.err
}

// appender lets encoding/json append to the Writer's buffer.
type appender []byte

func (a *appender) Write(p []byte) (int, error) {
	*a = append(*a, p...)
	return len(p), nil
}

// Flush writes buffered lines out.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	w.flush()
	return w.err
}

// writeFull writes the buffer out once it holds writeThreshold bytes.
func (w *Writer) writeFull() error {
	if len(w.buf) >= writeThreshold {
		w.flush()
	}
	return w.err
}

func (w *Writer) flush() {
	if len(w.buf) == 0 {
		return
	}
	w.write(w.buf)
	w.buf = w.buf[:0]
	if cap(w.buf) > 4*writeThreshold {
		// One huge line (a frame of megabyte fields) must not pin its
		// buffer for the rest of the run.
		w.buf = make([]byte, 0, writeThreshold+4<<10)
	}
}

func (w *Writer) write(b []byte) {
	n, err := w.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	w.err = err
}

// Err returns the first write error, such as EPIPE when the consumer closed
// stdout.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
