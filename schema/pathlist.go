package schema

import (
	"maps"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// PathList is the paths array as ascp's list file holds it: each source
// on a line of its own, followed in a pair list by its destination. The
// check's walk of the paths makes it, so that nothing walks a million
// entries again. A line is where it lies in the input, unless it had to
// be decoded: a million lines cost four bytes each, not a copy.
type PathList struct {
	Entries int
	Pairs   bool // every entry has a destination

	src    string   // the paths array's JSON: a plain line ends at its closing quote
	side   string   // the lines that were decoded, each ended by '\n'
	starts []uint32 // per line: where it starts in src, or in side with inSide set
	wide   []int    // starts, for a src or side too long for starts: ^at in side
}

// inSide marks the start of a line in PathList.side.
const inSide = 1 << 31

// Lines is the number of lines.
func (p *PathList) Lines() int { return max(len(p.starts), len(p.wide)) }

// Line is line i, without its end.
func (p *PathList) Line(i int) string {
	var at int
	var side bool
	if p.wide != nil {
		at, side = p.wide[i], p.wide[i] < 0
		if side {
			at = ^at
		}
	} else {
		at, side = int(p.starts[i]&^inSide), p.starts[i]&inSide != 0
	}
	if side {
		t := p.side[at:]
		return t[:strings.IndexByte(t, '\n')]
	}
	t := p.src[at:]
	return t[:strings.IndexByte(t, '"')]
}

// pathLines makes a PathList, taking its lines in order.
type pathLines struct {
	list PathList
	side strings.Builder
}

// newPathLines takes the offsets' slice at once at its largest: the
// shortest entry, {"source":"x"} and its comma, is 15 bytes. Grown by
// append instead, a million lines would leave four times their size
// of garbage at the peak of set-up; the end that is never written is
// never touched, and costs no memory.
func newPathLines(src string) *pathLines {
	l := &pathLines{list: PathList{src: src}}
	if most := len(src)/15 + 1; len(src) >= inSide {
		l.list.wide = make([]int, 0, most)
	} else {
		l.list.starts = make([]uint32, 0, most)
	}
	return l
}

// plain takes the next line: the string that starts at off in src.
func (l *pathLines) plain(off int) {
	if l.list.wide != nil {
		l.list.wide = append(l.list.wide, off)
	} else {
		l.list.starts = append(l.list.starts, uint32(off))
	}
}

// decoded takes the next line: a string decoded from its JSON.
func (l *pathLines) decoded(line string) {
	l.reserve()
	l.sideLine(l.side.Len())
	l.side.WriteString(line)
	l.side.WriteByte('\n')
}

// decodedBytes is decoded for a line in a scratch buffer.
func (l *pathLines) decodedBytes(line []byte) {
	l.reserve()
	l.sideLine(l.side.Len())
	l.side.Write(line)
	l.side.WriteByte('\n')
}

// reserve makes room in side, at its first line, for every line to come:
// a decoded line and its end are never longer than its JSON string. The
// room is memory only once written, and a side grown by doubling would
// leave each smaller copy behind at set-up's peak.
func (l *pathLines) reserve() {
	if l.side.Cap() == 0 {
		l.side.Grow(len(l.list.src) + 1)
	}
}

// sideLine takes the next line: the one that starts at off in side.
func (l *pathLines) sideLine(off int) {
	// A decoded string is never longer than its JSON: side is shorter
	// than src, so its offsets fit where those of src do.
	if l.list.wide != nil {
		l.list.wide = append(l.list.wide, ^off)
	} else {
		l.list.starts = append(l.list.starts, uint32(off)|inSide)
	}
}

func (l *pathLines) done(entries, withDest int) *PathList {
	l.list.Entries, l.list.Pairs, l.list.side = entries, withDest > 0, l.side.String()
	return &l.list
}

// PathList is the spec's paths made into list lines by the check, nil
// when the spec has no valid paths array.
func (s *Spec) PathList() *PathList {
	if s.paths == nil {
		if v, ok := s.Get("paths"); ok && v.JSON.IsArray() {
			if problems, list := checkPaths(v, true); len(problems) == 0 {
				s.paths = list
			}
		}
	}
	return s.paths
}

// pathEntry is one entry of the paths array: plain, with where its
// strings start and end (their closing quotes) in the array's text (dst -1
// when it has none), or any other, for gjson to read.
type pathEntry struct {
	plain          bool
	src, dst       int
	srcEnd, dstEnd int
	srcEsc, dstEsc bool   // the string holds escapes to decode
	text           string // the entry's JSON, for gjson when a decoded string is not a path
	json           gjson.Result
}

// plainAt is a plain entry read by plainEntry at raw[at:].
func plainAt(e pathEntry, raw string, at, end int) pathEntry {
	e.src, e.srcEnd = e.src+at, e.srcEnd+at
	if e.dst >= 0 {
		e.dst, e.dstEnd = e.dst+at, e.dstEnd+at
	}
	e.text = raw[at:end]
	return e
}

// eachPlainEntry calls fn with each entry of the array text raw. It reads
// the usual entry itself, as plainEntry does, and finds where any other
// ends for gjson: a million entries are read at the speed of a byte
// search, and not once more to find their ends. It reports false, having
// stopped, at text that is not JSON.
func eachPlainEntry(raw string, fn func(pathEntry)) bool {
	i := skipBlanks(raw, 0)
	if i == len(raw) || raw[i] != '[' {
		return false
	}
	if i = skipBlanks(raw, i+1); i < len(raw) && raw[i] == ']' {
		return true
	}
	for i < len(raw) {
		var end int
		if e, n, ok := plainEntry(raw[i:]); ok {
			end = i + n
			fn(plainAt(e, raw, i, end))
		} else if end = valueEnd(raw, i); end > i {
			fn(pathEntry{json: gjson.Parse(raw[i:end])})
		} else {
			return false
		}
		switch i = skipBlanks(raw, end); {
		case i == len(raw):
			return false
		case raw[i] == ']':
			return true
		case raw[i] != ',':
			return false
		}
		i = skipBlanks(raw, i+1)
	}
	return false
}

// eachEntry calls fn with each entry of the array as gjson reads it.
func eachEntry(paths gjson.Result, fn func(pathEntry)) {
	paths.ForEach(func(_, entry gjson.Result) bool {
		at := entry.Index - paths.Index
		if at >= 0 && at+len(entry.Raw) <= len(paths.Raw) && paths.Raw[at:at+len(entry.Raw)] == entry.Raw {
			if e, n, ok := plainEntry(entry.Raw); ok && n == len(entry.Raw) {
				fn(plainAt(e, paths.Raw, at, at+n))
				return true
			}
		}
		fn(pathEntry{json: entry})
		return true
	})
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// valueEnd is where the JSON value that starts at s[i] ends, i when there
// is none there. It trusts the text no more than to stop within it.
func valueEnd(s string, i int) int {
	switch s[i] {
	case '"':
		if end := stringEnd(s, i+1); end < len(s) {
			return end + 1
		}
		return i
	case '{', '[':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				j = stringEnd(s, j+1)
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return i
	}
	j := i
	for j < len(s) && !strings.ContainsRune(",]} \t\n\r", rune(s[j])) {
		j++
	}
	return j
}

// plainEntry reads an entry as clients write it: {"source":"S"} or
// {"source":"S","destination":"D"}, the members in either order, each
// once, compact or pretty-printed (jq, Python's json.dump and
// JSON.stringify with an indent put blanks around every token), at the
// start of raw. Its strings may hold escapes (Python writes é as \u00e9):
// pathCheck decodes them. Any other entry (another member, a member twice,
// a string with a control character, which is not JSON) is left to gjson,
// so that its meaning and its problems are those of every other entry.
// Offsets are in raw; end is where the entry ends.
func plainEntry(raw string) (e pathEntry, end int, ok bool) {
	if raw == "" || raw[0] != '{' {
		return e, 0, false
	}
	e = pathEntry{plain: true, src: -1, dst: -1}
	for i := skipBlanks(raw, 1); ; {
		at, atEnd, esc := &e.src, &e.srcEnd, &e.srcEsc
		switch rest := raw[i:]; {
		case strings.HasPrefix(rest, `"source"`):
			i += len(`"source"`)
		case strings.HasPrefix(rest, `"destination"`):
			i, at, atEnd, esc = i+len(`"destination"`), &e.dst, &e.dstEnd, &e.dstEsc
		default:
			return e, 0, false
		}
		if i = skipBlanks(raw, i); i == len(raw) || raw[i] != ':' {
			return e, 0, false
		}
		if i = skipBlanks(raw, i+1); i == len(raw) || raw[i] != '"' || *at >= 0 {
			return e, 0, false
		}
		q, escaped, ok := plainString(raw, i+1)
		if !ok {
			return e, 0, false
		}
		*at, *atEnd, *esc = i+1, q, escaped
		switch i = skipBlanks(raw, q+1); {
		case i == len(raw):
			return e, 0, false
		case raw[i] == '}':
			return e, i + 1, e.src >= 0
		case raw[i] != ',':
			return e, 0, false
		}
		i = skipBlanks(raw, i+1)
	}
}

// plainString finds the closing quote of a non-empty string that starts
// at s[i]; escaped reports a backslash in it. A control character is not
// JSON: gjson is left to say so.
func plainString(s string, i int) (end int, escaped, ok bool) {
	for j := i; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return j, escaped, j > i
		case c == '\\':
			escaped = true
			j++
		case c < 0x20:
			return 0, false, false
		}
	}
	return 0, false, false
}

// appendUnescaped appends the JSON string body s decoded as gjson decodes
// it, so that a line is the same whoever reads it: a \u escape of a
// surrogate takes the \u escape after it as its pair, whatever it is, and
// what makes no character becomes U+FFFD. ok is false for an escape JSON
// does not have, left to gjson.
func appendUnescaped(dst []byte, s string) (_ []byte, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		if i++; i == len(s) {
			return dst, false
		}
		switch s[i] {
		case '"', '\\', '/':
			dst = append(dst, s[i])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hexRune(s, i+1)
			if !ok {
				return dst, false
			}
			i += 4
			if utf16.IsSurrogate(r) && i+7 <= len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
				r2, ok := hexRune(s, i+3)
				if !ok {
					return dst, false
				}
				r = utf16.DecodeRune(r, r2)
				i += 6
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, false
		}
	}
	return dst, true
}

// hexRune reads the four hex digits at s[i:].
func hexRune(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// own is v holding none of the input it was read from, so that the input
// can be freed: a value is a few bytes, and a substring of the input would
// keep all of it. The paths stay where they are, as the list file's text
// is made from them: WithoutPaths lets them go once it is written.
func (v Value) own(paths bool) Value {
	if paths {
		return v
	}
	v.Text = strings.Clone(v.Text)
	raw := strings.Clone(v.JSON.Raw)
	if v.JSON.Str == v.JSON.Raw {
		v.JSON.Str = raw
	} else {
		v.JSON.Str = strings.Clone(v.JSON.Str)
	}
	v.JSON.Raw = raw
	return v
}

// WithoutPaths is a copy of in whose spec no longer holds the paths
// array's JSON nor its list lines, the spec's only hold on its input
// once they are in the list file: the paths value keeps its pointer
// only. in itself is left as it is.
func (in *Input) WithoutPaths() *Input {
	out := *in
	if in.Spec == nil || in.Spec.paths == nil && !in.Spec.Has("paths") {
		return &out
	}
	spec := *in.Spec
	spec.values = maps.Clone(in.Spec.values)
	spec.paths = nil
	if v, ok := spec.values["paths"]; ok {
		spec.values["paths"] = Value{Pointer: v.Pointer}
	}
	out.Spec = &spec
	return &out
}
