package framejson

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"

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
// Most lines of a frame repeat the last frame of its type word for word
// (the session's id, user string, cookie and tags; sizes and offsets of
// files alike): the shape keeps each field's last line and member, and
// the lines that repeated last time as one run, checked with one compare
// and written with one copy.
//
// A Transcoder is not safe for concurrent use.
type Transcoder struct {
	r     *mgmt.Reader
	enc   *FrameEncoder
	extra []byte
	types [shapeSlots]shape

	onePassFrames int64 // frames read by the single pass, for tests
}

// shapeSlots is how many frame types have a shape at once: more than
// ascp's dozen, and a peer inventing types only overwrites slots.
const shapeSlots = mgmt.TypeSlots

// maxShapeFields bounds a shape so that a peer's frames cannot grow the
// table beyond shapeSlots*maxShapeFields fields; ascp's have 30 at most.
const maxShapeFields = 64

// maxRepeatLine bounds the lines a shape keeps, and twice that their
// members, so that what a Transcoder keeps stays under
// shapeSlots*maxShapeFields*maxRepeatLine*6 bytes (3 MiB; 20 KiB for
// ascp's frames) whatever a peer sends: each line and member once, and
// once more in its run.
const maxRepeatLine = 256

// Scores of a field's repeats: a line that changes keeps being compared
// only while it repeats more often than it changes, four to one. Every
// relearnEvery frames of its type each field is given another chance.
const (
	repeatHit    = 1
	repeatMiss   = 4
	repeatMax    = 16
	relearnEvery = 256
)

// shape is what frames of one type looked like last time.
type shape struct {
	frame   mgmt.Frame // the frames of the single pass: names stay, values change
	used    bool
	typ     []byte // the type, plain: as sent and as decoded
	head    []byte // `{"type":"STOP"`, then the extra members
	fields  []shapeField
	dirty   bool // a field's repeat changed: runs are to be made again
	changed bool // the frame's user changed its values (see Changed)
	frames  int  // frames read since fields were last given a chance
}

// shapeField is one field of a shape.
type shapeField struct {
	id   uint16
	info *fieldInfo
	sep  string // the name and ": "
	name []byte // the name, for the shape's frame
	// The first sixteen bytes of sep and their masks, as little-endian
	// words: a line is checked with two loads and compares.
	w0, w1, m0, m1 uint64

	repeat bool   // line and member hold the last ones
	score  int8   // see repeatHit
	line   []byte // the last line, LF included
	member []byte // its member, `,"key":value`

	// run > 0: this field starts a run of that many repeating fields,
	// whose lines and members are runLines and runMembers, whose values
	// are at runValues in the lines, and whose longest line is
	// runLongest.
	run        int
	runLines   []byte
	runMembers []byte
	runValues  []valueSpan
	runLongest int
	pointed    bool // the frame's values of the run are at runLines
}

// valueSpan is where a value lies in a run's lines.
type valueSpan struct{ start, end int32 }

// NewTranscoder returns a Transcoder reading r; extra holds encoded JSON
// members placed after "type" in every line, as in AppendFrame.
func NewTranscoder(r *mgmt.Reader, extra []byte) *Transcoder {
	return &Transcoder{r: r, enc: NewFrameEncoder(), extra: extra}
}

// AppendNext reads the next frame and appends its JSON line, newline
// included, to dst. The frame is valid until the next call; errors are
// Reader.Next's, and leave dst as it was.
func (t *Transcoder) AppendNext(dst []byte) (*mgmt.Frame, []byte, error) {
	for {
		if out, n, f := t.onePass(dst, t.r.Pending()); n > 0 {
			t.r.ConsumeFrame(n)
			t.onePassFrames++
			return f, out, nil
		}
		// A frame cut by the end of what was read is read in one pass
		// too, once the rest has come: at every refill of the Reader's
		// buffer, Next and the encoder cost as much as a hundred frames.
		if !t.r.More() {
			break
		}
	}
	f, err := t.r.Next()
	if err != nil {
		return nil, dst, err
	}
	t.learn(f)
	return f, t.AppendFrame(dst, f), nil
}

// AppendFrame appends f's JSON line, newline included: for a frame its
// caller changed (the relay's redaction) after AppendNext made its line.
// It tells t of the change, as Changed does.
func (t *Transcoder) AppendFrame(dst []byte, f *mgmt.Frame) []byte {
	t.Changed(f)
	return append(t.enc.AppendFrame(dst, f, t.extra), '\n')
}

// Changed tells t that its caller changed the fields of f, a frame from
// AppendNext: the values that repeat are kept in a frame of each type
// between messages, and must be set again.
func (t *Transcoder) Changed(f *mgmt.Frame) {
	// By address: the change may be to the type itself.
	for i := range t.types {
		if sh := &t.types[i]; f == &sh.frame {
			sh.changed = true
			return
		}
	}
}

const frameStart = mgmt.Header + "\nType: "

// onePass reads the frame at the start of buf, which must have its type's
// shape, into the shape's frame, appends its line to out, and returns the
// frame's length; 0 leaves it to Reader.Next.
func (t *Transcoder) onePass(out, buf []byte) ([]byte, int, *mgmt.Frame) {
	if len(buf) < len(frameStart) || string(buf[:len(frameStart)]) != frameStart {
		return out, 0, nil
	}
	pos := len(frameStart)
	sh := t.shapeAt(buf[pos:])
	if sh == nil || len(sh.fields) >= t.r.MaxFields {
		return out, 0, nil
	}
	maxLine := t.r.MaxLine
	if maxLine < len(mgmt.Header) {
		return out, 0, nil
	}
	typeEnd := pos + len(sh.typ)
	if typeEnd-(len(mgmt.Header)+1) > maxLine {
		return out, 0, nil
	}
	if sh.frames++; sh.frames == relearnEvery {
		sh.retry()
	}
	if sh.dirty {
		sh.makeRuns()
	}
	if sh.changed {
		sh.changed = false
		for i := range sh.fields {
			sh.fields[i].pointed = false
		}
	}
	f := &sh.frame
	if len(f.IDs()) != len(sh.fields)+1 {
		sh.makeFrame() // a frame's user changed its fields
	}
	// Every value is pointed at the input again: the names stay, the
	// frame's user may have replaced a value (the relay's redaction).
	values := f.Fields[:len(sh.fields)+1]
	values[0].Value = buf[pos:typeEnd:typeEnd]
	nameAt := len(mgmt.Header) + 1
	dst := append(out, sh.head...)
	pos = typeEnd + 1
	fields := sh.fields
	for i := 0; i < len(fields); {
		sf := &fields[i]
		if n := sf.run; n > 0 && len(buf)-pos >= len(sf.runLines) && string(buf[pos:pos+len(sf.runLines)]) == string(sf.runLines) && sf.runLongest <= maxLine {
			dst = append(dst, sf.runMembers...)
			if !sf.pointed {
				// The run's values are its own copies of the lines,
				// the same bytes as the input's: pointed at once, they
				// stay for every frame the run repeats in.
				for k, v := range sf.runValues {
					values[i+1+k].Value = sf.runLines[v.start:v.end:v.end]
				}
				sf.pointed = true
			}
			pos += len(sf.runLines)
			i += n
			continue
		}
		if sf.run > 0 {
			sf.pointed = false
		}
		var le int
		if !sf.repeat && sf.matches(buf[pos:]) {
			// A field that changes from frame to frame: its member is
			// made from its line, with no call between (field's own
			// first steps are these).
			dst, le = appendMember(dst, buf, pos+len(sf.sep), sf.info)
		} else {
			dst, le = sh.field(sf, dst, buf, pos)
		}
		if le < 0 || le-pos > maxLine {
			return out, 0, nil
		}
		vs := pos + len(sf.sep)
		values[i+1].Value = buf[vs:le:le]
		pos = le + 1
		i++
	}
	if pos >= len(buf) || buf[pos] != '\n' {
		return out, 0, nil
	}
	f.Raw = buf[nameAt:pos:pos]
	return append(dst, '}', '\n'), pos + 1, f
}

// field appends the member of sf's line at buf[pos:] and returns where
// the line ends (its LF); -1 when the line is not sf's, not complete, or
// not one the single pass can take.
func (sh *shape) field(sf *shapeField, dst, buf []byte, pos int) ([]byte, int) {
	if sf.repeat && len(sf.line) > 0 {
		if e := pos + len(sf.line); e <= len(buf) && string(buf[pos:e]) == string(sf.line) {
			sf.score = min(sf.score+repeatHit, repeatMax)
			return append(dst, sf.member...), e - 1
		}
	}
	if !sf.matches(buf[pos:]) {
		return dst, -1
	}
	start := len(dst)
	dst, le := appendMember(dst, buf, pos+len(sf.sep), sf.info)
	if le < 0 || !sf.repeat {
		return dst, le
	}
	if len(sf.line) > 0 {
		sf.score -= repeatMiss
	}
	if sf.score < 0 || le+1-pos > maxRepeatLine || len(dst)-start > 2*maxRepeatLine {
		sf.repeat, sf.line, sf.member = false, sf.line[:0], sf.member[:0]
	} else {
		sf.line = append(sf.line[:0], buf[pos:le+1]...)
		sf.member = append(sf.member[:0], dst[start:]...)
	}
	sh.dirty = true
	return dst, le
}

// matches reports whether b begins with sf's name and ": ".
func (sf *shapeField) matches(b []byte) bool {
	if len(b) < 16 || len(sf.sep) > 16 {
		return len(b) >= len(sf.sep) && string(b[:len(sf.sep)]) == sf.sep
	}
	return binary.LittleEndian.Uint64(b)&sf.m0 == sf.w0 && binary.LittleEndian.Uint64(b[8:])&sf.m1 == sf.w1
}

// makeRuns groups the fields whose lines repeat into runs.
func (sh *shape) makeRuns() {
	sh.dirty = false
	fields := sh.fields
	for i := 0; i < len(fields); {
		sf := &fields[i]
		sf.run, sf.pointed = 0, false
		if !sf.repeat || len(sf.line) == 0 {
			i++
			continue
		}
		sf.runLines, sf.runMembers, sf.runValues, sf.runLongest = sf.runLines[:0], sf.runMembers[:0], sf.runValues[:0], 0
		j := i
		for ; j < len(fields) && fields[j].repeat && len(fields[j].line) > 0; j++ {
			rf := &fields[j]
			at := len(sf.runLines)
			sf.runValues = append(sf.runValues, valueSpan{int32(at + len(rf.sep)), int32(at + len(rf.line) - 1)})
			sf.runLines = append(sf.runLines, rf.line...)
			sf.runMembers = append(sf.runMembers, rf.member...)
			sf.runLongest = max(sf.runLongest, len(rf.line)-1)
			if j > i {
				rf.run = 0
			}
		}
		sf.run = j - i
		i = j
	}
}

// retry gives every field's line another chance to repeat.
func (sh *shape) retry() {
	sh.frames = 0
	for i := range sh.fields {
		if sf := &sh.fields[i]; !sf.repeat {
			sf.repeat, sf.score = true, 0
		}
	}
	sh.dirty = true
}

// appendMember appends the member for the value starting at buf[vs], and
// returns where the value's line ends (its LF); -1 when the line is not
// complete or not one the single pass can take (an escape, a CR before
// the LF).
func appendMember(dst, buf []byte, vs int, fi *fieldInfo) ([]byte, int) {
	switch fi.kind {
	case mgmt.Integer:
		i := digitsEnd(buf, vs)
		if n := i - vs; i < len(buf) && buf[i] == '\n' && n > 0 && n <= 18 && (buf[vs] != '0' || n == 1) {
			dst = append(dst, fi.prefix...)
			return append(dst, buf[vs:i]...), i
		}
	case mgmt.YesNo:
		switch {
		case len(buf)-vs >= 4 && string(buf[vs:vs+4]) == "Yes\n":
			dst = append(dst, fi.prefix...)
			return append(dst, "true"...), vs + 3
		case len(buf)-vs >= 3 && string(buf[vs:vs+3]) == "No\n":
			dst = append(dst, fi.prefix...)
			return append(dst, "false"...), vs + 2
		}
	default:
		// A value may repeat across types too (a file's name in its
		// START, STATS and STOP): the name's own memo, as the encoder's.
		if fi.memo && len(fi.memoJSON) > 0 {
			if e := vs + len(fi.memoRaw); e < len(buf) && buf[e] == '\n' && string(buf[vs:e]) == string(fi.memoRaw) {
				fi.misses = 0
				return append(dst, fi.memoJSON...), e
			}
		}
		// Past the memo's check: a value here is not the memo's.
		if i := plainEnd(buf, vs); i < len(buf) && buf[i] == '\n' {
			if fi.memo {
				return fi.appendNew(dst, buf[vs:i], true), i
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
		return fi.appendNew(dst, v, false), vs + i
	}
	dst = append(dst, fi.prefix...)
	return appendValue(dst, fi.kind, v), vs + i
}

// digitsEnd returns the index of the first byte from b[i] on that is
// not a decimal digit, eight bytes at a time: sizes and offsets are most
// of a frame's values.
func digitsEnd(b []byte, i int) int {
	for i+8 <= len(b) {
		// Digits become 0 to 9; adding 0x76 sets the top bit of any
		// byte above 9, and a carry out of such a byte only marks bytes
		// above it.
		x := binary.LittleEndian.Uint64(b[i:]) ^ lsb*'0'
		if m := (x + lsb*0x76 | x) & msb; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	for i < len(b) && b[i]-'0' <= 9 {
		i++
	}
	return i
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

// shapeAt returns the shape of the type whose value line begins b, nil
// when there is none.
func (t *Transcoder) shapeAt(b []byte) *shape {
	// The line ends within eight bytes for all IBM's types but one: find
	// its LF in a word (a shape's type is plain, so the compare below
	// checks the rest).
	n := -1
	if len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b) ^ lsb*'\n'
		if m := (x - lsb) &^ x & msb; m != 0 {
			n = bits.TrailingZeros64(m) / 8
		}
	}
	if n < 0 {
		n = bytes.IndexByte(b, '\n')
		if n < 0 {
			return nil
		}
	}
	sh := &t.types[mgmt.TypeSlot(b[:n])]
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
	for i, id := range ids[1:] {
		if id == 0 || id == typeID || t.enc.knownInfo(id).reserved || slices.Contains(ids[1:i+1], id) {
			// The single pass writes every field of its shape: a field
			// given twice (AppendFrame keeps the first) is not a shape.
			return
		}
	}
	sh := &t.types[mgmt.TypeSlot(typ)]
	if sh.used && string(sh.typ) == string(typ) && len(sh.fields) == len(ids)-1 {
		same := true
		for i, sf := range sh.fields {
			same = same && sf.id == ids[i+1]
		}
		if same {
			return
		}
	}
	sh.used, sh.dirty, sh.frames = true, true, 0
	sh.typ = append(sh.typ[:0], typ...)
	sh.head = append(sh.head[:0], `{"type":`...)
	sh.head = AppendStringBytes(sh.head, typ)
	if len(t.extra) > 0 {
		sh.head = append(append(sh.head, ','), t.extra...)
	}
	sh.fields = sh.fields[:0]
	for _, id := range ids[1:] {
		sh.fields = append(sh.fields, newShapeField(id, t.enc.knownInfo(id)))
	}
	sh.makeFrame()
}

// makeFrame makes the shape's frame: its fields' names, and their values
// left for the single pass to point at each message's.
func (sh *shape) makeFrame() {
	f := &sh.frame
	f.Reset()
	f.AddKnown(typeID, typeName, nil)
	for i := range sh.fields {
		sf := &sh.fields[i]
		f.AddKnown(sf.id, sf.name, nil)
	}
	f.MakeIndex()
}

var typeName = slices.Clip([]byte(mgmt.NameType.String()))

func newShapeField(id uint16, info *fieldInfo) shapeField {
	name := mgmt.KnownFields[id-1].Name
	sf := shapeField{id: id, info: info, sep: name + ": ", name: []byte(name)[:len(name):len(name)], repeat: true}
	var b, m [16]byte
	copy(b[:], sf.sep)
	for k := 0; k < len(sf.sep) && k < 16; k++ {
		m[k] = 0xff
	}
	sf.w0, sf.w1 = binary.LittleEndian.Uint64(b[:]), binary.LittleEndian.Uint64(b[8:])
	sf.m0, sf.m1 = binary.LittleEndian.Uint64(m[:]), binary.LittleEndian.Uint64(m[8:])
	return sf
}
