package ascp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Header is the first line of every management-port frame.
const Header = "FASPMGR 2"

// Limits that keep a hostile or broken peer from growing our memory without
// bound. Real ascp frames are a few hundred bytes with a few dozen fields.
const (
	DefaultMaxLine   = 1 << 20 // a file name can be long, but not a megabyte
	DefaultMaxFields = 4096
)

const esc = 0x1b

var (
	// ErrIncomplete is returned when the stream ends in the middle of a frame.
	ErrIncomplete = errors.New("management stream ended inside a frame")
	// ErrLineTooLong is returned when a line exceeds the reader's MaxLine.
	ErrLineTooLong = errors.New("management line too long")
	// ErrTooManyFields is returned when a frame exceeds the reader's MaxFields.
	ErrTooManyFields = errors.New("management frame has too many fields")
)

// Field is one `Name: value` line of a frame, with escapes already decoded.
// Both slices are only valid until the next call to Reader.Next.
type Field struct {
	Name  []byte
	Value []byte
}

// Frame is one management message. It is reused by the Reader: copy what you
// need before calling Next again.
type Frame struct {
	Fields []Field

	offs []fieldOffsets // relative to the frame's first field line
}

// fieldOffsets locate a field in the Reader's buffer while the frame is read:
// the buffer may still move, so slices are only made once it is complete.
type fieldOffsets struct{ nameStart, nameEnd, valueStart, valueEnd int32 }

var typeName = []byte("Type")

// Type returns the value of the Type field, or nil when the frame has none.
func (f *Frame) Type() []byte {
	v, _ := f.Get(typeName)
	return v
}

// Get returns the value of the first field with the given name.
func (f *Frame) Get(name []byte) ([]byte, bool) {
	for i := range f.Fields {
		if bytes.Equal(f.Fields[i].Name, name) {
			return f.Fields[i].Value, true
		}
	}
	return nil, false
}

// GetString is Get for callers that are not on a hot path.
func (f *Frame) GetString(name string) (string, bool) {
	v, ok := f.Get([]byte(name))
	return string(v), ok
}

func (f *Frame) reset() {
	f.offs = f.offs[:0]
	f.Fields = f.Fields[:0]
}

// seal turns the offsets into slices of buf, which holds the frame's lines
// from its first field line on and will not move before the next call to
// Next. Each slice's capacity ends with it, so that a caller appending to
// one cannot overwrite the next.
func (f *Frame) seal(buf []byte) {
	if cap(f.Fields) < len(f.offs) {
		f.Fields = make([]Field, 0, cap(f.offs))
	}
	f.Fields = f.Fields[:len(f.offs)]
	for i, o := range f.offs {
		// Field by field: building a Field and copying it costs a
		// store-forwarding stall per field.
		fl := &f.Fields[i]
		fl.Name = buf[o.nameStart:o.nameEnd:o.nameEnd]
		fl.Value = buf[o.valueStart:o.valueEnd:o.valueEnd]
	}
}

// ReaderStats counts what a Reader had to throw away; a healthy ascp stream
// leaves them all at zero.
type ReaderStats struct {
	Frames          int64 // frames returned
	DiscardedFrames int64 // unfinished frames dropped because a new header began
	StrayLines      int64 // non-empty lines seen outside any frame
	MalformedLines  int64 // lines inside a frame with no ": " separator
}

// readerBufSize is the Reader's initial buffer: many frames per read from
// a busy connection.
const readerBufSize = 64 << 10

// Reader decodes management frames from a byte stream. It allocates only
// while its buffers grow to the size of the largest frame seen.
//
// It reads into its own buffer and decodes frames in place: a field's Name
// and Value are slices of that buffer (escapes are decoded where they are,
// as decoding only shrinks a value), and the buffer is only compacted or
// grown when a line does not fit, always keeping the unfinished frame.
type Reader struct {
	MaxLine   int
	MaxFields int
	Stats     ReaderStats

	rd      io.Reader
	buf     []byte
	r, w    int   // buf[r:w] is received and not yet decoded
	err     error // the read error to report once buf[r:w] holds no line
	frame   Frame
	inFrame bool
	start   int // where the current frame's first field line is in buf

	escFrom, escAt int // no ESC in buf[escFrom:escAt]; see hasEscape
}

// NewReader returns a Reader with the default limits.
func NewReader(r io.Reader) *Reader {
	return &Reader{
		MaxLine:   DefaultMaxLine,
		MaxFields: DefaultMaxFields,
		rd:        r,
		buf:       make([]byte, readerBufSize),
	}
}

// Buffered reports how many received bytes are waiting to be decoded; zero
// means the peer has gone quiet, the moment to flush output.
func (r *Reader) Buffered() int { return r.w - r.r }

// Next returns the next complete frame. At a clean end of stream it returns
// io.EOF; when the stream ends inside a frame it returns ErrIncomplete.
// ErrLineTooLong and ErrTooManyFields are fatal: the stream cannot be
// resynchronised reliably after them.
func (r *Reader) Next() (*Frame, error) {
	for {
		ls, le, err := r.readLine()
		if err != nil {
			if err == io.EOF && r.inFrame {
				r.inFrame = false
				return nil, ErrIncomplete
			}
			return nil, err
		}
		line := r.buf[ls:le]
		if len(line) == len(Header) && string(line) == Header {
			if r.inFrame {
				r.Stats.DiscardedFrames++
			}
			r.inFrame = true
			r.start = r.r
			r.frame.reset()
			continue
		}
		if !r.inFrame {
			if len(line) > 0 {
				r.Stats.StrayLines++
			}
			continue
		}
		if len(line) == 0 {
			r.inFrame = false
			r.frame.seal(r.buf[r.start:])
			r.Stats.Frames++
			return &r.frame, nil
		}
		if err := r.addField(ls, le); err != nil {
			r.inFrame = false
			return nil, err
		}
	}
}

// addField records the field on buf[ls:le], decoding its value's escapes in
// place.
func (r *Reader) addField(ls, le int) error {
	line := r.buf[ls:le]
	nameEnd, valueStart := -1, le
	// The first ": " splits the line; a line ending with ':' is a name with
	// an empty value. Names are short: a plain loop beats IndexByte.
	for i := 0; i < len(line); i++ {
		if line[i] != ':' {
			continue
		}
		if i+1 == len(line) {
			nameEnd = ls + i
			break
		}
		if line[i+1] == ' ' {
			nameEnd, valueStart = ls+i, ls+i+2
			break
		}
	}
	if nameEnd <= ls {
		r.Stats.MalformedLines++
		return nil
	}
	if len(r.frame.offs) >= r.MaxFields {
		return ErrTooManyFields
	}
	valueEnd := le
	if r.hasEscape(valueStart, le) {
		valueEnd = valueStart + len(AppendUnescaped(r.buf[valueStart:valueStart], r.buf[valueStart:le]))
	}
	r.frame.offs = append(r.frame.offs, fieldOffsets{
		int32(ls - r.start), int32(nameEnd - r.start), int32(valueStart - r.start), int32(valueEnd - r.start),
	})
	return nil
}

// hasEscape reports whether buf[from:to] holds an ESC. Escapes are rare, so
// one search usually clears the rest of the buffer at once: buf[escFrom:escAt]
// is known to hold none, and escAt is the next ESC or the end of the data
// searched.
func (r *Reader) hasEscape(from, to int) bool {
	if from >= r.escFrom && to <= r.escAt {
		return false
	}
	r.escFrom, r.escAt = from, r.w
	if i := bytes.IndexByte(r.buf[from:r.w], esc); i >= 0 {
		r.escAt = from + i
	}
	return r.escAt < to
}

// readLine consumes one line and returns where it is in buf, without its
// LF (and without a CR before it).
func (r *Reader) readLine() (ls, le int, err error) {
	scanned := r.r // no LF in buf[r.r:scanned]
	for {
		if i := bytes.IndexByte(r.buf[scanned:r.w], '\n'); i >= 0 {
			ls, le = r.r, scanned+i
			r.r = le + 1
			if le > ls && r.buf[le-1] == '\r' {
				le--
			}
			if le-ls > r.MaxLine {
				return 0, 0, ErrLineTooLong
			}
			return ls, le, nil
		}
		scanned = r.w
		if r.err != nil {
			return 0, 0, r.readError()
		}
		if n := r.w - r.r; n > r.MaxLine+1 && n >= readerBufSize {
			// Too long whatever comes next: do not read (and grow) on.
			// (A shorter cut line is left for the end of the stream to
			// explain, as a complete one is checked when its LF comes.)
			return 0, 0, ErrLineTooLong
		}
		if r.w == len(r.buf) {
			scanned -= r.makeRoom()
		}
		n, err := r.rd.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			panic("ascp.Reader: invalid Read count")
		}
		r.w += n
		if err != nil {
			r.err = err
		} else if n == 0 {
			// A reader that keeps returning nothing is broken; do not
			// spin on it for ever.
			for k := 0; n == 0 && err == nil && k < 100; k++ {
				n, err = r.rd.Read(r.buf[r.w:])
				r.w += n
			}
			if n == 0 && err == nil {
				r.err = io.ErrNoProgress
			} else if err != nil {
				r.err = err
			}
		}
	}
}

// readError reports the pending read error once, dropping a last line cut
// by it: that line is never complete, and a cut header means a cut frame.
func (r *Reader) readError() error {
	err := r.err
	r.err = nil
	if line := r.buf[r.r:r.w]; err == io.EOF && len(line) > 0 {
		if bytes.HasPrefix([]byte(Header), line) || bytes.HasPrefix(line, []byte(Header)) {
			r.inFrame = true
		} else if !r.inFrame {
			r.Stats.StrayLines++
		}
	}
	r.r = r.w
	return err
}

// makeRoom frees space at the end of a full buffer: it moves what must be
// kept (the unfinished frame, else the unfinished line) to the front, or
// doubles the buffer when that is all of it. It returns how far the kept
// bytes moved.
func (r *Reader) makeRoom() int {
	keep := r.r
	if r.inFrame {
		keep = r.start
	}
	if keep == 0 {
		r.buf = append(r.buf, make([]byte, len(r.buf))...)[:2*len(r.buf)]
		return 0
	}
	copy(r.buf, r.buf[keep:r.w])
	r.escFrom, r.escAt = 0, 0
	r.r -= keep
	r.w -= keep
	r.start -= keep
	return keep
}

// AppendUnescaped decodes ascp's value escapes: ESC n is LF, ESC r is CR and
// ESC ESC is ESC. Anything else after ESC is kept as it is.
func AppendUnescaped(dst, v []byte) []byte {
	for {
		i := bytes.IndexByte(v, esc)
		if i < 0 || i == len(v)-1 {
			return append(dst, v...)
		}
		dst = append(dst, v[:i]...)
		switch v[i+1] {
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case esc:
			dst = append(dst, esc)
		default:
			dst = append(dst, v[i], v[i+1])
		}
		v = v[i+2:]
	}
}

// AppendEscaped is the inverse of AppendUnescaped, so that any byte string
// can travel as a single value line.
func AppendEscaped(dst []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\n':
			dst = append(dst, esc, 'n')
		case '\r':
			dst = append(dst, esc, 'r')
		case esc:
			dst = append(dst, esc, esc)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// AppendFrame appends one encoded frame. pairs alternates field names and
// values; the frame type is written first as the Type field.
func AppendFrame(dst []byte, frameType string, pairs ...string) []byte {
	if len(pairs)%2 != 0 {
		panic(fmt.Sprintf("ascp.AppendFrame: odd number of name/value strings (%d)", len(pairs)))
	}
	dst = append(dst, Header...)
	dst = append(dst, "\nType: "...)
	dst = AppendEscaped(dst, frameType)
	dst = append(dst, '\n')
	for i := 0; i < len(pairs); i += 2 {
		dst = append(dst, pairs[i]...)
		dst = append(dst, ": "...)
		dst = AppendEscaped(dst, pairs[i+1])
		dst = append(dst, '\n')
	}
	return append(dst, '\n')
}

// WriteFrame encodes one frame to w in a single Write call, so that frames
// from concurrent writers sharing a lock never interleave.
func WriteFrame(w io.Writer, frameType string, pairs ...string) error {
	_, err := w.Write(AppendFrame(nil, frameType, pairs...))
	return err
}
