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
		if list.Text != want.String() {
			t.Errorf("%s: lines %q, want %q", paths, list.Text, want.String())
		}
		if list.Lines() != strings.Count(list.Text, "\n") {
			t.Errorf("%s: %d lines counted, %d in the text", paths, list.Lines(), strings.Count(list.Text, "\n"))
		}
	}
}

// Entries plainEntry must leave to gjson: anything to decode, a control
// character, blanks, an empty string, another member.
func TestPlainEntryLeavesTheRest(t *testing.T) {
	for _, raw := range []string{`{"source":"/a\"b"}`, `{"source":"/a\\b"}`, "{\"source\":\"/a\nb\"}", `{"source":""}`,
		`{"source":"/a","destination":""}`, `{"source":"/a" }`, `{"source":"/a","x":1}`, `{"source":"/a","destination":"b","x":1}`, `{"source":1}`} {
		if src, dst, ok := plainEntry(raw); ok {
			t.Errorf("plainEntry(%s) = %q, %q", raw, src, dst)
		}
	}
	if src, dst, ok := plainEntry(`{"source":"/a b","destination":"/c"}`); !ok || src != "/a b" || dst != "/c" {
		t.Errorf("plain pair read as %q, %q, %v", src, dst, ok)
	}
}
