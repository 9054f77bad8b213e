package session

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
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
// The list's arguments are indices into its lines, not a struct and map
// entries each: a million paths cost a byte each here, and the index of
// their sources (ledgerIndex) is built on the first STOP that needs it and
// shared by the sessions of a job, which all take the same list.
type ledger struct {
	mu       sync.Mutex
	index    *ledgerIndex // nil for a persistent session without paths
	finished []bool       // per list argument
	cmds     []*ledgerArg // the STARTs, in the order taken
	byCmd    map[*Command]*ledgerArg
	bySource map[string]*ledgerArg // a START's source, when no list argument has it
	attempt  []int32               // this attempt's arguments, in ascp's order: a list index, or ^k for cmds[k]
	argstops int                   // ARGSTOPs seen this attempt
	done     bool                  // the client's DONE was taken for this session
}

// ledgerArg is a START of a persistent session.
type ledgerArg struct {
	cmd      *Command
	finished bool
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

func newLedgerOf(index *ledgerIndex) *ledger {
	l := &ledger{index: index, byCmd: map[*Command]*ledgerArg{}, bySource: map[string]*ledgerArg{}}
	if index != nil {
		l.finished = make([]bool, index.n)
	}
	return l
}

// ledgerIndex is where each source of a list is: the argument a STOP's
// Source names. It holds the 64-bit hash of each source (and of the
// absolute path ascp may name a local one by), checked against the line
// itself on every hit, so that a collision can never finish the wrong
// argument: colliding sources go to a small map of their own.
type ledgerIndex struct {
	list   *ascp.ListFile
	step   int // lines per argument: 1, or 2 for pairs
	n      int // arguments
	cwd    string
	cwdErr error

	once     sync.Once
	lines    *ascp.ListLines  // the list's lines, read back when released; nil when they could not be
	byHash   map[uint64]int32 // source hash → first argument with that source
	overflow map[string]int32 // sources whose hash another source holds
}

func newLedgerIndex(list *ascp.ListFile) *ledgerIndex {
	step := 1
	if list.Option == "--file-pair-list" {
		step = 2
	}
	x := &ledgerIndex{list: list, step: step, n: list.Len() / step}
	x.cwd, x.cwdErr = os.Getwd()
	return x
}

// source is the list's source of argument i, once built.
func (x *ledgerIndex) source(i int) string { return x.lines.Line(i * x.step) }

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

// names reports whether argument i's source is name, as written or by
// its alias.
func (x *ledgerIndex) names(i int, name []byte) bool {
	src := x.source(i)
	if string(name) == src {
		return true
	}
	if filepath.IsAbs(src) && cleanPath(src) == src {
		return false // no alias
	}
	return string(name) == x.alias(src)
}

// build indexes every source and alias, first argument first, as the
// list lines are: a source given twice is the first one's. A list whose
// lines cannot be read back indexes nothing: its files are reported
// as ascp reports them, but none is taken as finished before its
// ARGSTOP, so a retry sends it again rather than lose it.
func (x *ledgerIndex) build() {
	lines, err := x.list.Load()
	if err != nil {
		return
	}
	x.lines = lines
	x.byHash = make(map[uint64]int32, x.n)
	add := func(i int, name string) {
		h := ledgerHash([]byte(name))
		if j, ok := x.byHash[h]; !ok {
			x.byHash[h] = int32(i)
			return
		} else if x.names(int(j), []byte(name)) {
			return // the same source: the first argument keeps it
		}
		if x.overflow == nil {
			x.overflow = map[string]int32{}
		}
		if _, dup := x.overflow[name]; !dup {
			x.overflow[name] = int32(i)
		}
	}
	for i := 0; i < x.n; i++ {
		src := x.source(i)
		add(i, src)
		if a := x.alias(src); a != "" {
			add(i, a)
		}
	}
}

// find returns the argument whose source is name, or -1.
func (x *ledgerIndex) find(name []byte) int {
	x.once.Do(x.build)
	if x.lines == nil {
		return -1
	}
	if i, ok := x.byHash[ledgerHash(name)]; ok && x.names(int(i), name) {
		return int(i)
	}
	if i, ok := x.overflow[string(name)]; ok {
		return int(i)
	}
	return -1
}

// begin starts an attempt: it returns the commands to send again before
// any new one (the unfinished STARTs, then the DONE when one was given).
// The list arguments of the attempt are those not finished: lines has
// their lines, for a retry's list file.
func (l *ledger) begin() (replay []*Command) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Counted first, so that a million arguments take their slice at its
	// size, not a trail of grown copies.
	attempt := 0
	for _, f := range l.finished {
		if !f {
			attempt++
		}
	}
	if cap(l.attempt) < attempt {
		l.attempt = make([]int32, 0, attempt)
	}
	l.attempt, l.argstops = l.attempt[:0], 0
	for i, f := range l.finished {
		if !f {
			l.attempt = append(l.attempt, int32(i))
		}
	}
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

// lines are the list lines of the arguments of the attempt begin started,
// in order: only a retry needs them, so a first attempt of a million
// paths neither reads back nor copies any.
func (l *ledger) lines() ([]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var lines []string
	k := 0
	for k < len(l.attempt) && l.attempt[k] >= 0 {
		k++
	}
	if l.index == nil || k == 0 {
		return nil, nil
	}
	all, err := l.index.list.Load()
	if err != nil {
		return nil, err
	}
	lines = make([]string, 0, k*l.index.step)
	for _, i := range l.attempt[:k] {
		for j := int(i) * l.index.step; j < (int(i)+1)*l.index.step; j++ {
			lines = append(lines, all.Line(j))
		}
	}
	return lines, nil
}

// unfinished reports whether anything is left to send.
func (l *ledger) unfinished() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, f := range l.finished {
		if !f {
			return true
		}
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
			if src := commandSource(cmd); l.bySource[src] == nil && (l.index == nil || l.index.find([]byte(src)) < 0) {
				l.bySource[src] = a
			}
		}
		if sent {
			for k := range l.cmds {
				if l.cmds[k] == a {
					l.attempt = append(l.attempt, ^int32(k))
					break
				}
			}
		}
	}
}

// finish marks the k-th argument of this attempt finished.
func (l *ledger) finish(k int32) {
	if k >= 0 {
		l.finished[k] = true
	} else {
		l.cmds[^k].finished = true
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
// (STOP), across attempts, kept as 64-bit hashes (events.NameHash). When a retry
// asks again for a source that was delivered and then removed
// (remove_after_transfer) because the ledger could not tell it finished
// (ascp died between its STOP and its ARGSTOP), the FILEERROR that comes
// back is no failure of the job.
type delivered struct {
	mu  sync.Mutex
	set map[uint64]struct{}
}

func (d *delivered) add(source []byte) {
	d.mu.Lock()
	if d.set == nil {
		d.set = make(map[uint64]struct{})
	}
	d.set[events.NameHash(source)] = struct{}{}
	d.mu.Unlock()
}

func (d *delivered) has(source []byte) bool { return d.hasHash(events.NameHash(source)) }

func (d *delivered) hasHash(h uint64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.set[h]
	return ok
}

var (
	typeStop                = []byte("STOP")
	typeSkip                = []byte("SKIP")
	typeArgStop             = []byte("ARGSTOP")
	fieldSource             = mgmt.NewName("Source")
	fieldArgTransfersFailed = mgmt.NewName("ArgTransfersFailed")
)

// observe takes the frames that finish something. It does not allocate
// for clean absolute sources: the index is looked up by the name's hash
// and checked against the line.
func (l *ledger) observe(typ []byte, f *mgmt.Frame) {
	switch {
	case bytes.Equal(typ, typeStop), bytes.Equal(typ, typeSkip):
		src, ok := f.Lookup(fieldSource)
		if !ok {
			return
		}
		l.mu.Lock()
		i := -1
		if l.index != nil {
			if i = l.index.find(src); i >= 0 {
				l.finished[i] = true
			}
		}
		if i < 0 {
			if a := l.bySource[string(src)]; a != nil {
				a.finished = true
			}
		}
		l.mu.Unlock()
	case bytes.Equal(typ, typeArgStop):
		failed, ok := f.Lookup(fieldArgTransfersFailed)
		n, err := strconv.Atoi(string(failed))
		l.mu.Lock()
		k := l.argstops
		l.argstops++
		if ok && err == nil && n == 0 && k < len(l.attempt) {
			l.finish(l.attempt[k])
		}
		l.mu.Unlock()
	}
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
