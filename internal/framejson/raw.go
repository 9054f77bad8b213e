package framejson

import (
	"math/bits"
	"math/rand/v2"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/faspkit/asession/ascp/mgmt"
)

// kindOf is how the table types a field name; any other name is text.
// It runs once per field name the encoder meets: the kind is kept in the
// name's fieldInfo.
func kindOf(name string) mgmt.Kind {
	if f := mgmt.Known([]byte(name)); f != nil {
		return f.Kind
	}
	return mgmt.Text
}

// historicalKeys are field names that ascp spells as one word although they
// are two; everyone's JSON splits them.
var historicalKeys = map[string]string{"Bytescont": "bytes_cont", "Elapsedusec": "elapsed_usec"}

// SnakeCase converts an ascp field name to the JSON key asession uses: a new
// word starts at each capital that follows a lower-case letter or digit, or
// that begins a capitalised word after a run of capitals, so TCPPort becomes
// tcp_port and FaspFileID becomes fasp_file_id.
func SnakeCase(name string) string {
	if key, ok := historicalKeys[name]; ok {
		return key
	}
	out := make([]byte, 0, len(name)+4)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isUpper(c) {
			if i > 0 {
				prev := name[i-1]
				nextLower := i+1 < len(name) && isLower(name[i+1])
				if isLower(prev) || isDigit(prev) || (isUpper(prev) && nextLower) {
					out = append(out, '_')
				}
			}
			out = append(out, c+'a'-'A')
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// fieldInfo is what the encoder remembers about a field name it has seen: the
// ready-to-copy `,"key":` prefix and how to type its value.
type fieldInfo struct {
	name     string
	prefix   []byte
	kind     mgmt.Kind
	reserved bool // its key is one of asession's own: the field is dropped
	key      string
	// stamp is the number of the last frame whose line got this key,
	// shared by every name with the key (BytesCont, Bytescont): a second
	// field with a key already written is dropped. nil for a name not
	// kept (see FrameEncoder.lineKeys).
	stamp *uint32
	index uint16 // index+1 in FrameEncoder.infos; 0 when not cached
	next  uint16 // index+1 of the field that followed this one last time

	// A string field may repeat its value in every frame (SessionId,
	// UserStr, Cookie, Tags): its last value and member are kept, until it
	// has changed memoMisses times in a row.
	memo     bool
	misses   uint8
	memoRaw  []byte // the value: in memoJSON when it was plain, else memoBuf
	memoJSON []byte
	memoBuf  []byte
}

const (
	memoMaxLen = 256
	memoMisses = 4
)

// appendMemo appends the member, prefix and value: the memo holds both,
// so that a repeated value costs one copy.
func (fi *fieldInfo) appendMemo(dst, v []byte) []byte {
	return fi.appendMemoed(dst, v, false)
}

// appendMemoed is appendMemo for a value its caller may have found plain
// (see plainEnd): its JSON is then the value in quotes, not scanned again.
func (fi *fieldInfo) appendMemoed(dst, v []byte, plain bool) []byte {
	if len(fi.memoJSON) > 0 && string(v) == string(fi.memoRaw) {
		fi.misses = 0
		return append(dst, fi.memoJSON...)
	}
	return fi.appendNew(dst, v, plain)
}

// appendNew is appendMemoed for a value its caller knows is not the
// memo's: a new file's name is not compared twice.
func (fi *fieldInfo) appendNew(dst, v []byte, plain bool) []byte {
	start := len(dst)
	dst = append(dst, fi.prefix...)
	if plain {
		dst = append(dst, '"')
		dst = append(dst, v...)
		dst = append(dst, '"')
	} else {
		dst = AppendStringBytes(dst, v)
	}
	return fi.remember(dst, start, v, plain)
}

// remember keeps v and its member, dst[start:], unless v keeps changing.
// A plain value is its member's text between the quotes: kept once.
func (fi *fieldInfo) remember(dst []byte, start int, v []byte, plain bool) []byte {
	if fi.misses++; fi.misses >= memoMisses || len(v) > memoMaxLen {
		fi.memo, fi.memoRaw, fi.memoJSON, fi.memoBuf = false, nil, nil, nil
		return dst
	}
	fi.memoJSON = append(fi.memoJSON[:0], dst[start:]...)
	if plain {
		fi.memoRaw = fi.memoJSON[len(fi.memoJSON)-1-len(v) : len(fi.memoJSON)-1]
	} else {
		fi.memoBuf = append(fi.memoBuf[:0], v...)
		fi.memoRaw = fi.memoBuf
	}
	return dst
}

// maxCachedNames bounds the key cache so that a peer inventing field names
// cannot grow it without limit; names beyond it are converted every time.
const maxCachedNames = 1024

// maxCachedNameLen keeps long names out of the cache: ascp's are short, and
// a thousand invented megabyte-long ones would otherwise stay for good.
const maxCachedNameLen = 256

// FrameEncoder turns management frames into JSON lines. It caches the JSON
// key of every field name it has seen, so steady-state encoding does not
// allocate. A FrameEncoder is not safe for concurrent use.
//
// The cache is an open-addressed table rather than a map: a frame has a
// dozen fields, and a map lookup per field (hashing the name with the
// general-purpose hash) was a fifth of the relay's time.
type FrameEncoder struct {
	known []fieldInfo // by mgmt.NameID: the names IBM's client knows
	slots []uint16    // index+1 into infos, 0 when free; len is a power of two
	infos []fieldInfo
	seed  uint64
	first uint16 // index+1 of the field that came first (after Type) last time

	// A JSON line has each key once: a frame that repeats a field, or
	// names two fields alike (a hostile ascp), gets its first one, the
	// value Frame.Lookup gives and the relay reads. frameNo numbers the
	// lines; stamps holds the stamp of each key of a known or cached name,
	// lineKeys the keys of the other names, of the current line only.
	frameNo  uint32
	stamps   map[string]*uint32
	lineKeys map[string]uint32
}

// NewFrameEncoder returns an encoder with an empty key cache.
func NewFrameEncoder() *FrameEncoder {
	return &FrameEncoder{
		slots: make([]uint16, 2*maxCachedNames), // at most half full
		infos: make([]fieldInfo, 0, 64),
		seed:  rand.Uint64() | 1,
	}
}

func (e *FrameEncoder) info(name []byte) *fieldInfo {
	mask := uint64(len(e.slots) - 1)
	for h := mgmt.HashName(name, e.seed) & mask; ; h = (h + 1) & mask {
		k := e.slots[h]
		if k == 0 {
			fi := newFieldInfo(string(name))
			if len(e.infos) >= maxCachedNames || len(name) > maxCachedNameLen {
				fi.stamp = e.stamps[fi.key] // a known or cached name's, if any
				return &fi
			}
			fi.stamp = e.stampOf(fi.key)
			fi.index = uint16(len(e.infos) + 1)
			fi.memo = fi.kind == mgmt.Text
			e.infos = append(e.infos, fi)
			e.slots[h] = fi.index
			return &e.infos[len(e.infos)-1]
		}
		if fi := &e.infos[k-1]; fi.name == string(name) {
			return fi
		}
	}
}

func newFieldInfo(name string) fieldInfo {
	key := SnakeCase(name)
	prefix := AppendString([]byte{','}, key)
	return fieldInfo{name: name, key: readKey(key), prefix: append(prefix, ':'), kind: kindOf(name), reserved: reservedKeys[key]}
}

// readKey is key as a JSON reader gets it from AppendString's text: each
// byte that is not UTF-8 is U+FFFD there, so "\xff" and "\xfe" are the
// same key.
func readKey(key string) string {
	if utf8.ValidString(key) {
		return key
	}
	var b strings.Builder
	for i := 0; i < len(key); {
		r, size := utf8.DecodeRuneInString(key[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(key[i : i+size])
		}
		i += size
	}
	return b.String()
}

// stampOf returns the stamp shared by the names with this key, made the
// first time; only known and cached names get one, so the map stays
// within their number.
func (e *FrameEncoder) stampOf(key string) *uint32 {
	if s, ok := e.stamps[key]; ok {
		return s
	}
	if e.stamps == nil {
		e.stamps = map[string]*uint32{}
	}
	s := new(uint32)
	e.stamps[key] = s
	return s
}

// newLine starts a line's stamps.
func (e *FrameEncoder) newLine() {
	if e.frameNo++; e.frameNo == 0 {
		// After 2^32 lines a stamp could read as this line's.
		for _, s := range e.stamps {
			*s = 0
		}
		e.frameNo = 1
	}
	if len(e.lineKeys) > 0 {
		// Those names are not kept, nor their keys: a peer inventing
		// long names must not leave them in memory.
		clear(e.lineKeys)
	}
}

// repeated reports whether the line already has fi's key, and notes that
// it has it now.
func (e *FrameEncoder) repeated(fi *fieldInfo) bool {
	if s := fi.stamp; s != nil {
		if *s == e.frameNo {
			return true
		}
		*s = e.frameNo
		return false
	}
	if e.lineKeys[fi.key] == e.frameNo {
		return true
	}
	if e.lineKeys == nil {
		e.lineKeys = map[string]uint32{}
	}
	e.lineKeys[fi.key] = e.frameNo
	return false
}

// knownInfo returns the fieldInfo of the known name with this id,
// made the first time the name is met: each encoder keeps its own (the
// memo of values is its own), found by the id the Reader gave, without
// hashing the name. Made lazily, as nothing is encoded before ascp starts.
func (e *FrameEncoder) knownInfo(id uint16) *fieldInfo {
	if int(id) < len(e.known) && e.known[id].prefix != nil {
		return &e.known[id]
	}
	return e.newKnownInfo(id)
}

func (e *FrameEncoder) newKnownInfo(id uint16) *fieldInfo {
	if e.known == nil {
		e.known = make([]fieldInfo, len(mgmt.KnownFields)+1)
	}
	fi := &e.known[id]
	*fi = newFieldInfo(mgmt.KnownFields[id-1].Name)
	fi.memo = fi.kind == mgmt.Text
	fi.stamp = e.stampOf(fi.key)
	return fi
}

var typeID = mgmt.NameType.ID()

// reservedKeys are the members asession writes itself: a field whose key
// would repeat one (TYPE, type, Session) is dropped, so that a message
// cannot pass for another type or session in a consumer where the last
// duplicate wins. `asession batch` tags each line with job and attempt.
var reservedKeys = map[string]bool{"type": true, "session": true, "job": true, "attempt": true}

// AppendFrame appends one JSON object, without a trailing newline, for f.
// The frame's Type comes first as "type"; extra holds already-encoded JSON
// members (`"session":2`) placed right after it.
func (e *FrameEncoder) AppendFrame(dst []byte, f *mgmt.Frame, extra []byte) []byte {
	dst = append(dst, `{"type":`...)
	dst = AppendStringBytes(dst, f.Type())
	if len(extra) > 0 {
		dst = append(dst, ',')
		dst = append(dst, extra...)
	}
	e.newLine()
	// A known name is found by the id the Reader gave it. For the others,
	// frames of a type list the same fields in the same order: the field
	// that followed the previous one last time is the first guess.
	prev, guess := -1, e.first // prev: index in infos, -1 at the start
	ids := f.IDs()
	for i := range f.Fields {
		fl := &f.Fields[i]
		var fi *fieldInfo
		if ids != nil && ids[i] != 0 {
			if ids[i] == typeID {
				continue
			}
			fi = e.knownInfo(ids[i])
		} else if string(fl.Name) == mgmt.NameType.String() {
			continue
		} else if guess != 0 && e.infos[guess-1].name == string(fl.Name) {
			fi = &e.infos[guess-1]
		} else {
			fi = e.info(fl.Name)
			if prev < 0 {
				e.first = fi.index
			} else {
				e.infos[prev].next = fi.index
			}
		}
		if fi.index != 0 {
			prev, guess = int(fi.index)-1, fi.next
		}
		if fi.reserved || e.repeated(fi) {
			continue
		}
		if fi.memo {
			dst = fi.appendMemo(dst, fl.Value)
			continue
		}
		dst = append(dst, fi.prefix...)
		dst = appendValue(dst, fi.kind, fl.Value)
	}
	return append(dst, '}')
}

func appendValue(dst []byte, kind mgmt.Kind, v []byte) []byte {
	switch kind {
	case mgmt.Integer:
		if digits, ok := integerDigits(v); ok {
			if v[0] == '-' {
				dst = append(dst, '-')
			}
			return append(dst, digits...)
		}
	case mgmt.YesNo:
		switch string(v) {
		case "Yes":
			return append(dst, "true"...)
		case "No":
			return append(dst, "false"...)
		}
	}
	return AppendStringBytes(dst, v)
}

// integerDigits accepts an optional minus and up to 18 significant
// digits, so that every number written fits an int64; larger ones stay
// strings. It returns the digits without leading zeros, as JSON wants
// them, in one pass.
func integerDigits(v []byte) ([]byte, bool) {
	d := v
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 {
		return nil, false
	}
	for _, c := range d {
		if c-'0' > 9 { // wraps below '0'
			return nil, false
		}
	}
	for len(d) > 1 && d[0] == '0' {
		d = d[1:]
	}
	return d, len(d) <= 18
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does, so every line stays valid JSON whatever bytes a file
// name holds.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Most bytes need no escape: skip them eight at a time.
		for i+8 <= len(s) {
			m := escapeMask(uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56)
			if m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// escapeMask flags, in the high bit of its byte, the first byte of x (read
// little-endian) that AppendString cannot copy as it is: a control
// character, '"', '\\' or a byte of a multi-byte sequence. Bytes after the
// first flagged one may be flagged falsely, which only costs a slow step.
func escapeMask(x uint64) uint64 {
	control := (x - lsb*0x20) &^ x                    // bytes below 0x20
	quote := ((x ^ lsb*'"') - lsb) &^ (x ^ lsb*'"')   // bytes equal to '"'
	slash := ((x ^ lsb*'\\') - lsb) &^ (x ^ lsb*'\\') // bytes equal to '\\'
	return (control | quote | slash | x) & msb
}

// AppendStringBytes is AppendString for a byte slice, without copying it.
func AppendStringBytes(dst []byte, b []byte) []byte {
	// AppendString only reads s, so viewing b as a string without a copy is
	// safe and keeps the per-frame path free of allocations.
	return AppendString(dst, unsafe.String(unsafe.SliceData(b), len(b)))
}
