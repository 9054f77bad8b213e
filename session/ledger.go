package session

import (
	"bufio"
	"bytes"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/nameset"
)

// ledger is what one session's attempts have finished, source argument by
// source argument, so that a retry re-sends only the rest: a file already
// delivered is never sent again (its source may be gone, removed after
// transfer), and a persistent session gets again the STARTs it had not
// finished and the DONE it had been given.
//
// An argument is finished when ascp's ARGSTOP for it reports no failed
// transfer (ascp takes the arguments in order, so the k-th ARGSTOP of an
// attempt is its k-th argument), or when a STOP or SKIP names it as its
// Source (a file argument).
//
// A transfer of a million files lasts hours, and what the ledger holds
// for it is a bit per argument: the list's lines stay in the list file.
// As ascp takes the arguments in order, a STOP names the argument of the
// next ARGSTOP (the current one), whose source alone is read, forward,
// from the list; only a STOP that names neither it nor a file inside it
// looks further, in the index of the list's sources (ledgerIndex), built
// then and shared by the sessions of a job, which all take the same list.
type ledger struct {
	mu       sync.Mutex
	index    *ledgerIndex // nil for a persistent session without paths
	finished bitset       // per list argument
	cmds     []*ledgerArg // the STARTs, in the order taken
	byCmd    map[*Command]*ledgerArg
	bySource map[string]*ledgerArg // a START's source
	done     bool                  // the client's DONE was taken for this session

	// This attempt: its list arguments are those not finished when it
	// began (todo holds finished as it was then), in order, then the
	// STARTs sent (sent, indices into cmds).
	todo     bitset
	nTodo    int
	open     int // this attempt's list arguments not finished yet
	sent     []int32
	argstops int // ARGSTOPs seen this attempt
	cur      int // the list argument of the next ARGSTOP (index.n once past them)

	// The current argument's source, read forward from the list when a
	// STOP first needs it.
	reader  *listReader
	src     []byte
	srcArg  int  // the argument src is the source of, or -1
	srcBare bool // src is clean and absolute: it has no alias
	readErr bool // the list could not be read back: STOPs finish no list argument
}

// ledgerArg is a START of a persistent session.
type ledgerArg struct {
	cmd      *Command
	finished bool
}

// bitset is a bit per list argument.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) has(i int) bool { return b[i>>6]&(1<<(i&63)) != 0 }
func (b bitset) set(i int)      { b[i>>6] |= 1 << (i & 63) }

// clear counts the arguments below n whose bit is not set.
func (b bitset) clear(n int) int {
	c := 0
	for i := 0; i < n; {
		if i&63 == 0 && i+64 <= n {
			c += 64 - bits.OnesCount64(b[i>>6])
			i += 64
			continue
		}
		if !b.has(i) {
			c++
		}
		i++
	}
	return c
}

// nextClear is the first argument from i below n whose bit is not set,
// or n.
func (b bitset) nextClear(i, n int) int {
	for i < n {
		w := ^b[i>>6] >> (i & 63)
		if w != 0 {
			i += bits.TrailingZeros64(w)
			return min(i, n)
		}
		i = (i | 63) + 1
	}
	return n
}

// newLedgers starts the ledgers of a job's sessions; sessions given the
// same list share its index.
func newLedgers(cmds []ascp.Invocation) []*ledger {
	ledgers := make([]*ledger, len(cmds))
	var index *ledgerIndex
	for i := range cmds {
		list := cmds[i].ListFile
		if list != nil && (index == nil || index.list != list) {
			index = newLedgerIndex(list)
		}
		if list == nil {
			ledgers[i] = newLedgerOf(nil)
		} else {
			ledgers[i] = newLedgerOf(index)
		}
	}
	return ledgers
}

// newLedger starts the ledger of a session from its list file (nil for a
// persistent session without paths).
func newLedger(list *ascp.ListFile) *ledger {
	if list == nil {
		return newLedgerOf(nil)
	}
	return newLedgerOf(newLedgerIndex(list))
}

// newLedgerOf starts a ledger at its first attempt, which begin starts
// again.
func newLedgerOf(index *ledgerIndex) *ledger {
	l := &ledger{index: index, byCmd: map[*Command]*ledgerArg{}, bySource: map[string]*ledgerArg{}}
	if index != nil {
		l.finished = newBitset(index.n)
		l.todo = newBitset(index.n)
	}
	l.startAttempt()
	return l
}

// startAttempt takes the arguments not finished as this attempt's.
func (l *ledger) startAttempt() {
	n := l.n()
	copy(l.todo, l.finished)
	l.nTodo = l.todo.clear(n)
	l.open = l.nTodo
	l.sent, l.argstops = l.sent[:0], 0
	l.cur = l.todo.nextClear(0, n)
	l.reader, l.srcArg, l.readErr = nil, -1, false
}

// n is the number of list arguments.
func (l *ledger) n() int {
	if l.index == nil {
		return 0
	}
	return l.index.n
}

// ledgerIndex is where each source of a list is, for a STOP that does
// not name the current argument: two arrays sorted by the 64-bit hash of
// each source's canonical name (its absolute clean path), 12 bytes an
// argument, and the file offset of every 64th argument, from which a hit
// reads the line itself to check it, so that a collision can never
// finish the wrong argument.
type ledgerIndex struct {
	list   *ascp.ListFile
	step   int // lines per argument: 1, or 2 for pairs
	n      int // arguments
	cwd    string
	cwdErr error

	once    sync.Once
	built   bool     // false: the list could not be read back, nothing is found
	hashes  []uint64 // sorted
	args    []uint32 // the argument of each hash; equal hashes in argument order
	offsets []int64  // where argument 64k starts in the file

	mu     sync.Mutex // reader, shared by the sessions
	reader *listReader
}

// indexStride is how many arguments share an offset of the index.
const indexStride = 64

func newLedgerIndex(list *ascp.ListFile) *ledgerIndex {
	step := 1
	if list.Option == "--file-pair-list" {
		step = 2
	}
	x := &ledgerIndex{list: list, step: step, n: list.Len() / step}
	x.cwd, x.cwdErr = os.Getwd()
	return x
}

// alias is the other name ascp may give the source src of the list: its
// absolute, clean path (filepath.Abs, without a Getwd per path), or ""
// when it has none.
func (x *ledgerIndex) alias(src string) string {
	switch {
	case filepath.IsAbs(src):
		if c := cleanPath(src); c != src {
			return c
		}
	case runtime.GOOS == "windows":
		if abs, err := filepath.Abs(src); err == nil {
			return abs
		}
	case x.cwdErr == nil:
		return filepath.Join(x.cwd, src)
	}
	return ""
}

// names reports whether name is the source src, as written or by its
// alias. A clean absolute source, the usual one, costs no allocation.
func (x *ledgerIndex) names(src, name []byte) bool {
	if bytes.Equal(name, src) {
		return true
	}
	if cleanAbs(src) {
		return false // no alias
	}
	return string(name) == x.alias(string(src))
}

// canonical is the name the index hashes for name: its alias, or itself.
func (x *ledgerIndex) canonical(name []byte) []byte {
	if cleanAbs(name) {
		return name
	}
	if a := x.alias(string(name)); a != "" {
		return []byte(a)
	}
	return name
}

// inside reports whether the file of canonical name canon is inside the
// source src, a folder argument.
func (x *ledgerIndex) inside(src, canon []byte) bool {
	src, name := x.canonical(src), canon
	src = bytes.TrimSuffix(src, []byte{filepath.Separator})
	return len(name) > len(src) && name[len(src)] == filepath.Separator && bytes.HasPrefix(name, src)
}

// build reads the list once and indexes every source by its canonical
// name. A list whose lines cannot be read back indexes nothing: its files
// are reported as ascp reports them, but none is taken as finished before
// its ARGSTOP, so a retry sends it again rather than lose it.
func (x *ledgerIndex) build() {
	r := newListReader(x.list)
	hashes := make([]uint64, x.n)
	args := make([]uint32, x.n)
	offsets := make([]int64, 0, (x.n+indexStride-1)/indexStride)
	for i := 0; i < x.n; i++ {
		if i%indexStride == 0 {
			offsets = append(offsets, r.offset())
		}
		src, err := r.next()
		if err != nil {
			return
		}
		hashes[i], args[i] = ledgerHash(x.canonical(src)), uint32(i)
		for k := 1; k < x.step; k++ {
			if _, err := r.next(); err != nil {
				return
			}
		}
	}
	sort.Stable(byHash{hashes, args})
	x.hashes, x.args, x.offsets, x.built = hashes, args, offsets, true
}

// byHash sorts the index's two arrays together.
type byHash struct {
	h []uint64
	a []uint32
}

func (s byHash) Len() int           { return len(s.h) }
func (s byHash) Less(i, j int) bool { return s.h[i] < s.h[j] }
func (s byHash) Swap(i, j int) {
	s.h[i], s.h[j] = s.h[j], s.h[i]
	s.a[i], s.a[j] = s.a[j], s.a[i]
}

// find returns the first argument from after whose source is name (of
// canonical name canon) and for which want holds, or -1.
func (x *ledgerIndex) find(name, canon []byte, after int, want func(int) bool) int {
	x.once.Do(x.build)
	if !x.built {
		return -1
	}
	h := ledgerHash(canon)
	k, _ := slices.BinarySearch(x.hashes, h)
	for ; k < len(x.hashes) && x.hashes[k] == h; k++ {
		i := int(x.args[k])
		if i < after || !want(i) {
			continue
		}
		if x.sourceIs(i, name) {
			return i
		}
	}
	return -1
}

// sourceIs reports whether argument i's source is name, reading it from
// the list: from memory while held, else by offset from the file.
func (x *ledgerIndex) sourceIs(i int, name []byte) bool {
	if held := x.list.Held(); held != nil {
		src := held.Line(i * x.step)
		return string(name) == src || !cleanAbsString(src) && string(name) == x.alias(src)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	src, ok := x.source(i)
	return ok && x.names(src, name)
}

// source reads argument i's source from the list, from the nearest
// offset before it; x.mu is held.
func (x *ledgerIndex) source(i int) ([]byte, bool) {
	if x.reader == nil {
		x.reader = newListReader(x.list)
	}
	r := x.reader
	base := i / indexStride * indexStride
	if r.line > i*x.step || r.line < base*x.step {
		r.seek(base*x.step, x.offsets[i/indexStride])
	}
	for {
		line, err := r.next()
		if err != nil {
			return nil, false
		}
		if r.line-1 == i*x.step {
			return line, true
		}
	}
}

// current returns the source of the current argument, read forward
// from the list; l.mu is held.
func (l *ledger) current() ([]byte, bool) {
	if l.srcArg == l.cur {
		return l.src, true
	}
	if l.readErr {
		return nil, false
	}
	if l.reader == nil {
		l.reader = newListReader(l.index.list)
	}
	want := l.cur * l.index.step
	if l.reader.line > want {
		l.reader.seek(0, 0) // not in an attempt, whose arguments come in order; but never a stale line
	}
	for l.reader.line <= want {
		line, err := l.reader.next()
		if err != nil {
			l.readErr = true
			return nil, false
		}
		if l.reader.line-1 == want {
			l.src = append(l.src[:0], line...)
		}
	}
	l.srcArg, l.srcBare = l.cur, cleanAbs(l.src)
	return l.src, true
}

// begin starts an attempt: it returns the commands to send again before
// any new one (the unfinished STARTs, then the DONE when one was given).
// The list arguments of the attempt are those not finished: lines has
// their lines, for a retry's list file.
func (l *ledger) begin() (replay []*Command) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.startAttempt()
	for _, a := range l.cmds {
		if !a.finished {
			replay = append(replay, a.cmd)
		}
	}
	if l.done {
		replay = append(replay, &Command{Type: "DONE"})
	}
	return replay
}

// writeLines writes the list lines of the arguments of the attempt begin
// started, in order, read from the list as they are written: only a retry
// needs them, and a retry of a million paths holds none of them at once.
func (l *ledger) writeLines(w io.Writer) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.index == nil || l.nTodo == 0 {
		return nil
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	step := l.index.step
	r := newListReader(l.index.list)
	for i := 0; i < l.index.n; i++ {
		for k := 0; k < step; k++ {
			line, err := r.next()
			if err != nil {
				return err
			}
			if !l.todo.has(i) {
				bw.Write(line)
				bw.WriteByte('\n')
			}
		}
	}
	if err := r.end(); err != nil {
		return err
	}
	return bw.Flush()
}

// unfinished reports whether anything is left to send.
func (l *ledger) unfinished() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.finished.clear(l.n()) > 0 {
		return true
	}
	for _, a := range l.cmds {
		if !a.finished {
			return true
		}
	}
	return false
}

// taken records a command forward took from the queue or replays; sent
// says it reached ascp in this attempt.
func (l *ledger) taken(cmd *Command, sent bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch cmd.Type {
	case "DONE":
		l.done = true
	case "START":
		a := l.byCmd[cmd]
		if a == nil {
			a = &ledgerArg{cmd: cmd}
			l.byCmd[cmd] = a
			l.cmds = append(l.cmds, a)
			if src := commandSource(cmd); l.bySource[src] == nil {
				l.bySource[src] = a
			}
		}
		if sent {
			for k := range l.cmds {
				if l.cmds[k] == a {
					l.sent = append(l.sent, int32(k))
					break
				}
			}
		}
	}
}

func commandSource(cmd *Command) string {
	for i := 0; i+1 < len(cmd.Pairs); i += 2 {
		if cmd.Pairs[i] == "Source" {
			return cmd.Pairs[i+1]
		}
	}
	return ""
}

// delivered is the job's set of sources that ascp reported transferred
// (STOP), across attempts, kept as 64-bit hashes (events.NameHash) in a
// compact set (a million sources cost 8 MB, not a map's tens). When a retry
// asks again for a source that was delivered and then removed
// (remove_after_transfer) because the ledger could not tell it finished
// (ascp died between its STOP and its ARGSTOP), the FILEERROR that comes
// back is no failure of the job.
type delivered struct {
	mu  sync.Mutex
	set nameset.Set
}

func (d *delivered) add(source []byte) {
	d.mu.Lock()
	d.set.Add(events.NameHash(source))
	d.mu.Unlock()
}

func (d *delivered) has(source []byte) bool { return d.hasHash(events.NameHash(source)) }

func (d *delivered) hasHash(h uint64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.set.Has(h)
}

var (
	typeStop    = []byte("STOP")
	typeSkip    = []byte("SKIP")
	typeArgStop = []byte("ARGSTOP")
)

// observe takes the frames that finish something. It does not allocate
// for a clean absolute source: the current argument's is read from the
// list once, and the index is looked up by the name's hash.
func (l *ledger) observe(typ []byte, f *mgmt.Frame) {
	switch {
	case bytes.Equal(typ, typeStop), bytes.Equal(typ, typeSkip):
		src, ok := f.Lookup(mgmt.NameSource)
		if !ok {
			return
		}
		l.mu.Lock()
		if !l.finishSource(src) {
			if a := l.bySource[string(src)]; a != nil {
				a.finished = true
			}
		}
		l.mu.Unlock()
	case bytes.Equal(typ, typeArgStop):
		failed, ok := f.Lookup(mgmt.NameArgTransfersFailed)
		n, err := strconv.Atoi(string(failed))
		l.mu.Lock()
		passed := ok && err == nil && n == 0
		if l.argstops < l.nTodo {
			if passed {
				l.finishArg(l.cur)
			}
			l.cur = l.todo.nextClear(l.cur+1, l.index.n)
		} else if k := l.argstops - l.nTodo; passed && k < len(l.sent) {
			l.cmds[l.sent[k]].finished = true
		}
		l.argstops++
		l.mu.Unlock()
	}
}

// finishSource finishes the list argument whose source ascp reports
// delivered (or skipped) as name, and reports whether there was one: the
// current argument when it is name; nothing when name is inside it (a
// folder's file); else the first argument of this attempt after it, not
// finished, that name is the source of (ascp cannot be reporting one
// whose ARGSTOP came already). l.mu is held.
func (l *ledger) finishSource(name []byte) bool {
	if l.index == nil || l.cur >= l.index.n {
		return false
	}
	src, ok := l.current()
	if !ok {
		return false
	}
	if bytes.Equal(name, src) || !l.srcBare && string(name) == l.index.alias(string(src)) {
		l.finishArg(l.cur)
		return true
	}
	if l.open == 0 || l.open == 1 && !l.finished.has(l.cur) {
		return false // no other argument of this attempt is left to finish
	}
	canon := l.index.canonical(name)
	if l.index.inside(src, canon) {
		return false
	}
	i := l.index.find(name, canon, l.cur+1, func(i int) bool { return !l.todo.has(i) && !l.finished.has(i) })
	if i < 0 {
		return false
	}
	l.finishArg(i)
	return true
}

// finishArg marks list argument i finished.
func (l *ledger) finishArg(i int) {
	if !l.finished.has(i) {
		l.finished.set(i)
		if !l.todo.has(i) {
			l.open--
		}
	}
}

// cleanAbs reports whether name is an absolute path filepath.Clean
// leaves as it is, without a copy on Unix: one pass over its slashes
// (no "//", "/./", "/../", trailing "/", "/." or "/..").
func cleanAbs(name []byte) bool {
	if runtime.GOOS == "windows" {
		return cleanAbsString(string(name))
	}
	if len(name) == 0 || name[0] != '/' {
		return false
	}
	if len(name) == 1 {
		return true
	}
	for i := 0; i < len(name); {
		rest := name[i+1:] // after the slash at i
		switch {
		case len(rest) == 0, rest[0] == '/':
			return false
		case rest[0] == '.' && (len(rest) == 1 || rest[1] == '/'):
			return false
		case rest[0] == '.' && rest[1] == '.' && (len(rest) == 2 || rest[2] == '/'):
			return false
		}
		j := bytes.IndexByte(rest, '/')
		if j < 0 {
			return true
		}
		i += 1 + j
	}
	return true
}

// cleanAbsString is cleanAbs of a string.
func cleanAbsString(name string) bool {
	if runtime.GOOS == "windows" {
		return filepath.IsAbs(name) && filepath.Clean(name) == name
	}
	return strings.HasPrefix(name, "/") && cleanPath(name) == name
}

// cleanPath is filepath.Clean, with a look for what Clean would change
// first on Unix: a million clean absolute paths are the usual case, and
// memchr-fast searches cost less than Clean's walk.
func cleanPath(p string) string {
	if runtime.GOOS != "windows" && !strings.Contains(p, "//") && !strings.Contains(p, "/./") &&
		!strings.Contains(p, "/../") && !strings.HasSuffix(p, "/.") && !strings.HasSuffix(p, "/..") &&
		(len(p) == 1 || !strings.HasSuffix(p, "/")) {
		return p
	}
	return filepath.Clean(p)
}

// ledgerHash is the hash of the ledger's index; a test makes every name
// collide with it.
var ledgerHash = events.NameHash
