package ascp

import (
	"bufio"
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

	buf  []byte
	offs []fieldOffsets
}

type fieldOffsets struct{ nameStart, nameEnd, valueEnd int }

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
	f.buf = f.buf[:0]
	f.offs = f.offs[:0]
	f.Fields = f.Fields[:0]
}

// seal turns the offsets into slices once the buffer can no longer move.
func (f *Frame) seal() {
	for _, o := range f.offs {
		f.Fields = append(f.Fields, Field{
			Name:  f.buf[o.nameStart:o.nameEnd:o.nameEnd],
			Value: f.buf[o.nameEnd:o.valueEnd:o.valueEnd],
		})
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

// Reader decodes management frames from a byte stream. It allocates only
// while its buffers grow to the size of the largest frame seen.
type Reader struct {
	MaxLine   int
	MaxFields int
	Stats     ReaderStats

	br      *bufio.Reader
	long    []byte // assembles lines longer than the bufio buffer
	frame   Frame
	inFrame bool
}

// NewReader returns a Reader with the default limits.
func NewReader(r io.Reader) *Reader {
	return &Reader{
		MaxLine:   DefaultMaxLine,
		MaxFields: DefaultMaxFields,
		br:        bufio.NewReaderSize(r, 64<<10),
	}
}

// Buffered reports how many received bytes are waiting to be decoded; zero
// means the peer has gone quiet, the moment to flush output.
func (r *Reader) Buffered() int { return r.br.Buffered() }

// Next returns the next complete frame. At a clean end of stream it returns
// io.EOF; when the stream ends inside a frame it returns ErrIncomplete.
// ErrLineTooLong and ErrTooManyFields are fatal: the stream cannot be
// resynchronised reliably after them.
func (r *Reader) Next() (*Frame, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			if err == io.EOF && r.inFrame {
				r.inFrame = false
				return nil, ErrIncomplete
			}
			return nil, err
		}
		if string(line) == Header {
			if r.inFrame {
				r.Stats.DiscardedFrames++
			}
			r.inFrame = true
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
			r.frame.seal()
			r.Stats.Frames++
			return &r.frame, nil
		}
		if err := r.addField(line); err != nil {
			r.inFrame = false
			return nil, err
		}
	}
}

func (r *Reader) addField(line []byte) error {
	var name, value []byte
	if i := bytes.Index(line, []byte(": ")); i >= 0 {
		name, value = line[:i], line[i+2:]
	} else if line[len(line)-1] == ':' {
		name = line[:len(line)-1]
	}
	if len(name) == 0 {
		r.Stats.MalformedLines++
		return nil
	}
	if len(r.frame.offs) >= r.MaxFields {
		return ErrTooManyFields
	}
	f := &r.frame
	start := len(f.buf)
	f.buf = append(f.buf, name...)
	nameEnd := len(f.buf)
	f.buf = AppendUnescaped(f.buf, value)
	f.offs = append(f.offs, fieldOffsets{start, nameEnd, len(f.buf)})
	return nil
}

// readLine returns one line without its LF (and without a CR before it).
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(r.long) > r.MaxLine {
				return nil, ErrLineTooLong
			}
			line, err = r.br.ReadSlice('\n')
			r.long = append(r.long, line...)
		}
		line = r.long
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			// A last line without LF was cut by the close: it is never
			// complete, and a cut header means a cut frame.
			if bytes.HasPrefix([]byte(Header), line) || bytes.HasPrefix(line, []byte(Header)) {
				r.inFrame = true
			} else if !r.inFrame {
				r.Stats.StrayLines++
			}
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) > r.MaxLine {
		return nil, ErrLineTooLong
	}
	return line, nil
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
