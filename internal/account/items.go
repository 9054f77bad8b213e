package account

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
	"strings"
	"sync"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/events"
)

// ItemState is where an item stands (see the package doc).
type ItemState uint8

const (
	ItemPending      ItemState = iota // ascp has not reported on it yet
	ItemPartial                       // an attempt ended while it was in transfer
	ItemFailed                        // its last report was a failure
	ItemDelivered                     // transferred
	ItemAlreadyThere                  // found complete at the destination
	ItemSkipped                       // kept as it was by the overwrite policy
)

func (s ItemState) finished() bool { return s >= ItemDelivered }

// itemStates holds a state per list argument in pages made when one of
// their items first leaves ItemPending: a job of ten million arguments
// starts ascp without ten megabytes of states, and a page stays unmade
// until ascp reports on an item in it.
type itemStates struct {
	n     int
	pages [][]ItemState // nil: every item of the page pending
}

const statePageBits = 16

func newItemStates(n int) itemStates {
	return itemStates{n: n, pages: make([][]ItemState, (n+1<<statePageBits-1)>>statePageBits)}
}

func (t *itemStates) get(i int) ItemState {
	if page := t.pages[i>>statePageBits]; page != nil {
		return page[i&(1<<statePageBits-1)]
	}
	return ItemPending
}

func (t *itemStates) set(i int, s ItemState) {
	p := i >> statePageBits
	if t.pages[p] == nil {
		if s == ItemPending {
			return
		}
		t.pages[p] = make([]ItemState, min(1<<statePageBits, t.n-p<<statePageBits))
	}
	t.pages[p][i&(1<<statePageBits-1)] = s
}

// each calls fn with every item's state, in order.
func (t *itemStates) each(fn func(ItemState)) {
	for p, page := range t.pages {
		if page != nil {
			for _, s := range page {
				fn(s)
			}
			continue
		}
		for range min(1<<statePageBits, t.n-p<<statePageBits) {
			fn(ItemPending)
		}
	}
}

// items are the job's items: the arguments of its list file, which every
// ascp of the job takes (each its share, with -C), and the START commands
// of its persistent sessions. Their state is the job's: an item one ascp
// finished is finished for all. Each ascp walks them with a ledger of its
// own. The account's lock guards them.
type items struct {
	index  *ledgerIndex // nil without a list file
	states itemStates   // per list argument
	open   int          // list arguments not finished

	cmds     map[any]*cmdItem // every START any session took, by its handle
	bySource map[string][]*cmdItem
}

// cmdItem is a START command, the same for every session it went to.
type cmdItem struct {
	handle any
	source string
	state  ItemState
}

func newItems(list *ascp.ListFile) *items {
	it := &items{cmds: map[any]*cmdItem{}, bySource: map[string][]*cmdItem{}}
	if list != nil {
		it.index = newLedgerIndex(list)
		it.states = newItemStates(it.index.n)
		it.open = it.index.n
	}
	return it
}

func (it *items) n() int { return it.states.n }

// finish sets list argument i's finishing state; a finished one keeps the
// first.
func (it *items) finish(i int, s ItemState) {
	if !it.states.get(i).finished() {
		it.states.set(i, s)
		it.open--
	}
}

// fail marks list argument i failed unless it is finished.
func (it *items) fail(i int, s ItemState) {
	if !it.states.get(i).finished() {
		it.states.set(i, s)
	}
}

// command returns the item of a START's handle, made on first sight.
func (it *items) command(handle any, source string) *cmdItem {
	c := it.cmds[handle]
	if c == nil {
		c = &cmdItem{handle: handle, source: source}
		it.cmds[handle] = c
		it.bySource[source] = append(it.bySource[source], c)
	}
	return c
}

// finishCommand finishes the first unfinished START of source name, if
// any.
func (it *items) finishCommand(name []byte, s ItemState) bool {
	for _, c := range it.bySource[string(name)] {
		if !c.state.finished() {
			c.state = s
			return true
		}
	}
	return false
}

// itemRef is an item a frame names: a list argument, or a START.
type itemRef struct {
	arg int32 // -1 for a START
	cmd *cmdItem
}

// refsOf returns the items whose source is name.
func (it *items) refsOf(name []byte) []itemRef {
	if len(name) == 0 {
		return nil
	}
	var refs []itemRef
	for _, c := range it.bySource[string(name)] {
		refs = append(refs, itemRef{arg: -1, cmd: c})
	}
	if it.index != nil {
		it.index.each(name, it.index.canonical(name), func(i int) bool {
			refs = append(refs, itemRef{arg: int32(i)})
			return true
		})
	}
	return refs
}

func (it *items) state(r itemRef) ItemState {
	if r.arg < 0 {
		return r.cmd.state
	}
	return it.states.get(int(r.arg))
}

// allFinished reports whether every item of refs is finished.
func (it *items) allFinished(refs []itemRef) bool {
	for _, r := range refs {
		if !it.state(r).finished() {
			return false
		}
	}
	return true
}

// failRefs marks the unfinished items of refs failed.
func (it *items) failRefs(refs []itemRef) {
	for _, r := range refs {
		if r.arg < 0 {
			if !r.cmd.state.finished() {
				r.cmd.state = ItemFailed
			}
		} else {
			it.fail(int(r.arg), ItemFailed)
		}
	}
}

func (it *items) counts() events.ItemCounts {
	var c events.ItemCounts
	add := func(s ItemState) {
		c.Total++
		switch s {
		case ItemDelivered:
			c.Delivered++
		case ItemAlreadyThere:
			c.AlreadyThere++
		case ItemSkipped:
			c.Skipped++
		case ItemFailed:
			c.Failed++
		case ItemPartial:
			c.Partial++
		default:
			c.Pending++
		}
	}
	it.states.each(add)
	for _, cmd := range it.cmds {
		add(cmd.state)
	}
	return c
}

// ledger is one ascp's walk through the items, attempt by attempt, so
// that a retry re-sends only what is not finished: a finished item is
// never sent again (its source may be gone, removed after transfer), and
// a persistent session gets again the STARTs it had not finished and the
// DONE it had been given.
//
// ascp takes the list's arguments in order, so the k-th ARGSTOP of an
// attempt is its k-th argument, and a STOP names the argument of the next
// ARGSTOP (the current one), whose source alone is read, forward, from the
// list; only a STOP that names neither it nor a file inside it looks
// further, in the index of the list's sources (ledgerIndex), built then
// and shared by the ascp processes of a job. A transfer of a million files
// lasts hours, and what is held for it is a byte per argument: the list's
// lines stay in the list file.
type ledger struct {
	items *items
	index *ledgerIndex // items.index: nil for a persistent session without paths
	// multi: this ascp takes a share of the list (-C): an ARGSTOP says
	// how its share of an argument went, not the argument, and finishes
	// nothing; STOPs and SKIPs naming an argument's source do.
	multi bool

	cmds  []*takenCmd       // the STARTs this ascp took, in order
	byCmd map[any]*takenCmd // by handle
	done  bool              // the client's DONE was taken for this session

	// This attempt: its list arguments are those not finished when it
	// began (todo holds which were), in order, then the STARTs sent (sent,
	// indices into cmds).
	todo     bitset
	nTodo    int
	sent     []int32
	argstops int  // ARGSTOPs seen this attempt
	cur      int  // the list argument of the next ARGSTOP (index.n once past them)
	started  bool // a file of the current argument was seen in transfer

	// The current argument's source, read forward from the list when a
	// STOP first needs it.
	reader  *listReader
	src     []byte
	srcArg  int  // the argument src is the source of, or -1
	srcBare bool // src is clean and absolute: it has no alias
	readErr bool // the list could not be read back: STOPs finish no list argument
}

// takenCmd is a START this ascp took; passed: its ARGSTOP in this ascp
// reported no failure (its share of it, with -C).
type takenCmd struct {
	item   *cmdItem
	passed bool
}

func (t *takenCmd) finished() bool { return t.passed || t.item.state.finished() }

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

// newLedger starts an ascp's walk through the items.
func newLedger(it *items, multi bool) *ledger {
	l := &ledger{items: it, index: it.index, multi: multi, byCmd: map[any]*takenCmd{}}
	if it.index != nil {
		l.todo = newBitset(it.index.n)
	}
	l.startAttempt()
	return l
}

// startAttempt takes the arguments not finished as this attempt's.
func (l *ledger) startAttempt() {
	n := l.n()
	clear(l.todo)
	for i := 0; i < n; i++ {
		if l.items.states.get(i).finished() {
			l.todo.set(i)
		}
	}
	l.nTodo = l.todo.clear(n)
	l.sent, l.argstops, l.started = l.sent[:0], 0, false
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

// current returns the source of the current argument, read forward
// from the list.
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

// begin starts an attempt: it returns the handles of the commands to send
// again before any new one (the unfinished STARTs); done says the client's
// DONE follows them.
func (l *ledger) begin() (replay []any, done bool) {
	l.startAttempt()
	for _, c := range l.cmds {
		if !c.finished() {
			replay = append(replay, c.item.handle)
		}
	}
	return replay, l.done
}

// writeLines writes the list lines of the arguments of the attempt begin
// started, in order, read from the list as they are written: only a retry
// needs them, and a retry of a million paths holds none of them at once.
func (l *ledger) writeLines(w io.Writer) (int, error) {
	if l.index == nil || l.nTodo == 0 {
		return 0, nil
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	step := l.index.step
	r := newListReader(l.index.list)
	for i := 0; i < l.index.n; i++ {
		for k := 0; k < step; k++ {
			line, err := r.next()
			if err != nil {
				return 0, err
			}
			if !l.todo.has(i) {
				bw.Write(line)
				bw.WriteByte('\n')
			}
		}
	}
	if err := r.end(); err != nil {
		return 0, err
	}
	return l.nTodo, bw.Flush()
}

// unfinished reports whether anything is left to send.
func (l *ledger) unfinished() bool {
	if l.items.open > 0 {
		return true
	}
	for _, c := range l.cmds {
		if !c.finished() {
			return true
		}
	}
	return false
}

// taken records a command this ascp took from the queue or replays; sent
// says it reached ascp in this attempt.
func (l *ledger) taken(handle any, typ, source string, sent bool) {
	switch typ {
	case "DONE":
		l.done = true
	case "START":
		c := l.byCmd[handle]
		if c == nil {
			c = &takenCmd{item: l.items.command(handle, source)}
			l.byCmd[handle] = c
			l.cmds = append(l.cmds, c)
		}
		if sent {
			for k := range l.cmds {
				if l.cmds[k] == c {
					l.sent = append(l.sent, int32(k))
					break
				}
			}
		}
	}
}

// finished records that ascp reports the source name delivered, already
// there or skipped (state s): the list argument or the START it names.
func (l *ledger) finished(name []byte, s ItemState) {
	if !l.finishSource(name, s) {
		l.items.finishCommand(name, s)
	}
}

// argStop takes the ARGSTOP of the current argument: passed, it reported
// no failed transfer.
func (l *ledger) argStop(passed bool) {
	if l.argstops < l.nTodo {
		switch {
		case passed && !l.multi:
			l.items.finish(l.cur, ItemDelivered)
		case !passed:
			l.items.fail(l.cur, ItemFailed)
		}
		l.cur = l.todo.nextClear(l.cur+1, l.index.n)
		l.started = false
	} else if k := l.argstops - l.nTodo; passed && k < len(l.sent) {
		c := l.cmds[l.sent[k]]
		c.passed = true
		if !l.multi {
			if !c.item.state.finished() {
				c.item.state = ItemDelivered
			}
		}
	}
	l.argstops++
}

// inTransfer notes that a file of the current argument moves: if the
// attempt ends before its ARGSTOP, the argument is partial.
func (l *ledger) inTransfer() { l.started = true }

// end closes the attempt: an argument left in transfer is partial.
func (l *ledger) end() {
	if l.index != nil && l.started && l.cur < l.index.n && l.items.states.get(l.cur) == ItemPending {
		l.items.states.set(l.cur, ItemPartial)
	}
}

// finishSource finishes the list argument whose source ascp reports
// finished as name, and reports whether there was one: the current
// argument when it is name; nothing when name is inside it (a folder's
// file); else the first argument of this attempt after it, not finished,
// that name is the source of (ascp cannot be reporting one whose ARGSTOP
// came already).
func (l *ledger) finishSource(name []byte, s ItemState) bool {
	if l.index == nil || l.cur >= l.index.n {
		return false
	}
	src, ok := l.current()
	if !ok {
		return false
	}
	if bytes.Equal(name, src) || !l.srcBare && string(name) == l.index.alias(string(src)) {
		l.items.finish(l.cur, s)
		return true
	}
	if l.items.open == 0 {
		return false // no other argument is left to finish
	}
	canon := l.index.canonical(name)
	if l.index.inside(src, canon) {
		return false
	}
	i := l.index.find(name, canon, l.cur+1, func(i int) bool { return !l.todo.has(i) && !l.items.states.get(i).finished() })
	if i < 0 {
		return false
	}
	l.items.finish(i, s)
	return true
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

// each calls fn for every argument whose source is name (of canonical
// name canon), as long as fn returns true, and reports whether it always
// did.
func (x *ledgerIndex) each(name, canon []byte, fn func(int) bool) bool {
	x.once.Do(x.build)
	if !x.built {
		return false
	}
	h := ledgerHash(canon)
	k, _ := slices.BinarySearch(x.hashes, h)
	for ; k < len(x.hashes) && x.hashes[k] == h; k++ {
		if i := int(x.args[k]); x.sourceIs(i, name) && !fn(i) {
			return false
		}
	}
	return true
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
var ledgerHash = nameHash
