package schema

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// PathList is the paths array as ascp's list file holds it: each source
// on a line of its own, followed in a pair list by its destination. The
// check's walk of the paths writes it as it goes, so that nothing walks a
// million entries again: into memory for a description parsed from
// memory, into a file (File) for one read as a stream (ReadInput with
// Spool).
type PathList struct {
	Entries int
	Pairs   bool // every entry has a destination

	lines   int
	mayGrow bool   // a source starts with GrowPrefix
	file    string // the lines' file, or "" when text holds them
	text    string // each line ended by '\n'

	once   sync.Once // loads a file's text, and finds where each line starts
	starts []int
	err    error
}

// GrowPrefix starts a source that ascp's file adapter reads while it is
// still being written (reference §8).
const GrowPrefix = "file:///"

// Lines is the number of lines.
func (p *PathList) Lines() int { return p.lines }

// File is the file that holds the lines, "" when they are in memory.
func (p *PathList) File() string { return p.file }

// MayGrow reports whether a source starts with GrowPrefix: only then
// may one be a growing file, which ascp takes on its command line.
func (p *PathList) MayGrow() bool { return p.mayGrow }

// Line is line i, without its end. A list in a file is read into memory
// first: a dry run's, a test's; a job reads its list forward instead.
func (p *PathList) Line(i int) string {
	p.once.Do(p.index)
	if p.err != nil {
		return ""
	}
	return p.text[p.starts[i] : p.starts[i+1]-1]
}

func (p *PathList) index() {
	if p.file != "" {
		data, err := os.ReadFile(p.file)
		if err != nil {
			p.err = err
			return
		}
		p.text = string(data)
	}
	p.starts = make([]int, 0, p.lines+1)
	for at := 0; at < len(p.text); {
		p.starts = append(p.starts, at)
		at += strings.IndexByte(p.text[at:], '\n') + 1
	}
	p.starts = append(p.starts, len(p.text))
	if len(p.starts) != p.lines+1 {
		p.err = fmt.Errorf("the list file %s is not what was written: %d lines, not %d", p.file, len(p.starts)-1, p.lines)
	}
}

// WriteTo writes the lines, each ended by '\n'.
func (p *PathList) WriteTo(w io.Writer) (int64, error) {
	if p.file == "" {
		n, err := io.WriteString(w, p.text)
		return int64(n), err
	}
	f, err := os.Open(p.file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(w, f)
}

// EachSource calls fn with each entry's source, in order, until it
// returns an error; a list in a file is read forward.
func (p *PathList) EachSource(fn func(i int, source string) error) error {
	step := 1
	if p.Pairs {
		step = 2
	}
	var r io.Reader = strings.NewReader(p.text)
	if p.file != "" {
		f, err := os.Open(p.file)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for line := 0; line < p.lines; line++ {
		text, err := br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("the list file %s is not what was written: %w", p.file, err)
		}
		if line%step == 0 {
			if err := fn(line/step, text[:len(text)-1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// sameLines reports whether two lists hold the same lines: two spellings
// of the paths array mean the same when they make the same list file.
func (p *PathList) sameLines(q *PathList) bool {
	if p.lines != q.lines || p.Pairs != q.Pairs || p.Entries != q.Entries {
		return false
	}
	if p.file == "" && q.file == "" {
		return p.text == q.text
	}
	pr, pw := io.Pipe()
	go func() { _, err := q.WriteTo(pw); pw.CloseWithError(err) }()
	defer pr.Close()
	same := &compareWriter{r: pr}
	if _, err := p.WriteTo(same); err != nil || same.differ {
		return false
	}
	var one [1]byte
	n, _ := pr.Read(one[:])
	return n == 0
}

// compareWriter compares what is written to it with what r reads.
type compareWriter struct {
	r      io.Reader
	buf    []byte
	differ bool
}

func (c *compareWriter) Write(p []byte) (int, error) {
	if c.differ {
		return len(p), nil
	}
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	b := c.buf[:len(p)]
	if _, err := io.ReadFull(c.r, b); err != nil || !bytes.Equal(b, p) {
		c.differ = true
	}
	return len(p), nil
}

// lineSink takes a paths array's lines as its check makes them: into
// memory, or through a buffer into a file. (A goroutine writing the
// buffers while the next filled was tried: on a busy host of two cores
// its hand-offs cost more CPU than the overlap saved, about a quarter of
// the streaming floor's time for a million pairs.)
type lineSink struct {
	buf     []byte
	file    *os.File // nil: buf holds every line
	path    string
	drop    bool // lines are not kept: the array is not used, or has a problem
	lines   int
	mayGrow bool
	closed  bool
	err     error
}

// sinkFlush is how much a file's sink gathers before it writes.
const sinkFlush = 128 << 10

// newFileSink takes lines into file f, at path.
func newFileSink(f *os.File, path string) *lineSink {
	return &lineSink{file: f, path: path, buf: make([]byte, 0, sinkFlush+4<<10)}
}

// entry takes an entry's source, and its destination when pair, as the
// next lines: the plain entries' way, with one look at the buffer.
func (s *lineSink) entry(src, dst []byte, pair bool) {
	if !s.mayGrow && hasPrefix(src, GrowPrefix) {
		s.mayGrow = true
	}
	s.lines++
	if pair {
		s.lines++
	}
	if s.drop {
		return
	}
	s.buf = append(s.buf, src...)
	s.buf = append(s.buf, '\n')
	if pair {
		s.buf = append(s.buf, dst...)
		s.buf = append(s.buf, '\n')
	}
	if s.file != nil && len(s.buf) >= sinkFlush {
		s.flush()
	}
}

// source takes an entry's source as the next line.
func (s *lineSink) source(line []byte) {
	if !s.mayGrow && hasPrefix(line, GrowPrefix) {
		s.mayGrow = true
	}
	s.line(line)
}

// line takes the next line.
func (s *lineSink) line(line []byte) {
	s.lines++
	if s.drop {
		return
	}
	s.buf = append(s.buf, line...)
	s.buf = append(s.buf, '\n')
	if s.file != nil && len(s.buf) >= sinkFlush {
		s.flush()
	}
}

func (s *lineSink) flush() {
	if s.err == nil {
		_, s.err = s.file.Write(s.buf)
	}
	s.buf = s.buf[:0]
}

// close writes what is left and closes the file.
func (s *lineSink) close() error {
	if s.closed {
		return s.err
	}
	s.closed = true
	if s.file != nil {
		if !s.drop {
			s.flush()
		}
		if err := s.file.Close(); s.err == nil {
			s.err = err
		}
		s.buf = nil
	}
	if s.err != nil {
		return fmt.Errorf("cannot write the list file: %w", s.err)
	}
	return nil
}

// remove removes the sink's file: its array is not the one used.
func (s *lineSink) remove() {
	s.close()
	if s.path != "" {
		os.Remove(s.path)
	}
}

// list is the sink's lines, once closed.
func (s *lineSink) list(entries, withDest int) *PathList {
	l := &PathList{Entries: entries, Pairs: withDest > 0, lines: s.lines, mayGrow: s.mayGrow, file: s.path}
	if s.file == nil {
		l.text = unsafeString(s.buf)
	}
	return l
}

func hasPrefix(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == prefix
}

// PathList is the spec's paths made into list lines by the check, nil
// when the spec has no valid paths array.
func (s *Spec) PathList() *PathList {
	if s.paths == nil {
		if v, ok := s.Get("paths"); ok && v.JSON.IsArray() {
			if problems, list := checkPaths(v, true, nil); len(problems) == 0 {
				s.paths = list
			}
		}
	}
	return s.paths
}

// checkPaths validates the entries that go into ascp's list files, where a
// path is one line: so no newline, and either every entry has a destination
// (a pair list) or none has. The same walk makes the list's lines, nil
// when there is a problem.
func checkPaths(paths Value, mayBeEmpty bool, streams []*pathStream) (Problems, *PathList) {
	problems, list, _ := walkPaths(paths, mayBeEmpty, streams)
	return problems, list
}

// pathMembers are the members an entry of the paths array may have.
var pathMembers = []string{"source", "destination"}

// walkPaths is checkPaths, which also names the unknown members of the
// entries: each name once, where it first appears, as a million entries
// with the same typo need one fix. An array ReadInput read as it came (a
// stand-in of streams) was checked then; any other is checked now, from
// its text.
func walkPaths(paths Value, mayBeEmpty bool, streams []*pathStream) (Problems, *PathList, []UnknownField) {
	if st := standInStream(paths, streams); st != nil {
		st.used = true
		problems, list := st.check.done(mayBeEmpty)
		return problems, list, st.check.unknown
	}
	c := &pathCheck{pointer: paths.Pointer, out: &lineSink{}}
	s := newTextReader([]byte(paths.JSON.Raw), int64(len(paths.JSON.Raw))+1)
	s.mark = -1
	if err := s.pathEntries(c); err != nil {
		// Not JSON: the parse read it from text not yet checked.
		return Problems{{Pointer: paths.Pointer, Expected: `an array of {"source": ...}`, Found: "text that is not valid JSON"}}, nil, nil
	}
	c.end()
	problems, list := c.done(mayBeEmpty)
	return problems, list, c.unknown
}

// standInStream is the paths array that paths stands in for, nil when
// paths is not a stand-in.
func standInStream(paths Value, streams []*pathStream) *pathStream {
	raw := paths.JSON.Raw
	if len(streams) == 0 || len(raw) < 3 || raw[0] != '[' || raw[len(raw)-1] != ']' {
		return nil
	}
	n, err := strconv.Atoi(raw[1 : len(raw)-1])
	if err != nil || n < 0 || n >= len(streams) || streams[n].check.pointer != paths.Pointer {
		return nil
	}
	return streams[n]
}

// samePaths reports whether two values of the paths field mean the same
// list: two spellings of the field may both be given if they agree.
func samePaths(a, b Value, streams []*pathStream) bool {
	sa, sb := standInStream(a, streams), standInStream(b, streams)
	if sa == nil || sb == nil {
		return a.JSON.Raw == b.JSON.Raw
	}
	pa, _ := sa.check.done(true)
	pb, _ := sb.check.done(true)
	if len(pa) > 0 || len(pb) > 0 {
		return false
	}
	return sa.check.list.sameLines(sb.check.list)
}

// pathEntry is a plain entry of the paths array: where its strings start
// and end (their closing quotes) in its text, dst -1 when it has none.
type pathEntry struct {
	src, dst       int
	srcEnd, dstEnd int
	srcEsc, dstEsc bool // the string holds escapes to decode
}

func skipBlanks(s []byte, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
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
func plainEntry(raw []byte) (e pathEntry, end int, ok bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return e, 0, false
	}
	e = pathEntry{src: -1, dst: -1}
	for i := skipBlanks(raw, 1); ; {
		at, atEnd, esc := &e.src, &e.srcEnd, &e.srcEsc
		switch rest := raw[i:]; {
		case hasPrefix(rest, `"source"`):
			i += len(`"source"`)
		case hasPrefix(rest, `"destination"`):
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
// JSON: gjson is left to say so. Most of a spec of a million paths is the
// paths' bytes: the quote is found by IndexByte, and the bytes before it
// are checked eight at a time.
func plainString(s []byte, i int) (end int, escaped, ok bool) {
	for j := i; j < len(s); {
		q := bytes.IndexByte(s[j:], '"')
		if q < 0 {
			return 0, false, false
		}
		end = j + q
		for k := j; k < end; {
			if k+8 <= end {
				if stringSpecials(binary.LittleEndian.Uint64(s[k:])) == 0 {
					k += 8
					continue
				}
			}
			switch c := s[k]; {
			case c == '\\':
				escaped = true
				k += 2
				continue
			case c < 0x20:
				return 0, false, false
			}
			k++
		}
		if !escaped || !escapedQuote(s, i, end) {
			return end, escaped, end > i
		}
		j = end + 1 // the quote is escaped: the string goes on
	}
	return 0, false, false
}

// escapedQuote reports whether the quote at s[q] is escaped: preceded by
// an odd number of backslashes, in the string that starts at s[i].
func escapedQuote(s []byte, i, q int) bool {
	n := 0
	for k := q - 1; k >= i && s[k] == '\\'; k-- {
		n++
	}
	return n%2 == 1
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// stringSpecials marks the high bit of each byte of x that plainString
// must look at (a backslash, a control character); a byte above a marked
// one may be marked too, never one below.
func stringSpecials(x uint64) uint64 {
	b := x ^ (lsb * '\\')
	return ((b-lsb)&^b | (x-lsb*0x20)&^x) & msb
}

// pathCheck checks the entries of a paths array one by one, and writes
// their lines to out.
type pathCheck struct {
	pointer               string
	out                   *lineSink
	problems              Problems
	unlisted              int // problems past MaxPathProblems
	withDest, withoutDest int
	i                     int // entries seen
	decoded               []byte
	list                  *PathList // once the array has ended

	// The unknown members of the entries, each name once, at most
	// MaxPathProblems names: what a spec of ten million entries may make
	// the check hold is bounded.
	unknown     []UnknownField
	unknownSeen map[string]bool
}

// noteUnknown notes the members of an entry other than source and
// destination. Only an entry that is not plain can have any.
func (c *pathCheck) noteUnknown(entry gjson.Result, i int) {
	entry.ForEach(func(key, _ gjson.Result) bool {
		name := key.String()
		if slices.Contains(pathMembers, name) || c.unknownSeen[name] || len(c.unknown) == MaxPathProblems {
			return true
		}
		if c.unknownSeen == nil {
			c.unknownSeen = map[string]bool{}
		}
		name = strings.Clone(name) // it may be in the input's window
		c.unknownSeen[name] = true
		ptr := Pointer(c.pointer+"/"+strconv.Itoa(i), name)
		c.unknown = append(c.unknown, unknownField(ptr, name, pathMembers))
		return true
	})
}

// problem records the problem of member (or of the entry, "") of entry i.
// The pointer is built only then: a million good paths would otherwise
// make a million strings. found may be in the input's window: kept as
// a copy.
func (c *pathCheck) problem(i int, member, expected, found string) {
	c.out.drop = true // the list will not be used
	if len(c.problems) == MaxPathProblems {
		c.unlisted++
		return
	}
	ptr := c.pointer + "/" + strconv.Itoa(i)
	if member != "" {
		ptr += "/" + member
	}
	c.problems = append(c.problems, Problem{Pointer: ptr, Expected: expected, Found: strings.Clone(found)})
}

// plain takes the plain entry e, whose text is text, and reports false,
// having done nothing, when it must be read by gjson instead: a string
// whose escapes JSON lacks, or whose decoded text is no path.
func (c *pathCheck) plain(e *pathEntry, text []byte) bool {
	src, dst := text[e.src:e.srcEnd], []byte(nil)
	if e.dst >= 0 {
		dst = text[e.dst:e.dstEnd]
	}
	if e.srcEsc || e.dstEsc {
		var ok bool
		c.decoded = c.decoded[:0]
		if e.srcEsc {
			if c.decoded, ok = appendUnescaped(c.decoded, unsafeString(src)); !ok || !isPathLine(c.decoded) {
				return false
			}
			src = c.decoded
		}
		if e.dstEsc {
			at := len(c.decoded)
			if c.decoded, ok = appendUnescaped(c.decoded, unsafeString(dst)); !ok || !isPathLine(c.decoded[at:]) {
				return false
			}
			if e.srcEsc {
				src = c.decoded[:at] // decoded may have moved
			}
			dst = c.decoded[at:]
		}
	}
	c.i++
	if e.dst < 0 {
		c.withoutDest++
	} else {
		c.withDest++
	}
	c.out.entry(src, dst, e.dst >= 0)
	return true
}

// isPathLine: a decoded string that pathProblem accepts.
func isPathLine(b []byte) bool {
	return len(b) > 0 && !bytes.ContainsAny(b, "\n\r\x00")
}

// json takes an entry as gjson reads it: any entry that is not plain.
func (c *pathCheck) json(entry gjson.Result) {
	i := c.i
	c.i++
	if !entry.IsObject() {
		c.problem(i, "", `an object {"source": ...}`, describe(entry, false))
		return
	}
	c.noteUnknown(entry, i)
	src, dst := splitPathEntry(entry)
	if !src.Exists() {
		c.problem(i, "source", "a source path", "nothing")
	} else if expected, found := pathProblem(src); expected != "" {
		c.problem(i, "source", expected, found)
	} else {
		c.out.source([]byte(src.Str))
	}
	if !dst.Exists() || dst.Type == gjson.Null {
		c.withoutDest++
		return
	}
	c.withDest++
	if expected, found := pathProblem(dst); expected != "" {
		c.problem(i, "destination", expected, found)
	} else {
		c.out.line([]byte(dst.Str))
	}
}

// end is the end of the array: its lines are complete.
func (c *pathCheck) end() error {
	if c.withDest > 0 && c.withoutDest > 0 {
		c.out.drop = true
	}
	err := c.out.close()
	c.list = c.out.list(c.i, c.withDest)
	return err
}

// done is the array's problems, or its list when it has none. mayBeEmpty:
// no entry is no problem (a keepalive session's).
func (c *pathCheck) done(mayBeEmpty bool) (Problems, *PathList) {
	problems := append(Problems(nil), c.problems...)
	if c.unlisted > 0 {
		problems = append(problems, Problem{Pointer: c.pointer, Expected: fmt.Sprintf("entries without problems (the first %d problems are listed)", MaxPathProblems),
			Found: fmt.Sprintf("%d more problems in later entries", c.unlisted)})
	}
	if c.withDest > 0 && c.withoutDest > 0 {
		problems = append(problems, Problem{Pointer: c.pointer,
			Expected: "either every entry with a destination or none",
			Found:    fmt.Sprintf("%d with and %d without", c.withDest, c.withoutDest)})
	}
	if c.withDest+c.withoutDest == 0 && len(problems) == 0 && !mayBeEmpty {
		problems = append(problems, Problem{Pointer: c.pointer, Expected: "at least one entry", Found: "an empty array"})
	}
	if len(problems) > 0 || c.list == nil {
		return problems, nil
	}
	return nil, c.list
}

// pathProblem says what is wrong with a source or destination given, ""
// when nothing: it must be one line of the list file.
func pathProblem(v gjson.Result) (expected, found string) {
	switch {
	case v.Type != gjson.String || v.Str == "":
		return "a non-empty string", describe(v, false)
	case strings.ContainsAny(v.Str, "\n\r"):
		return "a path without line breaks (paths travel in a list file)", "a line break"
	case strings.IndexByte(v.Str, 0) >= 0:
		return "a path without NUL bytes", "a NUL byte"
	}
	return "", ""
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

var (
	headWord0 = binary.LittleEndian.Uint64([]byte(`{"source`))
	headWord1 = binary.LittleEndian.Uint64([]byte(`ource":"`))
	midWord0  = binary.LittleEndian.Uint64([]byte(`","desti`))
	midWord1  = binary.LittleEndian.Uint64([]byte(`nation":`))
)

// compactEntry reads, into e, the entry at the start of b when it is written as
// most clients write one, {"source":"S"} or {"source":"S","destination":
// "D"}, with no blank: n is its length, 0 for any other entry, which
// plainEntry reads. A spec of ten million entries is mostly these.
func compactEntry(b []byte, e *pathEntry) (n int) {
	const head, mid = `{"source":"`, `","destination":"`
	// The names are compared a word at a time: `{"source` and `ource":"`
	// (bytes 0 to 7 and 3 to 10), `","desti` and `nation":` and a quote.
	if len(b) < len(head) || binary.LittleEndian.Uint64(b) != headWord0 || binary.LittleEndian.Uint64(b[3:]) != headWord1 {
		return 0
	}
	q, esc, ok := plainString(b, len(head))
	if !ok || q+2 > len(b) {
		return 0
	}
	*e = pathEntry{src: len(head), srcEnd: q, srcEsc: esc, dst: -1}
	switch {
	case b[q+1] == '}':
		return q + 2
	case len(b)-q < len(mid) || binary.LittleEndian.Uint64(b[q:]) != midWord0 || binary.LittleEndian.Uint64(b[q+8:]) != midWord1 || b[q+16] != '"':
		return 0
	}
	at := q + len(mid)
	q, esc, ok = plainString(b, at)
	if !ok || q+2 > len(b) || b[q+1] != '}' {
		return 0
	}
	e.dst, e.dstEnd, e.dstEsc = at, q, esc
	return q + 2
}
