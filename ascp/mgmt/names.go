package mgmt

import (
	"encoding/binary"
	"math/bits"
	"sync"
)

// table finds a name's id (its index in KnownFields plus one), so that
// consumers find a field by comparing ids instead of names: a frame is
// looked at by several of them, and a scan of names per lookup added up
// to a tenth of the relay. Open addressing on a fixed hash, at most a
// quarter full, so that an unknown name stops at an empty slot after a
// probe or two. The names are fixed, so no seed is needed: a peer can
// only make its own invented names probe a little longer.
type table struct {
	slots []uint16
	names []string
}

func newTable(fields []KnownField) table {
	t := table{slots: make([]uint16, 64), names: make([]string, len(fields))}
	for len(t.slots) < 4*len(fields) {
		t.slots = make([]uint16, 2*len(t.slots))
	}
	mask := uint64(len(t.slots) - 1)
	for i := range fields {
		name := fields[i].Name
		t.names[i] = name
		h := knownHash([]byte(name)) & mask
		for t.slots[h] != 0 {
			h = (h + 1) & mask
		}
		t.slots[h] = uint16(i + 1)
	}
	return t
}

func (t *table) find(name []byte) uint16 {
	mask := uint64(len(t.slots) - 1)
	for h := knownHash(name) & mask; ; h = (h + 1) & mask {
		id := t.slots[h]
		if id == 0 || t.names[id-1] == string(name) {
			return id
		}
	}
}

// knownTables are built on first use, not at start: asession's start to
// ascp's spawn is timed (issue 16), and no frame is read before it.
type knownTables struct {
	names table
	seps  []sepWord
}

var known = sync.OnceValue(func() *knownTables {
	return &knownTables{names: newTable(KnownFields), seps: newSepWords()}
})

// HashName mixes a name's length and seed with its first and last eight
// bytes: cheap for the short names of management fields, and different
// for all of IBM's. It is for tables of field names; a table that takes
// names from a peer should use a seed of its own choosing, so that no one
// can pick names that collide.
func HashName(name []byte, seed uint64) uint64 {
	n := len(name)
	var x uint64
	if n >= 8 {
		x = binary.LittleEndian.Uint64(name) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(name[n-8:]), 29)
	} else {
		for i, c := range name {
			x |= uint64(c) << (8 * i)
		}
	}
	x = (x ^ seed ^ uint64(n)<<56) * 0x9e3779b97f4a7c15
	return x ^ x>>29
}

// knownHash is HashName without a seed: the known names are fixed.
func knownHash(name []byte) uint64 { return HashName(name, 0) }

// NameID returns the id of a known field name, 0 for any other name.
func NameID(name []byte) uint16 { return known().names.find(name) }

// Name is a field name ready for repeated lookups in frames (Frame.Lookup).
type Name struct {
	id   uint16
	name []byte
	text string // name, for String without a copy
}

// NewName prepares name for Frame.Lookup; any name will do, a known one
// is only faster.
func NewName(name string) Name {
	// Names are prepared at start, as package variables: a scan of the
	// list costs less than building the table then.
	for i := range KnownFields {
		if KnownFields[i].Name == name {
			return Name{id: uint16(i + 1), name: []byte(name), text: name}
		}
	}
	return Name{name: []byte(name), text: name}
}

// ID is the name's id, 0 when it is not a known name.
func (n Name) ID() uint16 { return n.id }

// String is the name as ascp spells it.
func (n Name) String() string { return n.text }

// Lookup is Get for a prepared name. In a frame from a Reader it compares
// ids; in one built otherwise, or for a name that is not known, names.
func (f *Frame) Lookup(n Name) ([]byte, bool) {
	if n.id == 0 || len(f.ids) != len(f.Fields) {
		return f.Get(n.name)
	}
	if len(f.index) > int(n.id) {
		if p := f.index[n.id]; p != 0 {
			return f.Fields[p-1].Value, true
		}
		return nil, false
	}
	for i, id := range f.ids {
		if id == n.id {
			return f.Fields[i].Value, true
		}
	}
	return nil, false
}

// IDs returns the id of each field's name (0 for a name that is not
// known), as the Reader found them, or nil when the frame was not built by
// a Reader or its fields have changed in number since.
func (f *Frame) IDs() []uint16 {
	if len(f.ids) != len(f.Fields) {
		return nil
	}
	return f.ids
}

// TypeSlots is how many slots TypeSlot spreads frame types over.
const TypeSlots = 32

// TypeSlot picks a slot, 0 to TypeSlots-1, for a frame type by its length
// and two of its bytes, without a check: IBM's types each have a slot of
// their own (a test checks it), so per-type tables such as the Reader's
// field-order guesses never mix them; another type sharing a slot only
// costs relearning.
func TypeSlot(typ []byte) int {
	h := 0
	if n := len(typ); n >= 2 {
		// Found by search: all IBM's types differ by it.
		h = n*8 + int(typ[1]) + int(typ[n-1])*28
	}
	return h % TypeSlots
}

// typeChains is how many types have their own guesses: a frame's type
// picks one by TypeSlot.
const typeChains = TypeSlots

// chainOf returns where the field-order guesses of frames of type typ
// start in Reader.chains: after those of frames whose type is not known
// yet.
func chainOf(typ []byte) int {
	return (1 + TypeSlot(typ)) * (len(KnownFields) + 1)
}

// A sepWord holds, by id, the first sixteen bytes of each known name
// followed by ": ", as two little-endian words and the masks of the bytes
// that count, so that a guess is checked with two loads and compares.
// Longer names check the rest as a string.
type sepWord struct {
	w0, w1, m0, m1 uint64
	sep            string
}

func newSepWords() []sepWord {
	words := make([]sepWord, len(KnownFields)+1)
	for i := range KnownFields {
		sep := KnownFields[i].Name + ": "
		var b [16]byte
		copy(b[:], sep)
		var m [16]byte
		for k := 0; k < len(sep) && k < 16; k++ {
			m[k] = 0xff
		}
		words[i+1] = sepWord{
			w0: binary.LittleEndian.Uint64(b[:]), w1: binary.LittleEndian.Uint64(b[8:]),
			m0: binary.LittleEndian.Uint64(m[:]), m1: binary.LittleEndian.Uint64(m[8:]),
			sep: sep,
		}
	}
	return words
}

// guessField is the Reader's fast path for a field line: the field that
// followed the previous one in the last frame of the same type usually
// follows it again (frames of a type list the same fields in the same
// order), and a line that begins with that name and ": " is split without
// a search for the colon (known names have none, so the first ": " is the
// one after the name). It returns the id and where the value starts, or 0.
func (r *Reader) guessField(ls, le int) (uint16, int) {
	g := r.chains[r.chain+int(r.prevID)]
	if g == 0 {
		return 0, 0
	}
	sw := &r.seps[g]
	end := ls + len(sw.sep)
	if end > le {
		return 0, 0
	}
	if ls+16 > len(r.buf) || len(sw.sep) > 16 {
		if string(r.buf[ls:end]) != sw.sep {
			return 0, 0
		}
		return g, end
	}
	// Sixteen bytes past the line's start are in the buffer; those past
	// the separator are masked out.
	b := r.buf[ls : ls+16]
	if binary.LittleEndian.Uint64(b)&sw.m0 != sw.w0 || binary.LittleEndian.Uint64(b[8:])&sw.m1 != sw.w1 {
		return 0, 0
	}
	return g, end
}
