package mgmt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unsafe"
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

// Field is one `Name: value` line of a frame. A Reader decodes ascp's
// escapes in the values of the fields KnownFields marks Escaped, and
// leaves every other value as received. Both slices are only valid until
// the next call to Reader.Next.
type Field struct {
	Name  []byte
	Value []byte
}

// Frame is one management message. It is reused by the Reader: copy what you
// need before calling Next again.
type Frame struct {
	Fields []Field
	// Raw is the span of the frame's field lines in the Reader's buffer,
	// the escapes of Escaped fields decoded in place: every value's bytes
	// are in it at the value's place (a value is a slice of Raw, or of a
	// copy of the same line kept by a reader of whole frames,
	// framejson.Transcoder), so a string not in Raw is in no value, which
	// spares a search of each field (the relay's redaction). It holds
	// what ascp sent, secrets included: it is for searching, never for
	// output. Nil when the frame was not read by a Reader.
	Raw []byte

	ids   []uint16 // NameID of each field's name, set by a Reader; see Lookup
	index []uint8  // by id, the position+1 of its first field; see MakeIndex
}

var typeID = NameType.ID()

// Type returns the value of the Type field, or nil when the frame has none.
func (f *Frame) Type() []byte {
	v, _ := f.Lookup(NameType)
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

// ReaderStats counts what a Reader had to throw away; a healthy ascp stream
// leaves them all at zero.
type ReaderStats struct {
	Frames          int64 // frames returned
	DiscardedFrames int64 // unfinished frames dropped because a new header began
	StrayLines      int64 // non-empty lines seen outside any frame
	MalformedLines  int64 // lines inside a frame with no name and colon
}

// readerBufSize is the Reader's initial buffer: many frames per read from
// a busy connection.
const readerBufSize = 64 << 10

// Reader decodes management frames from a byte stream. It allocates only
// while its buffers grow to the size of the largest frame seen.
//
// It reads into its own buffer and decodes frames in place: a field's Name
// and Value are slices of that buffer (escapes are decoded where they are,
// as decoding only shrinks a value). The buffer is only compacted or grown
// when a line does not fit, keeping the unfinished frame, whose fields are
// then moved along with it.
type Reader struct {
	MaxLine   int
	MaxFields int
	Stats     ReaderStats

	rd      io.Reader
	buf     []byte
	r, w    int   // buf[r:w] is received and not yet decoded
	scanned int   // no LF in buf[r:scanned]
	err     error // the read error to report once buf[r:w] holds no line
	frame   Frame
	inFrame bool
	start   int // where the current frame's first field line is in buf

	escFrom, escAt int // no ESC in buf[escFrom:escAt]; see hasEscape
	noEnd          int // no frame's end in buf[r:noEnd]; see More

	// chains[chain+id] is the id of the field that followed the field with
	// that id (0: the frame's start) last time in a frame of the current
	// frame's type (chain: see chainOf); prevID is the current frame's
	// last field's. See guessField.
	chains []uint16
	chain  int
	prevID uint16
	seps   []sepWord // known().seps
}

// NewReader returns a Reader with the default limits.
func NewReader(r io.Reader) *Reader {
	return &Reader{
		MaxLine:   DefaultMaxLine,
		MaxFields: DefaultMaxFields,
		rd:        r,
		buf:       make([]byte, readerBufSize),
		chains:    make([]uint16, (typeChains+1)*(len(KnownFields)+1)),
		seps:      known().seps,
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
		// Decode the complete lines already received.
		buf := r.buf[:r.w]
		pos := r.r
		from := max(pos, r.scanned)
		for {
			i := bytes.IndexByte(buf[from:], '\n')
			if i < 0 {
				break
			}
			ls, le := pos, from+i
			pos, from = le+1, le+1
			if le > ls && buf[le-1] == '\r' {
				le--
			}
			if le-ls > r.MaxLine {
				r.r = pos
				return nil, ErrLineTooLong
			}
			switch {
			case le-ls == len(Header) && string(buf[ls:le]) == Header:
				if r.inFrame {
					r.Stats.DiscardedFrames++
				}
				r.inFrame = true
				r.start = pos
				r.frame.Fields = r.frame.Fields[:0]
				r.frame.ids = r.frame.ids[:0]
				r.frame.index = nil
				r.chain, r.prevID = 0, 0
			case !r.inFrame:
				if le > ls {
					r.Stats.StrayLines++
				}
			case le == ls:
				r.r = pos
				r.inFrame = false
				r.Stats.Frames++
				r.frame.Raw = buf[r.start:ls:ls]
				return &r.frame, nil
			default:
				if err := r.addField(ls, le); err != nil {
					r.r = pos
					r.inFrame = false
					return nil, err
				}
			}
		}
		r.r, r.scanned = pos, r.w
		if err := r.fill(); err != nil {
			if err == io.EOF && r.inFrame {
				r.inFrame = false
				return nil, ErrIncomplete
			}
			return nil, err
		}
	}
}

// addField adds the field on buf[ls:le], decoding its value's escapes in
// place.
func (r *Reader) addField(ls, le int) error {
	id, valueStart := r.guessField(ls, le)
	nameEnd := valueStart - 2
	if id == 0 {
		nameEnd, valueStart = splitField(r.buf[ls:le])
		if nameEnd <= 0 {
			r.Stats.MalformedLines++
			return nil
		}
		nameEnd += ls
		valueStart += ls
		id = NameID(r.buf[ls:nameEnd])
		r.chains[r.chain+int(r.prevID)] = id
	}
	r.prevID = id
	f := &r.frame
	n := len(f.Fields)
	if n >= r.MaxFields {
		return ErrTooManyFields
	}
	valueEnd := le
	if id != 0 && KnownFields[id-1].Escaped && r.hasEscape(valueStart, le) {
		valueEnd = valueStart + len(AppendUnescaped(r.buf[valueStart:valueStart], r.buf[valueStart:le]))
	}
	if n < cap(f.Fields) {
		f.Fields = f.Fields[:n+1]
	} else {
		f.Fields = append(f.Fields, Field{})
	}
	f.ids = append(f.ids, id)
	if id == typeID && r.chain == 0 {
		r.chain = chainOf(r.buf[valueStart:valueEnd])
	}
	// Member by member: building a Field and copying it costs a
	// store-forwarding stall. Each slice's capacity ends with it, so that a
	// caller appending to one cannot overwrite the next.
	fl := &f.Fields[n]
	fl.Name = r.buf[ls:nameEnd:nameEnd]
	fl.Value = r.buf[valueStart:valueEnd:valueEnd]
	return nil
}

// splitField splits a field line as IBM's newest parser does: the name
// ends at the first colon, and one space after it, when there is one,
// belongs to the syntax (`Name:  x` is " x", `Name:x` is "x", `Name:` is
// empty). nameEnd is -1 when there is no colon or no name before it.
// Names are short: a plain loop beats IndexByte.
func splitField(line []byte) (nameEnd, valueStart int) {
	for i := 0; i < len(line); i++ {
		if line[i] != ':' {
			continue
		}
		switch {
		case i == 0:
			return -1, len(line)
		case i+1 < len(line) && line[i+1] == ' ':
			return i, i + 2
		}
		return i, i + 1
	}
	return -1, len(line)
}

// hasEscape reports whether buf[from:to] holds an ESC. Escapes are rare, so
// one search usually clears the next few frames at once: buf[escFrom:escAt]
// is known to hold none, and escAt is the next ESC or the end of the data
// searched. The search stops after escWindow bytes: a reader that takes
// most frames itself (framejson.Transcoder) calls Next once a buffer, and a
// search to the buffer's end was then a third of Next.
func (r *Reader) hasEscape(from, to int) bool {
	if from >= r.escFrom && to <= r.escAt {
		return false
	}
	end := min(r.w, max(to, from+escWindow))
	r.escFrom, r.escAt = from, end
	if i := bytes.IndexByte(r.buf[from:end], esc); i >= 0 {
		r.escAt = from + i
	}
	return r.escAt < to
}

// escWindow is how far hasEscape searches past the value it is asked
// about: a few frames.
const escWindow = 4 << 10

// fill reads more into the buffer, making room first when it is full. It
// returns the read error once the buffer holds no complete line.
func (r *Reader) fill() error {
	if r.err != nil {
		return r.readError()
	}
	if n := r.w - r.r; n > r.MaxLine+1 && n >= readerBufSize {
		// Too long whatever comes next: do not read (and grow) on. (A
		// shorter cut line is left for the end of the stream to explain,
		// as a complete one is checked when its LF comes.)
		return ErrLineTooLong
	}
	if r.w == len(r.buf) {
		r.makeRoom()
	}
	n, err := r.rd.Read(r.buf[r.w:])
	for k := 0; n == 0 && err == nil; k++ {
		if k == 100 {
			// A reader that keeps returning nothing is broken; do not
			// spin on it for ever.
			err = io.ErrNoProgress
			break
		}
		n, err = r.rd.Read(r.buf[r.w:])
	}
	if n < 0 || n > len(r.buf)-r.w {
		panic("mgmt.Reader: invalid Read count")
	}
	r.w += n
	r.err = err
	return nil
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
	r.r, r.scanned = r.w, r.w
	return err
}

// makeRoom frees space at the end of a full buffer: it moves what must be
// kept (the unfinished frame, else the unfinished line) to the front, or
// doubles the buffer when that is all of it. The unfinished frame's fields
// are moved with their bytes.
func (r *Reader) makeRoom() {
	keep := r.r
	if r.inFrame {
		keep = r.start
	}
	old := r.buf
	if keep == 0 {
		r.buf = append(r.buf, make([]byte, len(r.buf))...)[:2*len(r.buf)]
	} else {
		copy(r.buf, r.buf[keep:r.w])
		r.escFrom, r.escAt = 0, 0
		r.r -= keep
		r.w -= keep
		r.scanned -= keep
		r.start -= keep
		r.noEnd -= keep
	}
	if r.inFrame {
		moveFields(r.frame.Fields, old, r.buf, keep)
	}
}

// moveFields points fields, slices of old, at the same bytes now shift
// bytes earlier in buf. Slicing buf keeps this bounds-checked.
func moveFields(fields []Field, old, buf []byte, shift int) {
	base := uintptr(unsafe.Pointer(unsafe.SliceData(old)))
	at := func(b []byte) int {
		return int(uintptr(unsafe.Pointer(unsafe.SliceData(b)))-base) - shift
	}
	for i := range fields {
		fl := &fields[i]
		n := at(fl.Name) // names are never empty
		fl.Name = buf[n : n+len(fl.Name) : n+len(fl.Name)]
		if len(fl.Value) > 0 {
			v := at(fl.Value)
			fl.Value = buf[v : v+len(fl.Value) : v+len(fl.Value)]
		} else {
			fl.Value = buf[:0:0]
		}
	}
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
func AppendEscaped(dst []byte, v string) []byte { return appendEscapes(dst, v, true) }

// appendEscapes appends v with its CR and LF escaped, and its ESC too when
// escESC (a value of a field that is not Escaped keeps ESC as it is).
func appendEscapes(dst []byte, v string, escESC bool) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\n':
			dst = append(dst, esc, 'n')
		case c == '\r':
			dst = append(dst, esc, 'r')
		case c == esc && escESC:
			dst = append(dst, esc, esc)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// AppendFrame appends one encoded frame. pairs alternates field names and
// values; the frame type is written first as the Type field. The values
// of Escaped fields are escaped (AppendEscaped); any other value is
// written as it is but for its line breaks, which are written as their
// escapes so that no value can end its line and forge the next: a Reader
// gives such a value back byte for byte unless it held a line break
// (callers that must not send one, commands, refuse it first, as IBM's
// client does).
func AppendFrame(dst []byte, frameType string, pairs ...string) []byte {
	if len(pairs)%2 != 0 {
		panic(fmt.Sprintf("mgmt.AppendFrame: odd number of name/value strings (%d)", len(pairs)))
	}
	dst = append(dst, Header...)
	dst = append(dst, "\nType: "...)
	dst = appendEscapes(dst, frameType, false)
	dst = append(dst, '\n')
	for i := 0; i < len(pairs); i += 2 {
		dst = append(dst, pairs[i]...)
		dst = append(dst, ": "...)
		f := Known([]byte(pairs[i]))
		dst = appendEscapes(dst, pairs[i+1], f != nil && f.Escaped)
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
