package account

import (
	"io"
	"slices"
)

// Begin starts an attempt of session i: it returns the handles of the
// START commands to send again before any new one (those the session had
// taken and not finished) and whether the client's DONE follows them. The
// attempt's list arguments are those not finished.
func (a *Account) Begin(i int) (replay []any, done bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := &a.sessions[i-1]
	s.verdict = attemptVerdict{}
	return s.ledger.begin()
}

// BeginAlone starts the retry of the sessions in failed (of a job of
// several) as one ascp, counted as the first of them: it takes the list
// arguments no session finished (none being shared with another ascp
// now), and returns the START commands any of them had taken and not
// finished, once each, in the order first taken, and whether the client's
// DONE follows.
func (a *Account) BeginAlone(failed []int) (replay []any, done bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	lead := &a.sessions[failed[0]-1]
	lead.verdict = attemptVerdict{}
	lead.ledger.multi = false
	var seen []any
	for _, i := range failed {
		l := a.sessions[i-1].ledger
		for _, c := range l.cmds {
			if !c.finished() && !slices.Contains(seen, c.item.handle) {
				seen = append(seen, c.item.handle)
			}
		}
		done = done || l.done
	}
	lead.ledger.begin()
	return seen, done
}

// WriteRetryList writes the list lines of the attempt Begin or BeginAlone
// started for session i (the arguments not finished), read from the list
// file as they are written, and counts the arguments.
func (a *Account) WriteRetryList(i int, w io.Writer) (args int, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sessions[i-1].ledger.writeLines(w)
}

// Unfinished reports whether session i has anything left to send: a list
// argument no session finished, or a START it took and did not finish.
func (a *Account) Unfinished(i int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sessions[i-1].ledger.unfinished()
}

// Taken records a command session i's forwarder took from its queue or
// replayed (handle identifies it across sessions and attempts; source is
// a START's Source); sent says it reached ascp in this attempt.
func (a *Account) Taken(i int, handle any, typ, source string, sent bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sessions[i-1].ledger.taken(handle, typ, source, sent)
}
