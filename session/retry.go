package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/human"
)

// The retry driver runs a job's ascp processes, attempt after attempt,
// and decides what each failed attempt leads to. How an attempt ended is
// the account's verdict (internal/account); what follows is this table,
// and nothing else decides it:
//
//	a failed attempt                                  then                                  exit
//	not retryable, or the job was cancelled           the job fails                          1, or 3 when ascp never connected
//	retryable, every item already finished            the job completed                      0
//	retryable, no retry allowed (--retries 0)         the job fails: the caller may retry    75
//	retryable, the retries used up                    the job fails                          4
//	retryable, one ascp of several taking a list      the others finish; then one ascp       (its own ending)
//	  (or failed only for sources another removed)      retries what none of them finished
//	retryable                                         retried here, resuming partial files   (its own ending)
//
// A retryable error is one ascp's error table says a retry can mend
// (events.Retryable), from an ascp asession did not stop on purpose.

// retryable reports whether another attempt can help.
func retryable(e *events.Error) bool {
	return e.Origin != events.FromCancel && events.Retryable(e.Code, e.Description)
}

// errSessionFailed cancels the other sessions of a job when one fails in
// a way no retry mends.
var errSessionFailed = errors.New("another session of the job failed")

// plan is what one ascp process of a job runs, attempt after attempt: one
// session, or the sessions of a job of several that failed, retried as
// one ascp without -C (alone).
type plan struct {
	cmd      ascp.Invocation
	sessions []int
	alone    bool
}

// runSessions runs every session of the job, spawn_delay_sec apart, and
// then the retry of the sessions that ended Shared; the job's outcome.
//
// One failing session cancels the others: the job has failed, and their
// ascp processes must not run on unobserved. A failure a retry of all
// that is left can mend lets them finish instead.
func (j *job) runSessions(ctx context.Context) *Outcome {
	ctx, cancelOthers := context.WithCancelCause(ctx)
	defer cancelOthers(nil)
	invocations := j.prepared.Invocations
	results := make([]*Outcome, len(invocations))
	var wg sync.WaitGroup
	for i := range invocations {
		wg.Go(func() {
			if i > 0 && j.opts.SpawnDelay > 0 {
				// agent.spawn_delay_sec: session i starts i delays late.
				select {
				case <-ctx.Done():
					results[i] = outcome(events.NewError(events.FromCancel, events.CodeUserCancel, "cancelled before the session started").WithCause(context.Cause(ctx)), ExitFailed)
					return
				case <-time.After(time.Duration(i) * j.opts.SpawnDelay):
				}
			}
			results[i] = j.attempts(ctx, &plan{cmd: invocations[i], sessions: []int{i + 1}}, 0)
			if results[i].Err != nil && !results[i].shared {
				cancelOthers(errSessionFailed)
			}
		})
	}
	wg.Wait()
	var shared []int
	var first *Outcome
	for i, r := range results {
		switch {
		case r.Err == nil:
		case r.shared:
			shared = append(shared, i+1)
		case first == nil || first.Err.Origin == events.FromCancel && r.Err.Origin != events.FromCancel:
			// The first real failure explains the job; the others were
			// cancelled because of it.
			first = r
		}
	}
	if first != nil {
		return first
	}
	if len(shared) == 0 {
		return &Outcome{ExitCode: ExitOK}
	}
	if !j.acct.Settle(shared) {
		// What they failed, another session had delivered.
		return &Outcome{ExitCode: ExitOK}
	}
	o := results[shared[0]-1]
	o.shared = false
	if j.opts.Retries == 0 || ctx.Err() != nil {
		o.ExitCode = ending(o, 0, j.opts.Retries)
		return o
	}
	cmd := invocations[shared[0]-1]
	cmd.Args = withoutShare(cmd.Args)
	p := &plan{cmd: cmd, sessions: shared, alone: true}
	if e := j.beforeRetry(ctx, o.Err, 0, p); e != nil {
		return e
	}
	return j.attempts(ctx, p, 1)
}

// withoutShare drops -C from an ascp command line.
func withoutShare(args []string) []string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "-C" {
			return append(slices.Clone(args[:i]), args[i+2:]...)
		}
	}
	return args
}

// step is what a failed attempt leads to (the table above).
type step int

const (
	endJob      step = iota // the job ends with this failure
	completed               // nothing was left to deliver: the job completed
	settleLater             // the other sessions finish first
	retryHere               // retried by the same plan
)

// attempts runs plan's attempts from number attempt (the retries made
// before it) until one completes or the table ends the plan.
func (j *job) attempts(ctx context.Context, p *plan, attempt int) *Outcome {
	for ; ; attempt++ {
		o, end := j.runOnce(ctx, p, attempt)
		if end != nil {
			return end
		}
		if o.Err == nil {
			return o
		}
		switch j.next(ctx, p, o, attempt) {
		case completed:
			return &Outcome{ExitCode: ExitOK}
		case settleLater:
			o.shared = true
			return o
		case endJob:
			o.shared = false
			o.ExitCode = ending(o, attempt, j.opts.Retries)
			return o
		}
		if e := j.beforeRetry(ctx, o.Err, attempt, p); e != nil {
			return e
		}
	}
}

// next is the table's rows: what the failure o of plan's attempt number
// attempt leads to.
func (j *job) next(ctx context.Context, p *plan, o *Outcome, attempt int) step {
	switch {
	case ctx.Err() != nil:
		return endJob
	case o.shared:
		// Failed only for sources another session may have delivered
		// and removed first (the account's verdict).
		return settleLater
	case !retryable(o.Err):
		return endJob
	}
	keepalive := j.in.Spec.Bool("keepalive")
	shares := p.cmd.Sessions > 1 && !p.alone && p.cmd.ListFile != nil && !keepalive
	if p.cmd.ListFile != nil && !keepalive && !shares && !j.acct.Unfinished(p.sessions[0]) {
		// ascp confirmed every item before the error: nothing is left
		// to deliver, and nothing to retry.
		j.opts.Log.Info().Int("code", o.Err.Code).Str("error", human.Printable(o.Err.Description)).
			Msg("every item was delivered before the error: the job is complete")
		return completed
	}
	switch {
	case attempt >= j.opts.Retries:
		return endJob
	case shares:
		// One ascp of several taking a list cannot be retried with its
		// -C share: ascp shares a list among the sessions by position,
		// and a source gone since (remove_after_transfer) shifts the
		// shares. The others finish; then one ascp retries what none
		// finished.
		return settleLater
	}
	return retryHere
}

// ending is the exit code of a job whose last attempt ended with o, after
// retriesMade retries of the retries allowed: the table's last column.
func ending(o *Outcome, retriesMade, retries int) int {
	switch {
	case o.Err == nil:
		return ExitOK
	case !retryable(o.Err):
		return o.ExitCode // ExitFailed, or ExitNoAscp: what the attempt said
	case retriesMade > 0:
		return ExitRetries // retries were made for this kind of error and it came back
	case retries == 0:
		return ExitTempFail // the caller keeps retries for itself: tell it this one may work
	}
	return o.ExitCode
}

// runOnce runs attempt number attempt of plan; end is set when it could
// not start.
func (j *job) runOnce(ctx context.Context, p *plan, attempt int) (o, end *Outcome) {
	var replay []any
	var done bool
	if p.alone && attempt == 1 {
		replay, done = j.acct.BeginAlone(p.sessions)
	} else {
		replay, done = j.acct.Begin(p.sessions[0])
	}
	args := p.cmd.Args
	if attempt > 0 && p.cmd.ListFile != nil && (p.cmd.Sessions == 1 || p.alone) {
		// The retry lists only what is not finished.
		var err error
		if args, err = j.retryList(p, attempt); err != nil {
			return nil, outcome(events.NewError(events.FromSetup, 0, "cannot write the list file: "+err.Error()).WithCause(err), ExitFailed)
		}
	}
	cmds := make([]*Command, 0, len(replay)+1)
	for _, h := range replay {
		cmds = append(cmds, h.(*Command))
	}
	if done {
		cmds = append(cmds, &Command{Type: "DONE"})
	}
	r := &runner{job: j, cmd: &p.cmd, args: args, attempt: attempt, replay: cmds}
	return r.run(ctx), nil
}

// beforeRetry counts the retry after plan's attempt number attempt, shows
// willretry and waits the backoff: RetryDelay, multiplied by RetryFactor
// for each retry of the plan before, at most RetryMaxDelay.
func (j *job) beforeRetry(ctx context.Context, e *events.Error, attempt int, p *plan) *Outcome {
	j.mu.Lock()
	j.retries++
	j.mu.Unlock()
	j.acct.Retry(p.sessions...)
	j.emitProgress(true)
	delay := j.opts.RetryDelay
	for range attempt {
		delay = min(delay*time.Duration(j.opts.RetryFactor), j.opts.RetryMaxDelay)
	}
	j.opts.Log.Warn().Int("code", e.Code).Str("error", human.Printable(e.Description)).Ints("sessions", p.sessions).
		Dur("delay", delay).Int("attempt", attempt+2).Msg("retryable error, retrying with resume")
	select {
	case <-ctx.Done():
		return outcome(events.NewError(events.FromCancel, events.CodeUserCancel, "cancelled while waiting to retry").WithCause(context.Cause(ctx)), ExitFailed)
	case <-time.After(delay):
	}
	return nil
}

// retryList writes the list file of a retry of plan (what the account
// says is not finished), and returns the command's arguments that name it
// instead of the first list.
func (j *job) retryList(p *plan, attempt int) ([]string, error) {
	path := filepath.Join(j.listDir, fmt.Sprintf("paths-%d-%d.txt", p.cmd.Index, attempt+1))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	_, err = j.acct.WriteRetryList(p.sessions[0], f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	list := p.cmd.ListFile
	old := list.Option + "=" + list.Path
	args := slices.Clone(p.cmd.Args)
	for i, a := range args {
		if a == old {
			args[i] = list.Option + "=" + path
		}
	}
	return args, nil
}
