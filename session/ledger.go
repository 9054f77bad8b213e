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
	if list == nil {
		return &ledger{bySource: map[string]*ledgerArg{}, byCmd: map[*Command]*ledgerArg{}}
	}
	step := 1
	if list.Option == "--file-pair-list" {
		step = 2
	}
	// Sized once, the arguments in one block: a million paths would
	// otherwise be a million allocations and a map grown a dozen times.
	n := len(list.Lines) / step
	l := &ledger{args: make([]*ledgerArg, 0, n), bySource: make(map[string]*ledgerArg, n), byCmd: map[*Command]*ledgerArg{}}
	block := make([]ledgerArg, n)
	cwd, cwdErr := os.Getwd()
	for i := range block {
		a := &block[i]
		a.lines = list.Lines[i*step : i*step+step]
		l.add(a, a.lines[0])
		// ascp may name a local source by its absolute path (filepath.Abs,
		// without a Getwd per path).
		if abs := a.lines[0]; filepath.IsAbs(abs) {
			if abs = cleanPath(abs); abs != a.lines[0] {
				l.add(a, abs)
			}
		} else if runtime.GOOS == "windows" {
			if abs, err := filepath.Abs(abs); err == nil {
				l.add(a, abs)
			}
		} else if cwdErr == nil {
			l.add(a, filepath.Join(cwd, abs)) // filepath.Abs on Unix
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
	// Counted first, so that a million arguments take their two slices at
	// their size, not a trail of grown copies.
	n, attempt := 0, 0
	for _, a := range l.args {
		if !a.finished && a.cmd == nil {
			n, attempt = n+len(a.lines), attempt+1
		}
	}
	lines = make([]string, 0, n)
	if cap(l.attempt) < attempt {
		l.attempt = make([]*ledgerArg, 0, attempt)
	}
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
