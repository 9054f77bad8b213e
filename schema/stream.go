package schema

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"unsafe"

	"github.com/tidwall/gjson"
)

// A job description is read as it arrives, in one pass that holds only
// what the parse needs: every byte but the entries of the paths arrays,
// which are checked one at a time as they pass and written out as the
// list file's lines. A spec of ten million paths is read in the memory of
// one of them; what is held is the rest of the description, which
// ReadOptions.MaxHeld bounds.
//
// The walk follows the objects where a spec may be (the root, /spec,
// /transfer_specs/N/transfer_spec) and the members that lead to them;
// every other value is passed over by a scanner that only matches its
// brackets, and the text held is checked whole by gjson at the end, as
// ParseInput always did. The paths arrays' entries are checked as they
// pass, each as JSON on its own, so that the text held plus its entries
// is valid exactly when the whole text is.

// ReadOptions tune ReadInput.
type ReadOptions struct {
	// MaxHeld bounds what is held in memory: the description without the
	// entries of its paths arrays, and any one entry. 0 means
	// DefaultMaxInputBytes.
	MaxHeld int64
	// FaspURL, when not empty, is a fasp:// link given beside the input
	// (the --url flag): see ParseInput.
	FaspURL string
	// FirstValue reads the first JSON value of r and nothing after it,
	// leaving the rest (stdin's command channel); otherwise r must hold
	// nothing else but blanks.
	FirstValue bool
	// Spool writes the paths' list lines to a file in a private folder
	// made in the system's temporary folder, instead of keeping them in
	// memory; Input.Close removes it.
	Spool bool
}

// ErrTooLarge is an input that holds more than ReadOptions.MaxHeld.
var ErrTooLarge = errors.New("input too large")

// ErrNoInput is an input with no JSON value, only blanks or nothing.
var ErrNoInput = errors.New("no JSON value")

// ReadError is a failure to read the input: not the input's fault.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// SyntaxError is text that cannot be JSON, found while reading it:
// a byte that cannot start a value, a bracket that closes the wrong one,
// the end of the input inside a value. Other faults are found once the
// text is read, and reported as a Problem.
type SyntaxError struct {
	Offset int64 // where in the input
	Msg    string
}

func (e *SyntaxError) Error() string { return e.Msg }

// ReadInput reads a job description from r, as ParseInput parses one,
// in one pass that never holds the whole input (see above). rest is what
// r holds after the description when opts.FirstValue is set, and r
// otherwise. err is a *ReadError, ErrTooLarge, ErrNoInput, a *SyntaxError
// or a failure to write the list file; problems are the description's. On either, nothing is
// left on disk; otherwise in.Close removes what opts.Spool wrote.
func ReadInput(r io.Reader, opts ReadOptions) (in *Input, rest io.Reader, problems Problems, err error) {
	s := newInputReader(r, opts.MaxHeld)
	if opts.Spool {
		s.spool = &spool{}
	}
	rest = r
	err = s.read(opts.FirstValue)
	if opts.FirstValue && s.owned && s.pos < s.end {
		rest = io.MultiReader(bytes.NewReader(bytes.Clone(s.buf[s.pos:s.end])), r)
	}
	in, problems, err = s.finish(opts.FaspURL, err)
	return in, rest, problems, err
}

// errNotJSON is text found not to be JSON by the walk itself.
var errNotJSON = errors.New("not JSON")

// notJSON is the problem of text that is not JSON.
var notJSON = Problem{Pointer: "/", Expected: "a JSON object", Found: "text that is not valid JSON"}

// tooDeep is the problem of text nested deeper than maxDepth.
var tooDeep = Problem{Pointer: "/", Expected: fmt.Sprintf("JSON nested at most %d levels deep", maxDepth), Found: "deeper nesting"}

// inputReader is one pass over a job description.
type inputReader struct {
	r       io.Reader
	buf     []byte // the window: the unread input is buf[pos:end]
	pos     int
	end     int
	off     int64 // where buf[0] is in the input
	owned   bool  // buf is ours to write into (not the caller's text)
	readErr error // io.EOF once the input ended

	limit   int64
	mark    int // buf[mark:pos] is read and not yet held; -1 inside a paths array
	held    blocks
	heldLen int64
	depth   int // the arrays and objects open at pos

	scanner valueScanner
	entryAt pathEntry     // the plain entry read last
	spool   *spool        // nil: list lines kept in memory
	streams []*pathStream // the paths arrays read, by stand-in number
}

// window is the size of the buffer the input is read through.
const window = 128 << 10

func newInputReader(r io.Reader, limit int64) *inputReader {
	if limit <= 0 {
		limit = DefaultMaxInputBytes
	}
	return &inputReader{r: r, buf: make([]byte, window), owned: true, limit: limit}
}

// newTextReader reads text already in memory, in place: nothing of it is
// ever written to.
func newTextReader(text []byte, limit int64) *inputReader {
	if limit <= 0 {
		limit = DefaultMaxInputBytes
	}
	return &inputReader{buf: text, end: len(text), readErr: io.EOF, limit: limit}
}

func (s *inputReader) tooLarge() error {
	return fmt.Errorf("%w: the job description, its paths array aside, is over %d bytes (--max-input raises the limit)", ErrTooLarge, s.limit)
}

// fill reads more input into the window, keeping buf[keep:]: the rest is
// held (outside a paths array) or done with. It returns io.EOF at the end
// of the input.
func (s *inputReader) fill(keep int) error {
	if s.readErr != nil {
		return s.readErr
	}
	if s.mark >= 0 {
		if err := s.hold(s.buf[s.mark:s.pos]); err != nil {
			return err
		}
		s.mark = s.pos
	}
	if keep > 0 {
		s.end = copy(s.buf, s.buf[keep:s.end])
		s.pos -= keep
		s.off += int64(keep)
		if s.mark >= 0 {
			s.mark -= keep
		}
	}
	if s.end == len(s.buf) {
		// One entry of a paths array fills the window.
		if int64(s.end) > s.limit {
			return fmt.Errorf("%w: an entry of the paths array is over %d bytes (--max-input raises the limit)", ErrTooLarge, s.limit)
		}
		grown := make([]byte, min(2*int64(len(s.buf)), s.limit+window))
		copy(grown, s.buf[:s.end])
		s.buf = grown
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			if err != io.EOF {
				err = &ReadError{err}
			}
			s.readErr = err
			if n > 0 {
				return nil
			}
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

// hold keeps p, a part of the text the parse reads.
func (s *inputReader) hold(p []byte) error {
	room := s.limit - s.heldLen
	if s.heldLen += int64(len(p)); s.heldLen > s.limit {
		return s.tooLarge()
	}
	s.held.add(p, room)
	return nil
}

// syntax is a SyntaxError at pos.
func (s *inputReader) syntax(msg string) error {
	return &SyntaxError{Offset: s.off + int64(s.pos), Msg: msg}
}

// eofError is the error of an input that ends in a value.
func (s *inputReader) eofError(err error) error {
	if err == io.EOF {
		return s.syntax("unexpected end of input")
	}
	return err
}

// skipBlanks moves pos to the next byte that is not a blank, reading
// more input as needed; the end of the input there is an error.
func (s *inputReader) skipBlanks() error {
	for {
		for s.pos < s.end {
			switch s.buf[s.pos] {
			case ' ', '\t', '\n', '\r':
				s.pos++
				continue
			}
			return nil
		}
		if err := s.fill(s.pos); err != nil {
			return s.eofError(err)
		}
	}
}

// enter opens an array or object at pos.
func (s *inputReader) enter() error {
	s.pos++
	if s.depth++; s.depth > maxDepth {
		return errTooDeep
	}
	return nil
}

// read walks the description.
func (s *inputReader) read(first bool) error {
	if err := s.skipBlanks(); err != nil {
		if errors.Is(err, io.EOF) || isEOFSyntax(err) {
			return ErrNoInput
		}
		return err
	}
	if err := s.value(place{kind: atRoot}); err != nil {
		return err
	}
	if first {
		return nil
	}
	// Only blanks may follow.
	for {
		for ; s.pos < s.end; s.pos++ {
			switch s.buf[s.pos] {
			case ' ', '\t', '\n', '\r':
				continue
			}
			return errNotJSON
		}
		if err := s.fill(s.pos); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

func isEOFSyntax(err error) bool {
	var se *SyntaxError
	return errors.As(err, &se) && se.Msg == "unexpected end of input"
}

// place is where a value stands, as far as the walk cares: where a spec
// or the path to one may be.
type place struct {
	kind    placeKind
	pointer string // the value's JSON pointer
	unused  bool   // a transfer spec after the first: its paths are never used
}

type placeKind uint8

const (
	elsewhere  placeKind = iota
	atRoot               // a bare spec, or an envelope
	atSpec               // /spec, /transfer_specs/N/transfer_spec
	atSpecList           // /transfer_specs
	atSpecItem           // /transfer_specs/N
)

// member is the place of the member key of an object at p.
func (p place) member(key string) place {
	switch {
	case p.kind == atRoot && key == "spec":
		return place{kind: atSpec, pointer: "/spec"}
	case p.kind == atRoot && key == "transfer_specs":
		return place{kind: atSpecList, pointer: "/transfer_specs"}
	case p.kind == atSpecItem && key == "transfer_spec":
		return place{kind: atSpec, pointer: p.pointer + "/transfer_spec", unused: p.unused}
	}
	return place{}
}

// value reads the value at pos, which is not a blank.
func (s *inputReader) value(at place) error {
	switch c := s.buf[s.pos]; {
	case c == '{' && (at.kind == atRoot || at.kind == atSpec || at.kind == atSpecItem):
		return s.object(at)
	case c == '[' && at.kind == atSpecList:
		return s.specList(at)
	}
	return s.leaf()
}

// object reads an object where a spec or the path to one may be.
func (s *inputReader) object(at place) error {
	if err := s.enter(); err != nil {
		return err
	}
	if err := s.skipBlanks(); err != nil {
		return err
	}
	if s.buf[s.pos] == '}' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if s.buf[s.pos] != '"' {
			return errNotJSON
		}
		key, err := s.key()
		if err != nil {
			return err
		}
		if err := s.skipBlanks(); err != nil {
			return err
		}
		if s.buf[s.pos] != ':' {
			return errNotJSON
		}
		s.pos++
		if err := s.skipBlanks(); err != nil {
			return err
		}
		if key == "paths" && s.buf[s.pos] == '[' && (at.kind == atRoot || at.kind == atSpec) {
			err = s.paths(at)
		} else {
			err = s.value(at.member(key))
		}
		if err != nil {
			return err
		}
		if err := s.skipBlanks(); err != nil {
			return err
		}
		c := s.buf[s.pos]
		s.pos++
		switch c {
		case '}':
			s.depth--
			return nil
		case ',':
			if err := s.skipBlanks(); err != nil {
				return err
			}
			continue
		}
		return errNotJSON
	}
}

// specList reads the array of a Node API response's transfer specs.
func (s *inputReader) specList(at place) error {
	if err := s.enter(); err != nil {
		return err
	}
	for i := 0; ; i++ {
		if err := s.skipBlanks(); err != nil {
			return err
		}
		if i == 0 && s.buf[s.pos] == ']' {
			s.pos++
			s.depth--
			return nil
		}
		item := place{kind: atSpecItem, pointer: at.pointer + "/" + strconv.Itoa(i), unused: i > 0}
		if err := s.value(item); err != nil {
			return err
		}
		if err := s.skipBlanks(); err != nil {
			return err
		}
		c := s.buf[s.pos]
		s.pos++
		switch c {
		case ']':
			s.depth--
			return nil
		case ',':
			continue
		}
		return errNotJSON
	}
}

// maxKeyBytes is the longest member name, as written, that the walk
// reads: longer than any it looks for, escapes and all.
const maxKeyBytes = 128

// key reads the member name at pos, and returns it decoded when it is one
// the walk may look for ("" otherwise). It reads no more input than the
// name needs: stdin's writer may wait for asession before it sends more.
func (s *inputReader) key() (string, error) {
	for {
		text := s.buf[s.pos+1 : min(s.end, s.pos+2+maxKeyBytes)]
		for i := 0; i < len(text); i++ {
			switch text[i] {
			case '\\':
				i++
				continue
			case '"':
				name := ""
				if raw := text[:i]; bytes.IndexByte(raw, '\\') < 0 {
					name = string(raw)
				} else if decoded, ok := appendUnescaped(nil, unsafeString(raw)); ok {
					name = string(decoded)
				}
				return name, s.leaf()
			}
		}
		if len(text) > maxKeyBytes || s.readErr != nil {
			return "", s.leaf() // too long to be a name the walk looks for
		}
		if err := s.fill(s.pos); err != nil && err != io.EOF {
			return "", err
		}
	}
}

// leaf passes over the value at pos, held.
func (s *inputReader) leaf() error {
	sc := &s.scanner
	*sc = valueScanner{open: sc.open[:0], depth: s.depth}
	for {
		n, done, err := sc.scan(s.buf[s.pos:s.end])
		s.pos += n
		if err != nil {
			return s.scanError(err)
		}
		if done {
			return nil
		}
		if err := s.fill(s.pos); err != nil {
			if err == io.EOF && sc.scalar {
				return nil // a number or literal ends with the input
			}
			return s.eofError(err)
		}
	}
}

func (s *inputReader) scanError(err error) error {
	if err == errTooDeep {
		return err
	}
	return s.syntax(err.Error())
}

// pathStream is one paths array read by the walk: its check, its lines.
type pathStream struct {
	check *pathCheck
	used  bool
}

// standIn is what the held text has in place of paths array n: an array,
// as the parse expects, which checkPaths looks up.
func standIn(n int) []byte { return fmt.Appendf(nil, "[%d]", n) }

// paths reads the paths array at pos of the spec at at: its entries are
// checked and written as list lines, and the held text gets a stand-in.
func (s *inputReader) paths(at place) error {
	if err := s.hold(s.buf[s.mark:s.pos]); err != nil {
		return err
	}
	s.held.add(standIn(len(s.streams)), 64) // not the input's: not counted
	out, err := s.spool.sink(at.unused)
	if err != nil {
		return err
	}
	c := &pathCheck{pointer: Pointer(at.pointer, "paths"), out: out}
	s.streams = append(s.streams, &pathStream{check: c})
	s.mark = -1
	if err := s.pathEntries(c); err != nil {
		return err
	}
	s.mark = s.pos
	return c.end()
}

// pathEntries reads a paths array from its '[' at pos to its end, each
// entry checked by c.
func (s *inputReader) pathEntries(c *pathCheck) error {
	if err := s.enter(); err != nil {
		return err
	}
	if err := s.skipBlanks(); err != nil {
		return err
	}
	if s.buf[s.pos] == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if err := s.entry(c); err != nil {
			return err
		}
		// The usual ',' between entries, without a call.
		if s.pos < s.end && s.buf[s.pos] == ',' {
			s.pos++
			if s.pos < s.end && s.buf[s.pos] == '{' {
				continue
			}
		} else {
			if err := s.skipBlanks(); err != nil {
				return err
			}
			ch := s.buf[s.pos]
			s.pos++
			if ch == ']' {
				s.depth--
				return nil
			}
			if ch != ',' {
				return errNotJSON
			}
		}
		if err := s.skipBlanks(); err != nil {
			return err
		}
	}
}

// entry reads the entry of a paths array at pos.
func (s *inputReader) entry(c *pathCheck) error {
	start := s.pos
	// e is filled in place: a struct returned by value and copied
	// stalled each entry on its stores (store forwarding).
	e := &s.entryAt
	if n := compactEntry(s.buf[start:s.end], e); n > 0 && c.plain(e, s.buf[start:start+n]) {
		s.pos += n
		return nil
	}
	if pe, n, ok := plainEntry(s.buf[start:s.end]); ok && c.plain(&pe, s.buf[start:start+n]) {
		s.pos += n
		return nil
	}
	// Not plain, or not wholly in the window: find its end.
	sc := &s.scanner
	*sc = valueScanner{open: sc.open[:0], depth: s.depth}
	for {
		n, done, err := sc.scan(s.buf[s.pos:s.end])
		s.pos += n
		if err != nil {
			return s.scanError(err)
		}
		if done {
			break
		}
		// fill moves the entry to the front of the window, or leaves it
		// where it was when the input has ended: start follows it.
		scanned := s.pos - start
		err = s.fill(start)
		start = s.pos - scanned
		if err != nil {
			if err == io.EOF && sc.scalar {
				break
			}
			return s.eofError(err)
		}
	}
	text := s.buf[start:s.pos]
	if pe, n, ok := plainEntry(text); ok && n == len(text) && c.plain(&pe, text) {
		return nil
	}
	if !gjson.ValidBytes(text) {
		return errNotJSON
	}
	c.json(gjson.Parse(unsafeString(text)))
	return nil
}

// unsafeString is b as a string, for reading only while b is unchanged.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// finish parses what was held once the walk is over, and leaves on disk
// only the list of the paths the spec uses, and only when it is valid.
func (s *inputReader) finish(faspURL string, err error) (*Input, Problems, error) {
	newInput := func() *Input {
		return &Input{Envelope: Bare, Agent: Agent{MultiIncrUDP: multiIncrUDPDefault(runtime.GOOS)}}
	}
	for _, st := range s.streams {
		st.check.out.close() // a walk that stopped in the array
	}
	var problems Problems
	switch {
	case err == errNotJSON:
		err, problems = nil, Problems{notJSON}
	case err == errTooDeep:
		err, problems = nil, Problems{tooDeep}
	}
	if err != nil || len(problems) > 0 {
		s.spool.remove()
		return newInput(), problems, err
	}
	if s.mark >= 0 {
		if err := s.hold(s.buf[s.mark:s.pos]); err != nil {
			s.spool.remove()
			return newInput(), nil, err
		}
	}
	text := s.held.join()
	s.held = nil
	if !gjson.ValidBytes(text) {
		s.spool.remove()
		return newInput(), Problems{notJSON}, nil
	}
	in, problems := parseInput(newInput(), text, faspURL, s.streams)
	if len(problems) > 0 {
		if s.spool.remove(); in.Spec != nil && in.Spec.paths != nil && in.Spec.paths.file != "" {
			in.Spec.paths = nil // its file is gone
		}
		return in, problems, nil
	}
	for _, st := range s.streams {
		if !st.used {
			st.check.out.remove()
		}
	}
	list := in.Spec.paths
	if list == nil || list.file == "" {
		s.spool.remove()
		return in, nil, nil
	}
	// The list is where the job's own would be, in a folder that can be
	// the job's: one private folder, holding one file.
	final := filepath.Join(s.spool.dir, ListFileName)
	if err := os.Rename(list.file, final); err != nil {
		s.spool.remove()
		return newInput(), nil, fmt.Errorf("cannot create the list file: %w", err)
	}
	list.file = final
	in.spool = s.spool
	return in, nil, nil
}

// ListFileName is the name of the list file in a job's private folder.
const ListFileName = "paths.txt"

// ListFolder is the private folder that ReadInput wrote the list file
// to, as ListFileName, "" when it wrote none. A job may take it as its
// own; Close removes it.
func (in *Input) ListFolder() string {
	if in == nil || in.spool == nil {
		return ""
	}
	return in.spool.dir
}

// spool is the private folder a big job's list lines are written to as
// they are read, before the job has its own.
type spool struct {
	dir   string
	files int
}

// sink returns where the lines of the next paths array go: a file of the
// spool, memory (no spool), or nowhere (unused).
func (sp *spool) sink(unused bool) (*lineSink, error) {
	switch {
	case unused:
		return &lineSink{drop: true}, nil
	case sp == nil:
		return &lineSink{}, nil
	}
	if sp.dir == "" {
		// MkdirTemp makes it 0700: the list names what is transferred.
		dir, err := os.MkdirTemp("", "asession-input-")
		if err != nil {
			return nil, fmt.Errorf("cannot create a private temporary folder for the list file: %w", err)
		}
		sp.dir = dir
	}
	sp.files++
	path := filepath.Join(sp.dir, fmt.Sprintf("input-%d.txt", sp.files))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot create the list file: %w", err)
	}
	return newFileSink(f, path), nil
}

// remove removes the spool's folder and every file in it.
func (sp *spool) remove() error {
	if sp == nil || sp.dir == "" {
		return nil
	}
	err := os.RemoveAll(sp.dir)
	sp.dir = ""
	return err
}

// Close removes the list file that ReadInput wrote the paths to, if any,
// once the job no longer needs it: after Run, or a dry run.
func (in *Input) Close() error {
	if in == nil {
		return nil
	}
	return in.spool.remove()
}

// blocks hold the text of unknown size the parse reads: blocks that
// double up to 8 MB, joined once. A slice grown by append would copy a
// big text several times over and leave each old copy behind.
type blocks [][]byte

// add appends p; no new block is larger than room, what the limit
// leaves, so that an endless input is refused in the memory of its limit.
func (b *blocks) add(p []byte, room int64) {
	for len(p) > 0 {
		last := len(*b) - 1
		if last < 0 || len((*b)[last]) == cap((*b)[last]) {
			size := 4 << 10
			if last >= 0 {
				size = min(2*cap((*b)[last]), 8<<20)
			}
			size = int(max(min(int64(size), room), int64(len(p))))
			*b = append(*b, make([]byte, 0, size))
			last++
		}
		block := &(*b)[last]
		n := min(len(p), cap(*block)-len(*block))
		*block = append(*block, p[:n]...)
		p = p[n:]
		room -= int64(n)
	}
}

// join is the text in one slice.
func (b blocks) join() []byte {
	switch len(b) {
	case 0:
		return nil
	case 1:
		return b[0]
	}
	size := 0
	for _, block := range b {
		size += len(block)
	}
	text := make([]byte, 0, size)
	for i, block := range b {
		text = append(text, block...)
		b[i] = nil
	}
	return text
}
