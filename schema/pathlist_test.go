package schema

import (
	"fmt"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/tidwall/gjson"
)

// The list lines are the same whether an entry is read by plainEntry or
// by gjson: written plainly or not, with escapes, blanks, other members,
// members twice or in another order.
func TestPathListReadsEveryEntryAsGjson(t *testing.T) {
	for _, paths := range []string{
		`[{"source":"/a"},{"source":"/b c"},{ "source" : "/d" },{"source":"/\u00e9"},{"source":"/x\\y"},{"source":"/e","destination":null},{"destination":null,"source":"/f"},{"source":"/g","other":1},{"source":"/h","source":"/i"},{"sourc\u0065":"/j"}]`,
		`[{"source":"/a","destination":"b"},{"destination":"d","source":"/c"},{"source":"/e","destination":"f","destination":"g"},{"source":"/h","destination":"\u00e9"},{"source":"/i" ,"destination":"j"},{"source":"/k","destination":"l" }]`,
		"[\n  {\n    \"source\": \"/a\",\n    \"destination\": \"b\"\n  },\n  {\"destination\" : \"d\", \"source\" : \"/c\"},{\"destination\":\"e\",\"source\":\"/f\",\"destination\":\"g\"}\n]",
	} {
		spec, problems := parseSpec(gjson.Parse(`{"remote_host":"h","direction":"send","destination_root":"/","paths":`+paths+`}`), "")
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		var want strings.Builder
		gjson.Parse(paths).ForEach(func(_, entry gjson.Result) bool {
			src, dst := splitPathEntry(entry)
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

// Entries plainEntry must leave to gjson: a control character, an empty
// string, another member, a member twice, no source, text that is not
// JSON. Escapes it reads, for pathCheck to decode.
func TestPlainEntryLeavesTheRest(t *testing.T) {
	for _, raw := range []string{"{\"source\":\"/a\nb\"}", `{"source":""}`, `{"source":"/a\"}`,
		`{"source":"/a","destination":""}`, `{"source":"/a","x":1}`, `{"source":"/a","source":"/b"}`,
		`{"destination":"/b"}`, `{"source":"/a",}`, `{"source":"/a" "destination":"/b"}`, `{"source":"/a"`, `{"source" "/a"}`, `{"source":"/a","destination":"b","x":1}`, `{"source":1}`} {
		if e, _, ok := plainEntry([]byte(raw)); ok {
			t.Errorf("plainEntry(%s) = %+v", raw, e)
		}
		if e := new(pathEntry); compactEntry([]byte(raw), e) > 0 {
			t.Errorf("compactEntry(%s) = %+v", raw, *e)
		}
	}
	// What compactEntry reads, plainEntry reads the same.
	for _, raw := range []string{`{"source":"/a"}`, `{"source":"/a b","destination":"/c"},`, `{"source":"/a\"","destination":"/\u00e9"}]`} {
		var e pathEntry
		n := compactEntry([]byte(raw), &e)
		pe, pn, ok := plainEntry([]byte(raw))
		if n == 0 || !ok || e != pe || n != pn {
			t.Errorf("%s: compactEntry %+v, %d; plainEntry %+v, %d", raw, e, n, pe, pn)
		}
	}
	for _, raw := range []string{`{ "source":"/a"}`, `{"destination":"/b","source":"/a"}`, `{"source":"/a",}`, `{"source":"/a"`, `{"source":"/a","destination":"/b"`} {
		if n := compactEntry([]byte(raw), new(pathEntry)); n > 0 {
			t.Errorf("compactEntry(%s) read %d bytes", raw, n)
		}
	}
	raw := `{"source":"/a b","destination":"/c"}`
	if e, _, ok := plainEntry([]byte(raw)); !ok || raw[e.src:e.srcEnd] != `/a b` || raw[e.dst:e.dstEnd] != `/c` || e.srcEsc || e.dstEsc {
		t.Errorf("plain pair read as %+v, %v", e, ok)
	}
	if e, end, ok := plainEntry([]byte(`{"source":"/a"},{`)); !ok || e.src != 11 || e.dst != -1 || end != 15 {
		t.Errorf("plain source read as %+v, to %d, %v", e, end, ok)
	}
	raw = `{"source":"/a\"b","destination":"/c\u00e9"}`
	if e, _, ok := plainEntry([]byte(raw)); !ok || raw[e.src:e.srcEnd] != `/a\"b` || raw[e.dst:e.dstEnd] != `/c\u00e9` || !e.srcEsc || !e.dstEsc {
		t.Errorf("escaped pair read as %+v, %v", e, ok)
	}
}

// Pretty-printed entries, as jq, Python's json.dump and JSON.stringify
// with an indent write them, are read in place like compact ones: read by
// gjson and decoded instead, a million of them held four times the
// input's memory before ascp started.
func TestPrettyPathsAreReadInPlace(t *testing.T) {
	for _, raw := range []string{
		`{ "source" : "/a b" , "destination" : "/c" }`,
		"{\n    \"source\": \"/a b\",\n    \"destination\": \"/c\"\n  }",
		`{"destination": "/c", "source": "/a b"}`,
		"{\r\n\t\"source\":\t\"/a b\",\"destination\":\"/c\"}",
	} {
		e, end, ok := plainEntry([]byte(raw + `,{"source":"/x"}`))
		if !ok || raw[e.src:e.srcEnd] != `/a b` || raw[e.dst:e.dstEnd] != `/c` || end != len(raw) {
			t.Errorf("%q: read as %+v, to %d (%v)", raw, e, end, ok)
		}
	}
	paths := "[\n  {\n    \"source\": \"/a\",\n    \"destination\": \"/b\"\n  },\n  {\n    \"destination\": \"/d\",\n    \"source\": \"/c\"\n  }\n]"
	spec, problems := parseSpec(gjson.Parse(`{"remote_host":"h","direction":"send","destination_root":"/","paths":`+paths+`}`), "")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	list := spec.PathList()
	if list == nil || list.Lines() != 4 || list.Line(0) != "/a" || list.Line(1) != "/b" || list.Line(2) != "/c" || list.Line(3) != "/d" {
		t.Fatalf("list %+v", list)
	}
}

// Escaped strings in plain entries (Python's json.dump writes every
// non-ASCII character as \uXXXX) are decoded straight into the list's
// lines as gjson decodes them, one decoded string that is no path makes
// the same problem as through gjson, and a string with an escape JSON
// lacks is left to gjson.
func TestEscapedPathsAreDecodedAsGjson(t *testing.T) {
	for _, paths := range []string{
		`[{"source":"/caf\u00e9","destination":"/d\/\"\\\b\f\t"}]`,
		`[{"source":"/\ud83d\ude00 \ud800\u0041 \udc00 \ud800x"}]`,
		`[{"source":"/a\u000ab"}]`, `[{"source":"/a","destination":"\u0000"}]`, `[{"source":"\r"}]`,
		`[{"source":"/a"},{"source":"/b\u0020c"},{"source":"/d\""}]`,
	} {
		want, wantProblems := linesOf(t, paths, gjsonCheck)
		got, gotProblems := linesOf(t, paths, func(v Value) (Problems, *PathList) { return checkPaths(v, true, nil) })
		if got != want || fmt.Sprint(gotProblems) != fmt.Sprint(wantProblems) {
			t.Errorf("%s: lines %q, problems %v; through gjson %q, %v", paths, got, gotProblems, want, wantProblems)
		}
	}
	c := pathCheck{pointer: "/paths", out: &lineSink{}}
	if c.plain(&pathEntry{src: 1, srcEnd: 5, srcEsc: true, dst: -1}, []byte(`"/a\x"`)) || c.i != 0 || c.out.lines != 0 {
		t.Error(`decoded \x`)
	}
}

// gjsonCheck is the check of a paths array with every entry read by
// gjson, none by plainEntry: what the fast way must match.
func gjsonCheck(v Value) (Problems, *PathList) {
	c := &pathCheck{pointer: v.Pointer, out: &lineSink{}}
	v.JSON.ForEach(func(_, entry gjson.Result) bool {
		c.json(entry)
		return true
	})
	c.end()
	return c.done(true)
}

func linesOf(t *testing.T, paths string, check func(Value) (Problems, *PathList)) (string, Problems) {
	t.Helper()
	problems, list := check(Value{Pointer: "/paths", JSON: gjson.Parse(paths)})
	if len(problems) > 0 {
		return "", problems
	}
	var b strings.Builder
	for i := range list.Lines() {
		b.WriteString(list.Line(i) + "\n")
	}
	return b.String(), nil
}

// The paths' own walk checks the entries gjson's ForEach gives, in
// order, whatever they are and however they are spaced, from memory and
// from a stream read a byte at a time; and stops at text that is not
// JSON.
func TestPathEntriesWalkAsGjson(t *testing.T) {
	for _, raw := range []string{
		`[]`, ` [ ] `, `[{"source":"/a"}]`,
		`[ {"source":"/a"} , {"source":"/b","destination":"c"},1,"s\"]",[1,[2,{"x":"]"}]],null,true,-1.5e3,{"source" :"/d"},{} ]`,
		"[\n\t{\"source\":\"/a\"}\r\n,\"\\\\\"]",
		`[{"source":"/a"},{"source":"/b\u0000"},{"source":"/c","x":[1,2]},{"destination":"/d","source":"/e"}]`,
	} {
		v := Value{Pointer: "/paths", JSON: gjson.Parse(raw)}
		wantProblems, want := gjsonCheck(v)
		gotProblems, got := checkPaths(v, true, nil)
		if fmt.Sprint(gotProblems) != fmt.Sprint(wantProblems) || (want == nil) != (got == nil) || want != nil && !want.sameLines(got) {
			t.Errorf("%s: %v, %+v; gjson %v, %+v", raw, gotProblems, got, wantProblems, want)
		}
		in, _, streamProblems, err := ReadInput(iotest.OneByteReader(strings.NewReader(`{"remote_host":"h","direction":"send","keepalive":true,"paths":`+raw+`}`)), ReadOptions{Spool: true})
		if err != nil {
			t.Fatal(err)
		}
		var streamed *PathList
		if in.Spec != nil {
			streamed = in.Spec.paths
		}
		if len(wantProblems) == 0 && (streamed == nil || !want.sameLines(streamed)) {
			t.Errorf("%s streamed: %v, %+v", raw, streamProblems, streamed)
		}
		in.Close()
	}
	for _, raw := range []string{`[`, `[{"source":"/a"}`, `[{"source":"/a"} x]`, `[{"a":"b]`, `["x]`, `[,]`, `[{"source":"/a\q"}]`, `[{"source":"/a"},]`} {
		if problems, _ := checkPaths(Value{Pointer: "/paths", JSON: gjson.Result{Type: gjson.JSON, Raw: raw}}, true, nil); len(problems) != 1 || problems[0].Found != "text that is not valid JSON" {
			t.Errorf("%s: %v", raw, problems)
		}
	}
}

// FuzzPathListReadsAsGjson: whatever the paths array's spelling, the list
// lines are those gjson reads, from memory and from a stream, and an array
// gjson finds good has no problem.
func FuzzPathListReadsAsGjson(f *testing.F) {
	for _, s := range []string{`[{"source":"/a"}]`, `[{ "source" : "/a" , "destination" : "b" }]`,
		"[\n {\n  \"destination\": \"d\",\n  \"source\": \"/c\"\n }\n]", `[{"source":"/a","source":"/b"}]`,
		`[{"source":"/\u00e9","destination":"x\\y"}]`, `[{"destination":null,"source":"/a"}]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, paths string) {
		v := gjson.Parse(paths)
		if !gjson.Valid(paths) || !v.IsArray() {
			return
		}
		var want strings.Builder
		good, withDest, withoutDest := true, 0, 0
		v.ForEach(func(_, entry gjson.Result) bool {
			src, dst := splitPathEntry(entry)
			if !entry.IsObject() || src.Type != gjson.String || src.Str == "" || strings.ContainsAny(src.Str, "\r\n\x00") {
				good = false
				return true
			}
			want.WriteString(src.Str + "\n")
			if !dst.Exists() || dst.Type == gjson.Null {
				withoutDest++
				return true
			}
			withDest++
			if dst.Type != gjson.String || dst.Str == "" || strings.ContainsAny(dst.Str, "\r\n\x00") {
				good = false
			}
			want.WriteString(dst.Str + "\n")
			return true
		})
		good = good && (withDest == 0 || withoutDest == 0)
		// Read as a stream, a byte at a time, into a list file.
		spec := `{"remote_host":"h","direction":"send","keepalive":true,"paths":` + paths + `}`
		in, _, streamed, err := ReadInput(iotest.OneByteReader(strings.NewReader(spec)), ReadOptions{Spool: true})
		if err != nil || good != (len(streamed) == 0) {
			t.Fatalf("%q streamed: gjson finds it good: %v; problems %v, %v", paths, good, streamed, err)
		}
		if good {
			var got strings.Builder
			in.Spec.PathList().WriteTo(&got)
			if got.String() != want.String() {
				t.Fatalf("%q streamed: lines %q, gjson %q", paths, got.String(), want.String())
			}
		}
		in.Close()
		problems, list := checkPaths(Value{Pointer: "/paths", JSON: v}, true, nil)
		if good != (len(problems) == 0) {
			t.Fatalf("%q: gjson finds it good: %v; problems %v", paths, good, problems)
		}
		if !good {
			return
		}
		var got strings.Builder
		for i := range list.Lines() {
			got.WriteString(list.Line(i) + "\n")
		}
		if got.String() != want.String() {
			t.Fatalf("%q: lines %q, gjson %q", paths, got.String(), want.String())
		}
	})
}
