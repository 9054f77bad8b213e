package account

import (
	"fmt"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/human"
)

// attemptVerdict is what an attempt's frames said of how it went.
type attemptVerdict struct {
	errSeen  bool // an ERROR: the first one's code and description
	errCode  int
	errDesc  string
	doneSeen bool // a DONE, with the code and failures it reports
	doneCode int
	doneDesc string
	// doneFailed is DONE's TransfersFailed, doneAttempted its
	// TransfersAttempted; -1 when absent or unreadable.
	doneFailed, doneAttempted int64

	failed   int // FILEERRORs that are failures
	forgiven int // FILEERRORs for items delivered before
	// fileCode is the Code of the attempt's first FILEERROR, forgiven or
	// not: the one ascp's closing ERROR repeats.
	fileCode int
	pending  []pendingFailure
}

// pendingFailure is a failure another session may still explain: the
// items of a missing source, which another ascp of the job may have
// delivered and removed, its STOP not relayed yet.
type pendingFailure struct {
	refs    []itemRef
	name    uint64
	counted bool // the FILEERROR counted its file attempted
}

func (v *attemptVerdict) sawError(f *mgmt.Frame) {
	if v.errSeen {
		return
	}
	v.errSeen = true
	code, _ := intField(f, mgmt.NameCode)
	desc, _ := f.Lookup(mgmt.NameDescription)
	v.errCode, v.errDesc = int(code), string(desc)
}

func (v *attemptVerdict) sawDone(f *mgmt.Frame) {
	v.doneSeen = true
	if hasCode(f) {
		code, _ := intField(f, mgmt.NameCode)
		v.doneCode = int(code)
		desc, _ := f.Lookup(mgmt.NameDescription)
		v.doneDesc = string(desc)
	}
	v.doneFailed, v.doneAttempted = -1, -1
	if n, ok := intField(f, mgmt.NameTransfersFailed); ok {
		v.doneFailed = n
	}
	if n, ok := intField(f, mgmt.NameTransfersAttempted); ok {
		v.doneAttempted = n
	}
}

// End is how an attempt's ascp ended, beside what its frames said.
type End struct {
	ExitStatus int
	// Stopped is why asession stopped ascp, when it did (cancelled,
	// stalled, a password prompt, output that could not be written).
	Stopped *events.Error
	// Stream is what ended the management stream when it did not end
	// cleanly: mgmt.ErrIncomplete for a frame cut by the close, or a read
	// error.
	Stream error
	// Strays counts the lines the stream carried that were not management
	// messages.
	Strays int
}

// Verdict is how one attempt ended.
type Verdict struct {
	// Err is why the attempt failed; nil when it completed.
	Err *events.Error
	// Shared: the attempt failed only for files of sources another ascp
	// of the job may have delivered (and removed) first; the job decides
	// once every session has ended (Settle).
	Shared bool
	// Forgiven counts the failures of items delivered before.
	Forgiven int
}

// EndAttempt closes session i's attempt and gives its verdict (the
// package doc's Verdicts).
func (a *Account) EndAttempt(i int, end End) Verdict {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := &a.sessions[i-1]
	s.ledger.end()
	v := &s.verdict
	a.forgiveLate(i, s)
	status := end.ExitStatus
	failure := func(origin events.Origin, code int, desc string) Verdict {
		e := events.NewError(origin, code, desc)
		e.ExitStatus = &status
		return Verdict{Err: e, Forgiven: v.forgiven}
	}
	if end.Stopped != nil {
		return Verdict{Err: end.Stopped, Forgiven: v.forgiven}
	}
	code, desc, failed := 0, "", false
	switch {
	case v.errSeen:
		code, desc, failed = v.errCode, v.errDesc, true
	case v.doneSeen && (v.doneFailed > 0 || v.doneCode != 0):
		code, desc, failed = v.doneCode, v.doneDesc, true
		if code == 0 {
			code = events.CodeSomeFileErrors
		}
		if desc == "" {
			desc = fmt.Sprintf("%s of %s files failed", itoa(v.doneFailed), countText(v.doneAttempted))
		}
	}
	if failed {
		filesOnly := code == events.CodeSomeFileErrors || code == v.fileCode && v.fileCode != 0
		allForgiven := v.failed == 0 && v.forgiven > 0 && v.doneFailed <= int64(v.forgiven)
		switch {
		case filesOnly && allForgiven && !s.ledger.multi:
			// Every file ascp failed had been delivered, by an earlier
			// attempt or another session, and its source removed since.
			return Verdict{Forgiven: v.forgiven}
		case filesOnly && s.ledger.multi && (allForgiven || v.failed > 0 && len(v.pending) == v.failed):
			out := failure(events.FromAscpError, code, desc)
			out.Shared = true
			return out
		}
		return failure(events.FromAscpError, code, desc)
	}
	switch {
	case end.Stream != nil && end.Stream != mgmt.ErrIncomplete:
		return failure(events.FromStream, 0, "unreadable management stream: "+end.Stream.Error())
	case v.doneSeen && status == 0:
		return Verdict{Forgiven: v.forgiven}
	case v.doneSeen:
		return failure(events.FromAscpExit, 0, fmt.Sprintf("ascp reported DONE but exited with status %d", status))
	}
	desc = fmt.Sprintf("ascp exited with status %d without a final DONE or ERROR message", status)
	if end.Stream == mgmt.ErrIncomplete {
		desc += " (its last message was cut off)"
	}
	if end.Strays > 0 {
		desc += "; " + human.Count(int64(end.Strays), "line it sent was not a management message", "lines it sent were not management messages")
	}
	return failure(events.FromAscpExit, 0, desc)
}

func countText(n int64) string {
	if n < 0 {
		return "the"
	}
	return itoa(n)
}

// forgiveLate looks again at the failures of session i's attempt that
// another session may explain: one of several may report a source missing
// before the relay of the one that delivered it has seen its STOP.
func (a *Account) forgiveLate(i int, s *session) {
	v := &s.verdict
	left := v.pending[:0]
	for _, p := range v.pending {
		if !a.items.allFinished(p.refs) {
			left = append(left, p)
			continue
		}
		v.failed--
		v.forgiven++
		s.counts.Failed--
		if p.counted {
			s.counts.Attempted--
		}
		a.failedCount--
		a.changed = true
		for k := range a.failedFiles {
			if a.failedOf[k] == i && nameHash([]byte(a.failedFiles[k].File)) == p.name {
				a.failedFiles = append(a.failedFiles[:k], a.failedFiles[k+1:]...)
				a.failedOf = append(a.failedOf[:k], a.failedOf[k+1:]...)
				break
			}
		}
	}
	v.pending = left
}

// Settle looks again, once every session of the job has ended, at the
// failures of the sessions whose verdict was Shared, and reports whether
// anything is left for the job to deliver: a list argument or a START no
// session finished.
func (a *Account) Settle(shared []int) (left bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, i := range shared {
		a.forgiveLate(i, &a.sessions[i-1])
	}
	if a.items.open > 0 {
		return true
	}
	for _, i := range shared {
		for _, c := range a.sessions[i-1].ledger.cmds {
			if !c.item.state.finished() {
				return true
			}
		}
	}
	return false
}
