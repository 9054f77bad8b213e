package events

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/faspkit/asession/ascp/mgmt"
)

// Transcoder is the relay's reader of frames: it returns each frame with
// its JSON line, the line FrameEncoder.AppendFrame makes, written in the
// same pass that splits the frame's lines. Two passes (Reader.Next, then
// the encoder) walked every byte twice and kept each field between them;
// the relay's time went mostly to that.
//
// The single pass takes a frame only when it has the shape of the last
// frame of its type: the same known fields in the same order (ascp's
// frames of a type always do), each on a line of its own, no escapes. Any
// other frame, or one not yet wholly received, is read by Reader.Next and
// encoded by the FrameEncoder, and teaches the shape of its type. Both
// ways give the same frame and the same line (a fuzz test holds them to
// it), so a peer that varies its frames only makes the relay slower.
//
// A Transcoder is not safe for concurrent use.
type Transcoder struct {
	r     *mgmt.Reader
	enc   *FrameEncoder
	extra []byte
	known mgmt.KnownLines
	frame mgmt.Frame
	line  []byte
	types [shapeSlots]shape

	onePassFrames int64 // frames read by the single pass, for tests
}

// shapeSlots is how many frame types have a shape at once: more than
// ascp's dozen, and a peer inventing types only overwrites slots.
const shapeSlots = 64

// maxShapeFields bounds a shape so that a peer's frames cannot grow the
// table beyond shapeSlots*maxShapeFields steps; ascp's have 30 at most.
const maxShapeFields = 64

// shape is what frames of one type looked like last time.
type shape struct {
	used  bool
	typ   []byte // the type, plain: as sent and as decoded
	head  []byte // `{"type":"STOP"`, then the extra members
	steps []shapeField
}

type shapeField struct {
	id   uint16
	info *fieldInfo
}

// NewTranscoder returns a Transcoder reading r; extra holds encoded JSON
// members placed after "type" in every line, as in AppendFrame.
func NewTranscoder(r *mgmt.Reader, extra []byte) *Transcoder {
	return &Transcoder{r: r, enc: NewFrameEncoder(), extra: extra, known: mgmt.NewKnownLines()}
}

// Next returns the next frame and its JSON line, newline included. Both
// are valid until the next call; errors are Reader.Next's.
func (t *Transcoder) Next() (*mgmt.Frame, []byte, error) {
	if n := t.onePass(t.r.Pending()); n > 0 {
		t.r.ConsumeFrame(n)
		t.onePassFrames++
		return &t.frame, t.line, nil
	}
	f, err := t.r.Next()
	if err != nil {
		return nil, nil, err
	}
	t.learn(f)
	return f, t.Encode(f), nil
}

// Encode returns f's JSON line, newline included, valid until the next
// call to Next or Encode: for a frame its caller changed (the relay's
// redaction) after Next made its line.
func (t *Transcoder) Encode(f *mgmt.Frame) []byte {
	t.line = append(t.enc.AppendFrame(t.line[:0], f, t.extra), '\n')
	return t.line
}

const frameStart = mgmt.Header + "\nType: "

// onePass reads the frame at the start of buf, which must have its type's
// shape, into t.frame and t.line, and returns its length; 0 leaves it to
// Reader.Next.
func (t *Transcoder) onePass(buf []byte) int {
	if len(buf) < len(frameStart) || string(buf[:len(frameStart)]) != frameStart {
		return 0
	}
	pos := len(frameStart)
	sh := t.shapeAt(buf[pos:])
	if sh == nil || len(sh.steps) >= t.r.MaxFields {
		return 0
	}
	maxLine := t.r.MaxLine
	if maxLine < len(mgmt.Header) {
		return 0
	}
	typeEnd := pos + len(sh.typ)
	if typeEnd-(len(mgmt.Header)+1) > maxLine {
		return 0
	}
	f := &t.frame
	f.Reset()
	nameAt := len(mgmt.Header) + 1
	f.AddKnown(typeID, buf[nameAt:nameAt+4:nameAt+4], buf[pos:typeEnd:typeEnd])
	dst := append(t.line[:0], sh.head...)
	pos = typeEnd + 1
	for i := range sh.steps {
		st := &sh.steps[i]
		vs := t.known.ValueStart(buf[pos:], st.id)
		if vs == 0 {
			return 0
		}
		vs += pos
		var le int
		dst, le = appendMember(dst, buf, vs, st.info)
		if le < 0 || le-pos > maxLine {
			return 0
		}
		f.AddKnown(st.id, buf[pos:vs-2:vs-2], buf[vs:le:le])
		pos = le + 1
	}
	if pos >= len(buf) || buf[pos] != '\n' {
		return 0
	}
	f.Raw = buf[nameAt:pos:pos]
	t.line = append(dst, '}', '\n')
	return pos + 1
}

// appendMember appends the member for the value starting at buf[vs], and
// returns where the value's line ends (its LF); -1 when the line is not
// complete or not one the single pass can take (an escape, a CR before
// the LF).
func appendMember(dst, buf []byte, vs int, fi *fieldInfo) ([]byte, int) {
	switch fi.kind {
	case kindInteger:
		i := vs
		for i < len(buf) && buf[i]-'0' <= 9 {
			i++
		}
		if n := i - vs; i < len(buf) && buf[i] == '\n' && n > 0 && n <= 18 && (buf[vs] != '0' || n == 1) {
			dst = append(dst, fi.prefix...)
			return append(dst, buf[vs:i]...), i
		}
	case kindYesNo:
		switch {
		case len(buf)-vs >= 4 && string(buf[vs:vs+4]) == "Yes\n":
			dst = append(dst, fi.prefix...)
			return append(dst, "true"...), vs + 3
		case len(buf)-vs >= 3 && string(buf[vs:vs+3]) == "No\n":
			dst = append(dst, fi.prefix...)
			return append(dst, "false"...), vs + 2
		}
	default:
		if fi.memo && len(fi.memoJSON) > 0 {
			if e := vs + len(fi.memoRaw); e < len(buf) && buf[e] == '\n' && string(buf[vs:e]) == string(fi.memoRaw) {
				fi.misses = 0
				return append(dst, fi.memoJSON...), e
			}
		}
		if i := plainEnd(buf, vs); i < len(buf) && buf[i] == '\n' {
			if fi.memo {
				return fi.appendMemo(dst, buf[vs:i]), i
			}
			dst = append(dst, fi.prefix...)
			dst = append(dst, '"')
			dst = append(dst, buf[vs:i]...)
			return append(dst, '"'), i
		}
	}
	i := bytes.IndexByte(buf[vs:], '\n')
	if i < 0 {
		return dst, -1
	}
	v := buf[vs : vs+i]
	if i > 0 && v[i-1] == '\r' || bytes.IndexByte(v, 0x1b) >= 0 {
		return dst, -1
	}
	if fi.memo {
		return fi.appendMemo(dst, v), vs + i
	}
	dst = append(dst, fi.prefix...)
	return appendValue(dst, fi.kind, v), vs + i
}

// plainEnd returns the index of the first byte from b[i] on that
// AppendString would not copy as it is (a control character such as the
// line's LF, a quote, a backslash, a byte of a multi-byte sequence).
func plainEnd(b []byte, i int) int {
	for i+8 <= len(b) {
		if m := escapeMask(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	for i < len(b) && b[i] >= 0x20 && b[i] < 0x80 && b[i] != '"' && b[i] != '\\' {
		i++
	}
	return i
}

// shapeSlot picks a type's slot from its length and two of its bytes, as
// mgmt's chains do: IBM's types do not collide, and a collision only
// costs relearning.
func shapeSlot(typ []byte) int {
	n := len(typ)
	if n < 2 {
		return n
	}
	return (n*8 + int(typ[1]) + int(typ[n-1])*28) % shapeSlots
}

// shapeAt returns the shape of the type whose value line begins b, nil
// when there is none.
func (t *Transcoder) shapeAt(b []byte) *shape {
	n := plainEnd(b, 0)
	if n >= len(b) || b[n] != '\n' {
		return nil
	}
	sh := &t.types[shapeSlot(b[:n])]
	if !sh.used || string(sh.typ) != string(b[:n]) {
		return nil
	}
	return sh
}

// learn records the shape of f, a frame Reader.Next read, when the single
// pass could take frames like it: its type first and plain, then known
// names only.
func (t *Transcoder) learn(f *mgmt.Frame) {
	ids := f.IDs()
	if len(ids) == 0 || ids[0] != typeID || len(ids) > maxShapeFields+1 {
		return
	}
	typ := f.Fields[0].Value
	if plainEnd(typ, 0) != len(typ) {
		return
	}
	for _, id := range ids[1:] {
		if id == 0 || id == typeID || t.enc.knownInfo(id).reserved {
			return
		}
	}
	sh := &t.types[shapeSlot(typ)]
	if sh.used && string(sh.typ) == string(typ) && len(sh.steps) == len(ids)-1 {
		same := true
		for i, st := range sh.steps {
			same = same && st.id == ids[i+1]
		}
		if same {
			return
		}
	}
	sh.used = true
	sh.typ = append(sh.typ[:0], typ...)
	sh.head = append(sh.head[:0], `{"type":`...)
	sh.head = AppendStringBytes(sh.head, typ)
	if len(t.extra) > 0 {
		sh.head = append(append(sh.head, ','), t.extra...)
	}
	sh.steps = sh.steps[:0]
	for _, id := range ids[1:] {
		sh.steps = append(sh.steps, shapeField{id: id, info: t.enc.knownInfo(id)})
	}
}
