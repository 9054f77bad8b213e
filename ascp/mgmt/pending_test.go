package mgmt

import "testing"

// A frame built field by field finds its fields as one from Next does,
// with its index or without, and a field added after the index is found.
func TestFrameIndexFindsWhatAScanFinds(t *testing.T) {
	var f Frame
	f.Reset()
	for _, fl := range [][2]string{{"Type", "STOP"}, {"File", "/a"}, {"Size", "1"}, {"File", "/b"}} {
		f.AddKnown(NameID([]byte(fl[0])), []byte(fl[0]), []byte(fl[1]))
	}
	want := map[string]string{"Type": "STOP", "File": "/a", "Size": "1", "Description": ""}
	check := func(when string) {
		for name, value := range want {
			v, ok := f.Lookup(NewName(name))
			if string(v) != value || ok != (value != "") {
				t.Errorf("%s: Lookup(%s) = %q, %v; want %q", when, name, v, ok, value)
			}
		}
	}
	check("scan")
	f.MakeIndex()
	if len(f.index) == 0 {
		t.Fatal("no index made")
	}
	check("index")
	f.AddKnown(NameID([]byte("Description")), []byte("Description"), []byte("late"))
	want["Description"] = "late"
	check("after AddKnown")
	f.MakeIndex()
	check("index again")
	// A frame changed behind its ids falls back to names.
	f.Fields = append(f.Fields, Field{Name: []byte("Rate"), Value: []byte("9")})
	want["Rate"] = "9"
	check("fields appended")
}
