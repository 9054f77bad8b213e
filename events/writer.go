package events

import (
	"bufio"
	"encoding/json"
	"io"
	"sync"

	"github.com/faspkit/asession/ascp"
)

// Writer writes JSON lines. Lines are buffered; the relay flushes whenever
// its input goes idle, so a burst costs one write and a lone frame still
// appears at once. Safe for concurrent use.
type Writer struct {
	mu   sync.Mutex
	bw   *bufio.Writer
	enc  *FrameEncoder
	line []byte
	err  error
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{bw: bufio.NewWriterSize(w, 64<<10), enc: NewFrameEncoder()}
}

// Frame writes one raw event line for a management frame. extra holds
// already-encoded JSON members to add after "type".
func (w *Writer) Frame(f *ascp.Frame, extra []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	w.line = w.enc.AppendFrame(w.line[:0], f, extra)
	w.line = append(w.line, '\n')
	_, w.err = w.bw.Write(w.line)
	return w.err
}

// Line writes one already-encoded line, newline included.
func (w *Writer) Line(line []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	_, w.err = w.bw.Write(line)
	return w.err
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
	enc := json.NewEncoder(w.bw)
	enc.SetEscapeHTML(false)
	if w.err = enc.Encode(v); w.err == nil {
		w.err = w.bw.Flush()
	}
	return w.err
}

// Flush writes buffered lines out.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	w.err = w.bw.Flush()
	return w.err
}

// Err returns the first write error, such as EPIPE when the consumer closed
// stdout.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
