package mgmt

import (
	"bytes"
	"io"
	"testing"
)

// Every known name has its own id, and the id leads back to the name;
// names that differ only a little (case, length, a suffix) have none.
func TestNameIDs(t *testing.T) {
	seen := map[string]bool{}
	for i := range KnownFields {
		name := KnownFields[i].Name
		if seen[name] {
			t.Errorf("%q is listed twice", name)
		}
		seen[name] = true
		if id := NameID([]byte(name)); int(id) != i+1 {
			t.Errorf("NameID(%q) = %d, want %d", name, id, i+1)
		}
	}
	for _, name := range []string{"", "type", "TYPE", "Files", "Fil", "SessionID", "Bytescont ", "X", "ArgScansFailed"} {
		if id := NameID([]byte(name)); id != 0 {
			t.Errorf("NameID(%q) = %d (%s), want 0", name, id, KnownFields[id-1].Name)
		}
	}
}

// The Reader's guess of the next field must give what splitting the line
// gives, whether the guess holds, fails by a byte or meets an unknown
// name: the same frames are read twice, the second time on guesses.
func TestReaderGuessesGiveTheSameFields(t *testing.T) {
	var stream []byte
	frames := [][]string{
		{"File", "/a", "Size", "1", "Cookie", "c"},
		{"File", "/b", "Size", "2", "Cookie", "d"}, // every guess holds
		{"Files", "/c", "Size", "3", "Invented", "x"},
		{"File", "", "Size", "", "Cookie", "c: d"},
		{"File", "/d", "Size", "4", "Invented", "y"},
	}
	for _, pairs := range frames {
		stream = AppendFrame(stream, "STATS", pairs...)
	}
	stream = append(stream, "FASPMGR 2\nType: STATS\nFile:\nSize:: 5\nCookie:x\n\n"...)
	r := NewReader(bytes.NewReader(stream))
	for k := 0; ; k++ {
		f, err := r.Next()
		if err == io.EOF {
			if k != len(frames)+1 {
				t.Fatalf("%d frames, want %d", k, len(frames)+1)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if k == len(frames) {
			// The name ends at the first colon and one space after it
			// is the syntax: File is empty, Size is ": 5", Cookie "x".
			if len(f.Fields) != 4 || string(f.Fields[1].Name) != "File" || len(f.Fields[1].Value) != 0 ||
				string(f.Fields[2].Name) != "Size" || string(f.Fields[2].Value) != ": 5" ||
				string(f.Fields[3].Name) != "Cookie" || string(f.Fields[3].Value) != "x" {
				t.Fatalf("last frame: %q", f.Fields)
			}
		} else {
			pairs := frames[k]
			for i := 0; i < len(pairs); i += 2 {
				fl := f.Fields[1+i/2]
				if string(fl.Name) != pairs[i] || string(fl.Value) != pairs[i+1] {
					t.Fatalf("frame %d field %d: %q: %q, want %q: %q", k, i/2, fl.Name, fl.Value, pairs[i], pairs[i+1])
				}
			}
		}
		for i, fl := range f.Fields {
			if f.IDs()[i] != NameID(fl.Name) {
				t.Fatalf("frame %d: field %q has id %d, want %d", k, fl.Name, f.IDs()[i], NameID(fl.Name))
			}
		}
	}
}

// IBM's message types each have a chain of guesses of their own: types
// sharing one would keep undoing each other's guesses.
func TestKnownTypesHaveTheirOwnChains(t *testing.T) {
	seen := map[int]string{}
	for _, mt := range MessageTypes {
		typ := mt.Name
		c := chainOf([]byte(typ))
		if other, ok := seen[c]; ok {
			t.Errorf("%s and %s share chain %d", typ, other, c)
		}
		seen[c] = typ
	}
}
