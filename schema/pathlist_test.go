package schema

import (
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// The list lines are the same whether an entry is read by plainEntry or
// by gjson: written plainly or not, with escapes, blanks, other members,
// members twice or in another order.
func TestPathListReadsEveryEntryAsGjson(t *testing.T) {
	for _, paths := range []string{
		`[{"source":"/a"},{"source":"/b c"},{ "source" : "/d" },{"source":"/\u00e9"},{"source":"/x\\y"},{"source":"/e","destination":null},{"destination":null,"source":"/f"},{"source":"/g","other":1},{"source":"/h","source":"/i"},{"sourc\u0065":"/j"}]`,
		`[{"source":"/a","destination":"b"},{"destination":"d","source":"/c"},{"source":"/e","destination":"f","destination":"g"},{"source":"/h","destination":"\u00e9"},{"source":"/i" ,"destination":"j"},{"source":"/k","destination":"l" }]`,
	} {
		spec, problems := Parse(gjson.Parse(`{"remote_host":"h","direction":"send","destination_root":"/","paths":`+paths+`}`), "")
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		var want strings.Builder
		gjson.Parse(paths).ForEach(func(_, entry gjson.Result) bool {
			src, dst := PathEntry(entry)
			want.WriteString(src.Str + "\n")
			if dst.Type == gjson.String {
				want.WriteString(dst.Str + "\n")
			}
			return true
		})
		list := spec.PathList()
		if list == nil {
			t.Fatalf("%s: no list", paths)
		}
		var got strings.Builder
		for i := range list.Lines() {
			got.WriteString(list.Line(i) + "\n")
		}
		if got.String() != want.String() {
			t.Errorf("%s: lines %q, want %q", paths, got.String(), want.String())
		}
	}
}

// Entries plainEntry must leave to gjson: anything to decode, a control
// character, blanks, an empty string, another member.
func TestPlainEntryLeavesTheRest(t *testing.T) {
	for _, raw := range []string{`{"source":"/a\"b"}`, `{"source":"/a\\b"}`, "{\"source\":\"/a\nb\"}", `{"source":""}`,
		`{"source":"/a","destination":""}`, `{"source":"/a" }`, `{"source":"/a","x":1}`, `{"source":"/a","destination":"b","x":1}`, `{"source":1}`} {
		if src, dst, _, ok := plainEntry(raw); ok {
			t.Errorf("plainEntry(%s) = %d, %d", raw, src, dst)
		}
	}
	raw := `{"source":"/a b","destination":"/c"}`
	if src, dst, _, ok := plainEntry(raw); !ok || raw[src:src+4] != `/a b` || raw[dst:dst+3] != `/c"` {
		t.Errorf("plain pair read at %d, %d, %v", src, dst, ok)
	}
	if src, dst, end, ok := plainEntry(`{"source":"/a"},{`); !ok || src != 11 || dst != -1 || end != 15 {
		t.Errorf("plain source read at %d, %d, to %d, %v", src, dst, end, ok)
	}
}

// A paths array of 2 GB or more keeps its lines' offsets as ints.
func TestPathListWideOffsets(t *testing.T) {
	src := `[{"source":"/a"},{"source":"/b"}]`
	l := newPathLines(src)
	l.list.wide = []int{} // as newPathLines does for 2 GB
	l.plain(12)
	l.decoded("/é")
	l.plain(28)
	list := l.done(3, 0)
	if got := []string{list.Line(0), list.Line(1), list.Line(2)}; got[0] != "/a" || got[1] != "/é" || got[2] != "/b" || list.Lines() != 3 {
		t.Errorf("lines %q, %d", got, list.Lines())
	}
}

// The paths' own walk gives the entries gjson's ForEach gives, in order,
// whatever they are and however they are spaced; and stops at text that
// is not JSON.
func TestEachPlainEntryWalksAsGjson(t *testing.T) {
	for _, raw := range []string{
		`[]`, ` [ ] `, `[{"source":"/a"}]`,
		`[ {"source":"/a"} , {"source":"/b","destination":"c"},1,"s\"]",[1,[2,{"x":"]"}]],null,true,-1.5e3,{"source" :"/d"},{} ]`,
		"[\n\t{\"source\":\"/a\"}\r\n,\"\\\\\"]",
	} {
		type seen struct {
			plain    bool
			src, dst int
			raw      string
		}
		var fast, slow []seen
		if !eachPlainEntry(raw, func(e pathEntry) { fast = append(fast, seen{e.plain, e.src, e.dst, e.json.Raw}) }) {
			t.Errorf("%s: walk stopped", raw)
		}
		eachEntry(gjson.Parse(raw), func(e pathEntry) { slow = append(slow, seen{e.plain, e.src, e.dst, e.json.Raw}) })
		if len(fast) != len(slow) {
			t.Fatalf("%s: %d entries, gjson %d", raw, len(fast), len(slow))
		}
		for i := range fast {
			if fast[i] != slow[i] {
				t.Errorf("%s: entry %d %+v, gjson %+v", raw, i, fast[i], slow[i])
			}
		}
	}
	for _, raw := range []string{`[`, `[{"source":"/a"}`, `[{"source":"/a"} x]`, `[{"a":"b]`, `["x]`, `[,]`, `{"source":"/a"}`} {
		if eachPlainEntry(raw, func(pathEntry) {}) {
			t.Errorf("%s: walked as JSON", raw)
		}
	}
}
