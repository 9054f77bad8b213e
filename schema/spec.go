package schema

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/faspkit/asession/internal/suggest"
)

// Problem is one thing wrong with the input, located by a JSON pointer.
type Problem struct {
	Pointer  string `json:"pointer"`
	Expected string `json:"expected"`
	Found    string `json:"found,omitempty"`
	// DidYouMean is the known name an unknown one most likely misspells.
	DidYouMean string `json:"did_you_mean,omitempty"`
}

func (p Problem) Error() string {
	text := fmt.Sprintf("%s: expected %s", p.Pointer, p.Expected)
	if p.Found != "" {
		text += ", found " + p.Found
	}
	if p.DidYouMean != "" {
		text += fmt.Sprintf(" (did you mean %q?)", p.DidYouMean)
	}
	return text
}

// UnknownField is a member of the input that no table knows: another
// tool's field, or a typo, and then DidYouMean is the known name it is
// nearest to.
type UnknownField struct {
	Pointer    string
	DidYouMean string
}

// unknownField notes the member name found at ptr, among the names known
// there.
func unknownField(ptr, name string, known []string) UnknownField {
	return UnknownField{Pointer: ptr, DidYouMean: suggest.Nearest(name, known)}
}

// String is the pointer, and the name it may misspell.
func (u UnknownField) String() string {
	if u.DidYouMean == "" {
		return u.Pointer
	}
	return fmt.Sprintf("%s (did you mean %s?)", u.Pointer, u.DidYouMean)
}

// Problem is u as an input problem: --strict refuses unknown fields.
func (u UnknownField) Problem() Problem {
	return Problem{Pointer: u.Pointer, Expected: "a known field (--strict)", Found: "an unknown field", DidYouMean: u.DidYouMean}
}

// Problems is every problem found in one input; validation never stops at
// the first so that a user fixes a spec in one round.
type Problems []Problem

func (ps Problems) Error() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns each problem, so errors.As(err, &p) with p a Problem finds
// the first one wherever Problems is wrapped.
func (ps Problems) Unwrap() []error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errs
}

// Value is one field's value as given, with an alias's enum spelling
// already translated to the canonical one.
type Value struct {
	JSON    gjson.Result
	Text    string // canonical text of a scalar: the string, "true"/"false", or the decimal integer
	Pointer string // where the value was found in the input
}

// Spec is a parsed transfer spec keyed by canonical field names.
type Spec struct {
	values  map[string]Value
	given   map[string]bool // fields present in the input, valid or not
	Unknown []UnknownField  // fields the table does not know
	paths   *PathList       // the paths as list lines, made by their check
}

// Get returns the value of a canonical field.
func (s *Spec) Get(name string) (Value, bool) {
	v, ok := s.values[name]
	return v, ok
}

// String returns a string field's value, or "" when absent.
func (s *Spec) String(name string) string { return s.values[name].Text }

// Bool reports whether a boolean field is present and true.
func (s *Spec) Bool(name string) bool { return s.values[name].Text == "true" }

// Int returns an integer field's value, or 0 when absent.
func (s *Spec) Int(name string) int64 {
	n, _ := strconv.ParseInt(s.values[name].Text, 10, 64)
	return n
}

// Has reports whether a field is present.
func (s *Spec) Has(name string) bool {
	_, ok := s.values[name]
	return ok
}

// Names returns the canonical names present, in table order.
func (s *Spec) Names() []string {
	var names []string
	for i := range Fields {
		if _, ok := s.values[Fields[i].Name]; ok {
			names = append(names, Fields[i].Name)
		}
	}
	return names
}

// spelling is how one key of the input maps onto the table.
type spelling struct {
	field *Field
	alias *Alias
}

var spellings = func() map[string]spelling {
	m := make(map[string]spelling)
	for i := range Fields {
		f := &Fields[i]
		m[f.Name] = spelling{field: f}
		for j := range f.Aliases {
			m[f.Aliases[j].Name] = spelling{field: f, alias: &f.Aliases[j]}
		}
	}
	return m
}()

// knownNames is every spelling of the table, in its order: what an unknown
// member may have been meant to be.
var knownNames = func() []string {
	var names []string
	for _, f := range Fields {
		names = append(names, f.Name)
		for _, a := range f.Aliases {
			names = append(names, a.Name)
		}
	}
	return names
}()

var byName = func() map[string]*Field {
	m := make(map[string]*Field)
	for i := range Fields {
		m[Fields[i].Name] = &Fields[i]
	}
	return m
}()

// Lookup returns the row of a canonical field name.
func Lookup(name string) (*Field, bool) {
	f, ok := byName[name]
	return f, ok
}

// Pointer joins a JSON pointer prefix and one key, escaping as RFC 6901 asks.
func Pointer(prefix, key string) string {
	key = strings.ReplaceAll(key, "~", "~0")
	return prefix + "/" + strings.ReplaceAll(key, "/", "~1")
}

// parseSpec checks every member of obj against the table. prefix is the JSON
// pointer of obj inside the whole input ("/spec" in an aspera-cli session).
// JSON null counts as absent, as IBM's clients treat it.
func parseSpec(obj gjson.Result, prefix string) (*Spec, Problems) {
	return parse(obj, nil, prefix, "", false, nil)
}

// member is one member of an object, as ForEach gives it.
type member struct{ key, val gjson.Result }

// parse checks obj's members, walked already when members is not nil.
// listInArgs: the agent's ascp arguments give a file list, which stands
// for paths. streams are the paths arrays ReadInput read as they came,
// whose stand-ins obj holds.
func parse(obj gjson.Result, members []member, prefix, faspURL string, listInArgs bool, streams []*pathStream) (*Spec, Problems) {
	spec := &Spec{values: make(map[string]Value), given: make(map[string]bool)}
	if !obj.IsObject() {
		where := prefix
		if where == "" {
			where = "/"
		}
		return spec, Problems{{Pointer: where, Expected: "a transfer spec object", Found: describe(obj, false)}}
	}
	var problems Problems
	visit := func(key, val gjson.Result) bool {
		name := key.String()
		ptr := Pointer(prefix, name)
		sp, known := spellings[name]
		if !known {
			spec.Unknown = append(spec.Unknown, unknownField(ptr, name, knownNames))
			return true
		}
		if val.Type == gjson.Null {
			return true
		}
		spec.given[sp.field.Name] = true
		v, problem := check(sp, val, ptr)
		if problem != nil {
			problems = append(problems, *problem)
			return true
		}
		if prev, dup := spec.values[sp.field.Name]; dup {
			same := prev.Text == v.Text && (prev.JSON.Raw == v.JSON.Raw || !sp.field.Type.composite())
			if sp.field.Handling == Paths {
				same = samePaths(prev, v, streams)
			}
			if !same {
				problems = append(problems, Problem{Pointer: ptr,
					Expected: fmt.Sprintf("the same value as %s (two spellings of %s)", prev.Pointer, sp.field.Name),
					Found:    "a different value"})
			}
			return true
		}
		spec.values[sp.field.Name] = v.own(sp.field.Handling == Paths)
		return true
	}
	if members == nil {
		obj.ForEach(visit)
	}
	for _, m := range members {
		visit(m.key, m.val)
	}
	if faspURL != "" && !spec.given["fasp_url"] {
		spec.values["fasp_url"] = Value{JSON: gjson.Parse(jsonText(faspURL)), Text: faspURL, Pointer: "--url"}
	}
	problems = append(problems, expandFaspURL(spec)...)
	problems = append(problems, crossCheck(spec, prefix, listInArgs, streams)...)
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Pointer < problems[j].Pointer })
	return spec, problems
}

func (t Type) composite() bool { return t == Object || t == Array }

func check(sp spelling, val gjson.Result, ptr string) (Value, *Problem) {
	f := sp.field
	v := Value{JSON: val, Pointer: ptr}
	bad := func(expected string) (Value, *Problem) {
		return v, &Problem{Pointer: ptr, Expected: expected, Found: describe(val, f.hidden())}
	}
	switch f.Type {
	case String:
		var expected string
		if v.Text, expected = checkString(sp, val); expected != "" {
			return bad(expected)
		}
	case Integer:
		if val.Type != gjson.Number || !isInteger(val.Raw) {
			return bad("an integer")
		}
		n, err := strconv.ParseInt(val.Raw, 10, 64)
		if err != nil || n < 0 || (f.Max > 0 && n > f.Max) {
			return bad(rangeText(f))
		}
		v.Text = strconv.FormatInt(n, 10)
	case Boolean:
		if !val.IsBool() {
			return bad("true or false")
		}
		v.Text = strconv.FormatBool(val.Bool())
	case BooleanOrString:
		switch {
		case val.IsBool():
			v.Text = strconv.FormatBool(val.Bool())
		case val.Type == gjson.String && f.Accepted(val.Str):
			v.Text = val.Str
		default:
			return bad("true, false or " + quoteAll(f.Enum))
		}
	case IntegerOrDuration:
		switch {
		case val.Type == gjson.Number && isInteger(val.Raw) && val.Int() >= 0:
			v.Text = strconv.FormatInt(val.Int(), 10)
		case val.Type == gjson.String && durationPattern().MatchString(val.Str):
			v.Text = val.Str
		default:
			return bad("an integer number of seconds or a duration such as \"2m\" or \"1h30m\"")
		}
	case Object:
		if !val.IsObject() {
			return bad("an object")
		}
		if f.Option != "" && len(val.Raw) > maxValueBytes {
			return bad(fmt.Sprintf("an object of at most %d bytes of JSON (it becomes one ascp argument)", maxValueBytes))
		}
	case Array:
		if !val.IsArray() {
			return bad("an array")
		}
		if f.Items == String {
			if p := checkStrings(f, val, ptr); p != nil {
				return v, p
			}
		}
	}
	return v, nil
}

// checkString reads a string field: its canonical text, or what was
// expected instead.
func checkString(sp spelling, val gjson.Result) (text, expected string) {
	f := sp.field
	if val.Type != gjson.String {
		return "", "a string"
	}
	text = val.Str
	if sp.alias != nil {
		if canon, ok := sp.alias.Values[text]; ok {
			text = canon
		}
	}
	if !f.Accepted(text) {
		return "", "one of " + enumList(sp)
	}
	// A plain value reaches ascp as (part of) one argument: a control
	// character there is never legitimate and could fool a log reader.
	if f.Option != "" && f.Encoding == Plain && strings.IndexFunc(text, isControl) >= 0 {
		return "", "a value without control characters"
	}
	if problem := checkArgText(f, val.Str); problem != "" {
		return "", problem
	}
	return text, ""
}

// checkStrings checks the items of an array of strings: the first
// problem, or nil.
func checkStrings(f *Field, val gjson.Result, ptr string) *Problem {
	var p *Problem
	val.ForEach(func(i, item gjson.Result) bool {
		if item.Type != gjson.String {
			p = &Problem{Pointer: ptr + "/" + i.String(), Expected: "a string", Found: describe(item, f.hidden())}
			return false
		}
		if problem := checkArgText(f, item.Str); problem != "" {
			p = &Problem{Pointer: ptr + "/" + i.String(), Expected: problem, Found: describe(item, true)}
			return false
		}
		return true
	})
	return p
}

// hidden reports whether a problem with the field must not repeat its
// value: secrets, anything that travels in ascp's environment (the cookie
// may be secret too) and a proxy URL, which may hold a password.
func (f *Field) hidden() bool {
	return f.Secret || f.Env != "" || f.Handling == ProxyURL
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// durationPattern is a duration as IBM's tools write them: numbers each
// followed by a unit, "90s", "2m", "5min", "1h30m". Compiled on first use:
// few specs hold a duration, and every job's start would pay for it.
var durationPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(durationSchemaPattern) })

// durationSchemaPattern is durationPattern for the JSON Schema.
const durationSchemaPattern = `^(?:[0-9]+(?:ms|s|sec|m|min|h|hr|d))+$`

// checkArgText says what is wrong with a string that reaches ascp's argv,
// environment or list file, "" when nothing: a NUL byte would cut it short
// (or fail the start of ascp), and the kernel refuses an argument over
// 128 KiB. Fields that go nowhere are not checked.
func checkArgText(f *Field, s string) string {
	if f.Handling == Ignored {
		return ""
	}
	return rawArgProblem(s)
}

func isInteger(raw string) bool {
	return raw != "" && !strings.ContainsAny(raw, ".eE")
}

func rangeText(f *Field) string {
	if f.Max > 0 {
		return fmt.Sprintf("an integer from 0 to %d", f.Max)
	}
	return "an integer >= 0"
}

func enumList(sp spelling) string {
	values := sp.field.Enum
	if sp.alias != nil {
		values = enumSpelling(values, sp.alias.Values)
	}
	return quoteAll(values)
}

func quoteAll(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// describe says what was found without ever repeating a secret.
func describe(v gjson.Result, secret bool) string {
	var kind string
	switch {
	case !v.Exists():
		return "nothing"
	case v.Type == gjson.Null:
		return "null"
	case v.IsBool():
		kind = "boolean"
	case v.Type == gjson.Number:
		kind = "number"
	case v.Type == gjson.String:
		kind = "string"
	case v.IsArray():
		return "an array"
	case v.IsObject():
		return "an object"
	}
	if secret {
		return "a " + kind
	}
	text := v.Raw
	if len(text) > 80 {
		text = text[:77] + "..."
	}
	return kind + " " + text
}

// crossCheck enforces the rules that involve more than one field.
func crossCheck(spec *Spec, prefix string, listInArgs bool, streams []*pathStream) Problems {
	var problems Problems
	// A field given with a wrong value has its problem already; a fasp_url
	// has been expanded already, so its fields count as given. A file
	// list in the agent's ascp arguments stands for paths, as in IBM's
	// runner.
	for _, r := range requirements {
		if r.Field == "paths" && listInArgs {
			continue
		}
		if !spec.given[r.Field] && (r.UnlessTrue == "" || !spec.Bool(r.UnlessTrue)) {
			problems = append(problems, Problem{Pointer: Pointer(prefix, r.Field), Expected: r.Expected, Found: "nothing"})
		}
	}
	if paths, ok := spec.Get("paths"); ok {
		pathProblems, list, unknown := walkPaths(paths, spec.Bool("keepalive"), streams)
		problems = append(problems, pathProblems...)
		spec.paths = list
		spec.Unknown = append(spec.Unknown, unknown...)
	}
	return problems
}

// splitPathEntry returns the source and destination of an entry of the paths
// array in one walk of its members (the first of each name, as Get): two
// Gets would walk it twice, and a million entries are walked twice more.
func splitPathEntry(entry gjson.Result) (source, destination gjson.Result) {
	entry.ForEach(func(key, val gjson.Result) bool {
		switch {
		case key.Str == "source" && !source.Exists():
			source = val
		case key.Str == "destination" && !destination.Exists():
			destination = val
		}
		return !source.Exists() || !destination.Exists()
	})
	return source, destination
}
