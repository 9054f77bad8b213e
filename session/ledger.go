package session

import (
	"bytes"
	"path/filepath"
	"strconv"
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
type ledger struct {
	mu       sync.Mutex
	args     []*ledgerArg          // list lines, then the STARTs in the order taken
	bySource map[string]*ledgerArg // exact source path of each argument
	byCmd    map[*Command]*ledgerArg
	attempt  []*ledgerArg // this attempt's arguments, in ascp's order
	argstops int          // ARGSTOPs seen this attempt
	done     bool         // the client's DONE was taken for this session
}

type ledgerArg struct {
	lines    []string // list-file lines: source, or source and destination
	cmd      *Command // a START of a persistent session
	finished bool
}

// newLedger starts the ledger of a session from its list file (nil for a
// persistent session without paths).
func newLedger(list *ascp.ListFile) *ledger {
	l := &ledger{bySource: map[string]*ledgerArg{}, byCmd: map[*Command]*ledgerArg{}}
	if list == nil {
		return l
	}
	step := 1
	if list.Option == "--file-pair-list" {
		step = 2
	}
	for i := 0; i+step <= len(list.Lines); i += step {
		a := &ledgerArg{lines: list.Lines[i : i+step]}
		l.add(a, a.lines[0])
		// ascp may name a local source by its absolute path.
		if abs, err := filepath.Abs(a.lines[0]); err == nil && abs != a.lines[0] {
			l.add(a, abs)
		}
	}
	return l
}

func (l *ledger) add(a *ledgerArg, source string) {
	if len(l.args) == 0 || l.args[len(l.args)-1] != a {
		l.args = append(l.args, a)
	}
	if _, dup := l.bySource[source]; !dup {
		l.bySource[source] = a
	}
}

// begin starts an attempt: it returns the list lines still to send and the
// commands to send again before any new one (the unfinished STARTs, then
// the DONE when one was given).
func (l *ledger) begin() (lines []string, replay []*Command) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.attempt, l.argstops = l.attempt[:0], 0
	for _, a := range l.args {
		switch {
		case a.finished:
		case a.cmd == nil:
			lines = append(lines, a.lines...)
			l.attempt = append(l.attempt, a)
		default:
			replay = append(replay, a.cmd)
		}
	}
	if l.done {
		replay = append(replay, &Command{Type: "DONE"})
	}
	return lines, replay
}

// unfinished reports whether anything is left to send.
func (l *ledger) unfinished() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range l.args {
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
			l.add(a, commandSource(cmd))
		}
		if sent {
			l.attempt = append(l.attempt, a)
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
// (STOP), across attempts, kept as 64-bit FNV-1a hashes. When a retry
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
	typeFileError           = []byte("FILEERROR")
	typeStop                = []byte("STOP")
	typeSkip                = []byte("SKIP")
	typeArgStop             = []byte("ARGSTOP")
	fieldSource             = []byte("Source")
	fieldArgTransfersFailed = []byte("ArgTransfersFailed")
)

// observe takes the frames that finish something. It does not allocate:
// the map lookup converts the name without a copy.
func (l *ledger) observe(typ []byte, f *mgmt.Frame) {
	switch {
	case bytes.Equal(typ, typeStop), bytes.Equal(typ, typeSkip):
		src, ok := f.Get(fieldSource)
		if !ok {
			return
		}
		l.mu.Lock()
		if a := l.bySource[string(src)]; a != nil {
			a.finished = true
		}
		l.mu.Unlock()
	case bytes.Equal(typ, typeArgStop):
		failed, ok := f.Get(fieldArgTransfersFailed)
		n, err := strconv.Atoi(string(failed))
		l.mu.Lock()
		k := l.argstops
		l.argstops++
		if ok && err == nil && n == 0 && k < len(l.attempt) {
			l.attempt[k].finished = true
		}
		l.mu.Unlock()
	}
}
