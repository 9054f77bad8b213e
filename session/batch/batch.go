package batch

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/human"
	"github.com/faspkit/asession/schema"
	"github.com/faspkit/asession/session"
)

// Options tune a batch. DefaultOptions returns what `asession batch`
// uses; start from it to get the same behaviour.
type Options struct {
	// Session is every job's options: ascp, timeouts, which lines to
	// write, the log, Kill. Its Retries, RetryDelay, RetryMaxDelay and
	// RetryFactor are the queue's: a job that fails with a retryable error
	// goes back to the queue that many times, waiting the backoff, instead
	// of retrying in place (each attempt runs with Retries 0); a job's
	// agent.resume sets them where Session.Explicit says the caller did
	// not. The batch sets each attempt's Out, Commands and JobID itself,
	// and leaves out SummaryFile, ProgressFile, Checksums, Manifest,
	// OnProgress, OnFrame and OnTick, which would not say which job they
	// are about.
	Session session.Options

	Parallel int           // jobs running at once (≤ 0: 4)
	PerHost  int           // jobs running at once against one remote_host (≤ 0: 2)
	Stagger  time.Duration // at least this long between two starts to one remote_host (0: none)
	// RateBudget, in kbps, is shared by the running jobs (0: none): each
	// job's ascp gets a RATE command when it starts and whenever another
	// job starts or ends, so that their target rates sum to at most the
	// budget, and none is above the job's own target_rate_kbps. It must
	// give every running ascp at least 1 kbps: at least Parallel.
	RateBudget int64
	// Journal is the path of the journal (empty: none). See the README's
	// "asession batch" section for its format.
	Journal string

	// Out gets every job's lines, each tagged with the job's id and
	// attempt, then the batch_summary line; nil discards them.
	Out *events.Writer
	// OnJobEnd, when set, is called as each job ends for good: completed,
	// skipped, failed or cancelled. It must not block for long: the
	// scheduler waits for it.
	OnJobEnd func(JobResult)
}

// DefaultOptions are `asession batch`'s defaults.
func DefaultOptions() Options {
	return Options{Session: session.DefaultOptions(), Parallel: 4, PerHost: 2, Stagger: 2 * time.Second}
}

// JobResult is how one job of a batch ended.
type JobResult struct {
	ID       string
	Status   string // events.StatusCompleted, events.StatusSkipped, StatusFailed or StatusCancelled
	Attempts int    // runs of the job in this batch
	ExitCode int    // its last attempt's (session.ExitCodes); 0 when it did not run
	Summary  *events.Summary
}

// Result is how a batch ended.
type Result struct {
	ExitCode int                  // see session.ExitCodes, column Batch
	Summary  *events.BatchSummary // nil when the batch was refused before it started
	// Err explains a batch refused before it started (ExitUsage) or
	// stopped by its own failure (a journal that cannot be written, an
	// output that cannot be written).
	Err  *events.Error
	Jobs []JobResult // in the order the jobs came
}

// RunJobs runs a list of jobs known in advance. A list with two jobs of
// one id is refused before any starts.
func RunJobs(ctx context.Context, jobs []Job, opts Options) *Result {
	seen := map[string]int{}
	var problems schema.Problems
	for i, j := range jobs {
		id := j.ID
		if id == "" {
			id = strconv.Itoa(i + 1)
		}
		if first, dup := seen[id]; dup {
			problems = append(problems, schema.Problem{Pointer: fmt.Sprintf("/%d/id", i),
				Expected: "an id no other job of the batch has", Found: fmt.Sprintf("the id of job %d", first+1)})
		}
		seen[id] = i
	}
	if len(problems) > 0 {
		return refuse(opts.Out, session.InputError(problems))
	}
	ch := make(chan Job, len(jobs))
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	return Run(ctx, ch, opts)
}

// Run runs the jobs that come on the channel until it is closed and every
// job has ended, or ctx is cancelled: then every running job is cancelled
// (ascp gets CANCEL) and waited for, jobs not started are counted
// cancelled, and the journal is left for a re-run. A job whose id repeats
// an earlier one's fails without running.
func Run(ctx context.Context, jobs <-chan Job, opts Options) *Result {
	b, refused := newBatch(ctx, opts)
	if refused != nil {
		return refused
	}
	defer b.close()
	return b.run(jobs)
}

func refuse(out *events.Writer, e *events.Error) *Result {
	if out != nil {
		_ = out.Event(e)
		_ = out.Flush()
	}
	return &Result{ExitCode: session.ExitUsage, Err: e}
}

// usageProblem refuses an option.
func usageProblem(flag, expected, found string) *events.Error {
	return session.InputError(schema.Problems{{Pointer: "--" + flag, Expected: expected, Found: found}})
}

// CheckOptions reports the first option a batch cannot run with, as the
// error line it would write; nil when they are usable.
func CheckOptions(opts Options) *events.Error {
	opts.defaults()
	switch {
	case opts.Stagger < 0:
		return usageProblem("stagger", "a duration of 0 or more", opts.Stagger.String())
	case opts.RateBudget < 0:
		return usageProblem("rate-budget", "kbps, 0 (none) or more", strconv.FormatInt(opts.RateBudget, 10))
	case opts.RateBudget > 0 && opts.RateBudget < int64(opts.Parallel):
		return usageProblem("rate-budget", fmt.Sprintf("at least 1 kbps for each of the %d jobs --parallel runs at once", opts.Parallel),
			strconv.FormatInt(opts.RateBudget, 10))
	case opts.RateBudget > schema.MaxRateKbps*int64(opts.Parallel):
		return usageProblem("rate-budget", fmt.Sprintf("at most %d kbps a job", schema.MaxRateKbps), strconv.FormatInt(opts.RateBudget, 10))
	}
	return nil
}

func (o *Options) defaults() {
	d := DefaultOptions()
	if o.Parallel <= 0 {
		o.Parallel = d.Parallel
	}
	if o.PerHost <= 0 {
		o.PerHost = d.PerHost
	}
}

// entry is a job in the scheduler.
type entry struct {
	Job
	seq    int // arrival order, from 1
	host   string
	digest string
	policy session.Options // its queue retries: the batch's, or its agent.resume's
	claim  rateClaim

	attempts  int // in this run
	journaled int // its last attempt number in the journal
	delay     time.Duration
	notBefore time.Time
	claimed   bool

	// While it runs with a budget (rate.go).
	pipe      *commandPipe
	sent      int64     // the rate of each of its ascp, as last sent: its -l, then RATE commands
	committed int64     // the most any of its ascp may be running at now
	connected bool      // every ascp of the attempt has connected: a RATE sent reaches it at once
	settleAt  time.Time // when a lower rate sent counts (see rateSettle); zero: none waits

	result   JobResult
	lastCode int           // exit code of its last attempt
	refusal  *events.Error // why it could not run at all
}

type finished struct {
	e *entry
	o *session.Outcome
}

type batch struct {
	parent context.Context
	ctx    context.Context
	cancel context.CancelCauseFunc
	opts   Options
	out    *events.Writer
	j      *journal
	start  time.Time

	entries  []*entry
	ids      map[string]bool
	hosts    map[string]*hostQueue
	delayed  []*entry
	running  map[*entry]bool
	done     chan finished
	connects chan connectSignal // rate.go
	// roomWanted: a job waits for room in the budget, and gets it
	// before any other job is sent a higher rate.
	roomWanted bool
	requeued   int
	written    int64
	expected   int64
	fatal      *events.Error
	cancelled  bool // stopped starting jobs: ctx or a failure of the batch's own
}

// hostQueue holds one remote host's jobs ready to start, in arrival order.
type hostQueue struct {
	ready     []*entry
	running   int
	lastStart time.Time
}

func newBatch(ctx context.Context, opts Options) (*batch, *Result) {
	if e := CheckOptions(opts); e != nil {
		return nil, refuse(opts.Out, e)
	}
	opts.defaults()
	b := &batch{parent: ctx, opts: opts, out: opts.Out, start: time.Now(),
		ids: map[string]bool{}, hosts: map[string]*hostQueue{}, running: map[*entry]bool{},
		done: make(chan finished), connects: make(chan connectSignal, opts.Parallel)}
	if opts.Journal != "" {
		j, err := openJournal(opts.Journal)
		if err != nil {
			return nil, refuse(opts.Out, usageProblem("journal", "a journal file this user can read and append to", err.Error()))
		}
		b.j = j
	}
	b.ctx, b.cancel = context.WithCancelCause(ctx)
	return b, nil
}

func (b *batch) close() {
	b.cancel(nil)
	if b.j != nil {
		_ = b.j.close()
	}
}

// claimPoll is how often a job another batch process runs is looked at
// again.
const claimPoll = time.Second

// maxArrivals bounds the jobs taken from the channel at once, journaled
// as queued in one write.
const maxArrivals = 1024

func (b *batch) run(jobs <-chan Job) *Result {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	input := jobs
	for {
		now := time.Now()
		b.settle(now)
		next := b.dispatch(now)
		if !b.roomWanted && !b.cancelled {
			b.rebalance(nil)
		}
		if settled := b.settle(now); !settled.IsZero() && (next.IsZero() || settled.Before(next)) {
			next = settled
		}
		if input == nil && len(b.running) == 0 && (b.cancelled || b.idle()) {
			break
		}
		if !next.IsZero() {
			timer.Reset(max(time.Until(next), time.Millisecond))
		} else {
			timer.Reset(time.Hour)
		}
		var stop <-chan struct{}
		if !b.cancelled {
			stop = b.ctx.Done()
		}
		select {
		case job, ok := <-input:
			if !ok {
				input = nil
				continue
			}
			arrived := []Job{job}
			for more := true; more && len(arrived) < maxArrivals; {
				select {
				case job, ok := <-input:
					if !ok {
						input, more = nil, false
						break
					}
					arrived = append(arrived, job)
				default:
					more = false
				}
			}
			b.arrive(arrived)
		case f := <-b.done:
			b.finish(f.e, f.o)
		case c := <-b.connects:
			b.connected(c)
		case <-timer.C:
		case <-stop:
			b.stopStarting()
			if input != nil {
				// What the channel holds now was never started; what
				// comes later is not waited for.
				b.drain(input)
				input = nil
			}
		}
	}
	return b.result()
}

// idle: no job waits to start.
func (b *batch) idle() bool {
	if len(b.delayed) > 0 {
		return false
	}
	for _, q := range b.hosts {
		if len(q.ready) > 0 {
			return false
		}
	}
	return true
}

// drain counts the jobs waiting in the channel as cancelled.
func (b *batch) drain(input <-chan Job) {
	for {
		select {
		case job, ok := <-input:
			if !ok {
				return
			}
			e := b.add(job)
			if e.result.Status == "" {
				b.end(e, events.StatusCancelled)
			}
		default:
			return
		}
	}
}

// stopStarting cancels what waits to start: on cancellation, or when the
// batch itself cannot go on.
func (b *batch) stopStarting() {
	if b.cancelled {
		return
	}
	b.cancelled = true
	for _, q := range b.hosts {
		for _, e := range q.ready {
			b.end(e, events.StatusCancelled)
		}
		q.ready = nil
	}
	for _, e := range b.delayed {
		b.end(e, events.StatusCancelled)
	}
	b.delayed = nil
}

// add makes an entry of a job that came; it has a result already when it
// is not to run (a repeated id, or done before by the journal).
func (b *batch) add(job Job) *entry {
	e := &entry{Job: job, seq: len(b.entries) + 1}
	if e.ID == "" {
		e.ID = strconv.Itoa(e.seq)
	}
	e.result.ID = e.ID
	b.entries = append(b.entries, e)
	if b.ids[e.ID] {
		b.refuseJob(e, session.InputError(schema.Problems{{Pointer: "/id", Expected: "an id no other job of the batch has", Found: strconv.Quote(e.ID)}}))
		return e
	}
	b.ids[e.ID] = true
	if e.Input == nil || e.Input.Spec == nil {
		b.refuseJob(e, session.InputError(schema.Problems{{Pointer: "/", Expected: "a checked job description (Job.Input)", Found: "nothing"}}))
		return e
	}
	e.host = strings.ToLower(e.Input.Spec.String("remote_host"))
	e.digest = digest(e.Input)
	e.claim = rateClaim{weight: max(1, e.Input.Spec.Int("multi_session")), limit: e.Input.Spec.Int("target_rate_kbps")}
	e.policy = queuePolicy(b.opts.Session, e.Input.Agent)
	e.delay = e.policy.RetryDelay
	if b.j != nil {
		if r, ok := b.j.state(e.ID); ok {
			e.journaled = r.Attempt
			if b.doneBefore(e, r) {
				b.end(e, events.StatusSkipped)
			}
		}
	}
	return e
}

// queuePolicy is a job's options with its queue retries: the batch's, or
// where the caller did not choose them (opts.Explicit), the job's
// agent.resume, as session.Run takes it for retries in place (IBM's
// iter_max counts the retries after the first attempt).
func queuePolicy(opts session.Options, agent schema.Agent) session.Options {
	explicit := opts.Explicit
	if explicit == nil {
		zero := map[string]bool{
			session.OptionRetries: opts.Retries == 0, session.OptionRetryDelay: opts.RetryDelay == 0,
			session.OptionRetryMaxDelay: opts.RetryMaxDelay == 0, session.OptionRetryFactor: opts.RetryFactor == 0,
		}
		explicit = func(option string) bool { return !zero[option] }
	}
	if r := agent.Resume; r != nil {
		for _, o := range []struct {
			option string
			apply  func()
		}{
			{session.OptionRetries, func() { opts.Retries = r.IterMax }},
			{session.OptionRetryDelay, func() { opts.RetryDelay = time.Duration(r.SleepInitial) * time.Second }},
			{session.OptionRetryMaxDelay, func() { opts.RetryMaxDelay = time.Duration(r.SleepMax) * time.Second }},
			{session.OptionRetryFactor, func() { opts.RetryFactor = r.SleepFactor }},
		} {
			if !explicit(o.option) {
				o.apply()
			}
		}
	}
	d := session.DefaultOptions()
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = d.RetryDelay
	}
	if opts.RetryMaxDelay <= 0 {
		opts.RetryMaxDelay = d.RetryMaxDelay
	}
	if opts.RetryFactor <= 0 {
		opts.RetryFactor = d.RetryFactor
	}
	return opts
}

// doneBefore: the journal says the job completed, and it is still the
// same transfer.
func (b *batch) doneBefore(e *entry, r record) bool {
	if r.State != StateDone {
		return false
	}
	if r.Digest != "" && r.Digest != e.digest {
		b.opts.Session.Log.Info().Str("job", e.ID).Msg("the journal has this job done, but it transferred something else then: running it again")
		return false
	}
	return true
}

// refuseJob ends a job that cannot run, with its error line.
func (b *batch) refuseJob(e *entry, err *events.Error) {
	if b.out != nil {
		w := events.NewWriter(newTagger(b.out, e.ID, 0))
		_ = w.Event(err)
	}
	e.lastCode = session.ExitUsage
	e.result.ExitCode = session.ExitUsage
	e.refusal = err
	b.end(e, events.StatusFailed)
}

// arrive queues the jobs that came, journaled as queued in one write.
func (b *batch) arrive(jobs []Job) {
	var recs []record
	var queued []*entry
	for _, job := range jobs {
		e := b.add(job)
		if e.result.Status != "" {
			continue
		}
		if b.cancelled {
			b.end(e, events.StatusCancelled)
			continue
		}
		queued = append(queued, e)
		if b.j != nil {
			if r, ok := b.j.state(e.ID); !ok || r.State != StateQueued || r.Digest != e.digest {
				recs = append(recs, record{Job: e.ID, State: StateQueued, Attempt: e.journaled, Digest: e.digest})
			}
		}
	}
	if b.j != nil {
		if err := b.j.append(recs...); err != nil {
			b.fail(events.NewError(events.FromSetup, 0, "cannot write the journal: "+err.Error()).WithCause(err))
			for _, e := range queued {
				b.end(e, events.StatusCancelled)
			}
			return
		}
	}
	for _, e := range queued {
		b.queue(e)
	}
}

// queue puts a job in its host's queue, in arrival order.
func (b *batch) queue(e *entry) {
	q := b.hosts[e.host]
	if q == nil {
		q = &hostQueue{}
		b.hosts[e.host] = q
	}
	i := len(q.ready)
	for i > 0 && q.ready[i-1].seq > e.seq {
		i--
	}
	q.ready = append(q.ready, nil)
	copy(q.ready[i+1:], q.ready[i:])
	q.ready[i] = e
}

// dispatch starts every job that may start now, earliest arrival first,
// and returns when the next one may (zero: when something else happens).
func (b *batch) dispatch(now time.Time) (next time.Time) {
	b.roomWanted = false
	if b.cancelled {
		return time.Time{}
	}
	soon := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	// A job put off while this dispatch runs (another batch process holds
	// it) is due again too: without it, nothing would wake the batch.
	defer func() {
		if !b.cancelled {
			for _, e := range b.delayed {
				soon(e.notBefore)
			}
		}
	}()
	// Jobs whose backoff is over go back to their host's queue.
	kept := b.delayed[:0]
	for _, e := range b.delayed {
		if now.Before(e.notBefore) {
			kept = append(kept, e)
			continue
		}
		b.queue(e)
	}
	b.delayed = kept
	for len(b.running) < b.opts.Parallel {
		var pick *hostQueue
		for _, q := range b.hosts {
			if len(q.ready) == 0 || q.running >= b.opts.PerHost {
				continue
			}
			if at := q.lastStart.Add(b.opts.Stagger); b.opts.Stagger > 0 && !q.lastStart.IsZero() && now.Before(at) {
				soon(at)
				continue
			}
			if pick == nil || q.ready[0].seq < pick.ready[0].seq {
				pick = q
			}
		}
		if pick == nil {
			return next
		}
		e := pick.ready[0]
		pick.ready = pick.ready[1:]
		switch b.startJob(e, pick, now) {
		case overBudget:
			// It stays first in line; a job that connects or ends
			// makes room.
			pick.ready = append([]*entry{e}, pick.ready...)
			b.roomWanted = true
			return next
		case notStarted:
			if b.cancelled {
				return time.Time{}
			}
		}
	}
	return next
}

// startOutcome is what became of a job dispatch picked.
type startOutcome int

const (
	started    startOutcome = iota
	notStarted              // it waits again (another process runs it) or ended (done before)
	overBudget              // the budget has no room for it yet: nothing more starts until some does
)

// startJob claims e in the journal and starts its attempt.
func (b *batch) startJob(e *entry, q *hostQueue, now time.Time) startOutcome {
	if b.j != nil {
		if !e.claimed {
			switch err := b.j.claim(e.ID); {
			case errors.Is(err, errClaimed):
				e.notBefore = now.Add(claimPoll)
				b.delayed = append(b.delayed, e)
				return notStarted
			case err != nil:
				b.fail(events.NewError(events.FromSetup, 0, "cannot lock the job in the journal: "+err.Error()).WithCause(err))
				b.end(e, events.StatusCancelled)
				return notStarted
			}
			e.claimed = true
		}
		// Another process may have run it since the journal was read.
		if err := b.j.refresh(); err != nil {
			b.fail(events.NewError(events.FromSetup, 0, "cannot read the journal: "+err.Error()).WithCause(err))
			b.end(e, events.StatusCancelled)
			return notStarted
		}
		if r, ok := b.j.state(e.ID); ok {
			e.journaled = max(e.journaled, r.Attempt)
			if b.doneBefore(e, r) {
				b.end(e, events.StatusSkipped)
				return notStarted
			}
		}
	}
	// The job's input for this attempt: it starts at its share of the
	// budget, and the queue retries, not the attempt in place.
	in := *e.Input
	in.Agent.Resume = nil
	if b.opts.RateBudget > 0 {
		rate := b.admit(e)
		if rate == 0 {
			return overBudget
		}
		in.Spec = in.Spec.WithInteger("target_rate_kbps", rate)
		if in.Spec.Int("min_rate_kbps") > rate {
			in.Spec = in.Spec.WithInteger("min_rate_kbps", rate)
		}
	}
	if b.j != nil {
		// Its time is the start's own, by which the stagger was kept.
		start := record{Time: now.UTC().Format(events.TimeFormat), Job: e.ID, State: StateRunning, Attempt: e.journaled + 1, Digest: e.digest}
		if err := b.j.append(start); err != nil {
			b.fail(events.NewError(events.FromSetup, 0, "cannot write the journal: "+err.Error()).WithCause(err))
			b.end(e, events.StatusCancelled)
			return notStarted
		}
	}
	e.attempts++
	e.journaled++
	q.running++
	q.lastStart = now
	b.running[e] = true

	so := e.policy
	so.Retries = 0
	so.JobID = ""
	so.SummaryFile, so.ProgressFile = "", ""
	so.OnProgress, so.OnFrame, so.OnTick = nil, nil, nil
	so.Checksums, so.Manifest = nil, ""
	so.Commands = nil
	so.Log = so.Log.With().Str("job", e.ID).Int("attempt", e.journaled).Logger()
	so.Out = nil
	if b.out != nil {
		so.Out = events.NewWriter(newTagger(b.out, e.ID, e.journaled))
	}
	if b.opts.RateBudget > 0 {
		so.Commands = e.pipe
		so.OnFrame = b.watchConnect(e)
	}
	b.opts.Session.Log.Debug().Str("job", e.ID).Int("attempt", e.journaled).Str("host", e.host).Int64("rate_kbps", e.sent).Msg("starting")
	go func() {
		o := session.Run(b.ctx, &in, so)
		b.done <- finished{e, o}
	}()
	return started
}

// finish takes in an attempt's outcome: the job ends, or goes back to the
// queue after its backoff.
func (b *batch) finish(e *entry, o *session.Outcome) {
	delete(b.running, e)
	b.hosts[e.host].running--
	b.released(e)
	e.lastCode = o.ExitCode
	e.result.ExitCode = o.ExitCode
	e.result.Summary = o.Summary
	if b.out != nil && b.out.Err() != nil {
		b.fail(events.NewError(events.FromOutput, 0, "cannot write the output: "+b.out.Err().Error()).WithCause(b.out.Err()))
	}
	status := events.StatusFailed
	switch {
	case o.Err == nil:
		status = events.StatusCompleted
	case o.Summary != nil && o.Summary.Status == events.StatusCancelled, b.ctx.Err() != nil:
		status = events.StatusCancelled
	case retryMayHelp(o.ExitCode) && e.attempts <= e.policy.Retries && !b.cancelled:
		b.requeue(e, o)
		return
	}
	state := map[string]string{events.StatusCompleted: StateDone, events.StatusFailed: StateFailed, events.StatusCancelled: StateCancelled}[status]
	b.journalEnd(e, state, o)
	b.end(e, status)
}

// requeue puts a job that failed with a retryable error back in the
// queue, to start again after its backoff, resuming its partial files.
func (b *batch) requeue(e *entry, o *session.Outcome) {
	b.requeued++
	b.opts.Session.Log.Warn().Str("job", e.ID).Int("code", o.Err.Code).Str("error", human.Printable(o.Err.Description)).
		Dur("delay", e.delay).Int("attempt", e.journaled+1).Msg("retryable error: the job goes back to the queue")
	b.journalEnd(e, StateQueued, o)
	e.notBefore = time.Now().Add(e.delay)
	e.delay = min(e.delay*time.Duration(e.policy.RetryFactor), e.policy.RetryMaxDelay)
	b.delayed = append(b.delayed, e)
}

func (b *batch) journalEnd(e *entry, state string, o *session.Outcome) {
	if b.j == nil {
		return
	}
	code := o.ExitCode
	r := record{Job: e.ID, State: state, Attempt: e.journaled, Digest: e.digest, ExitCode: &code}
	if o.Err != nil {
		r.Error = o.Err.Description
	}
	if err := b.j.append(r); err != nil {
		b.fail(events.NewError(events.FromSetup, 0, "cannot write the journal: "+err.Error()).WithCause(err))
	}
}

// end records how a job ended for good.
func (b *batch) end(e *entry, status string) {
	e.result.Status = status
	e.result.Attempts = e.attempts
	if e.claimed && b.j != nil {
		b.j.release(e.ID)
		e.claimed = false
	}
	if s := e.result.Summary; s != nil && status != events.StatusSkipped {
		b.written += s.BytesWritten
		b.expected += s.BytesExpected
	}
	if b.opts.OnJobEnd != nil {
		b.opts.OnJobEnd(e.result)
	}
}

// fail stops the batch for a failure of its own: nothing more starts, and
// the running jobs are cancelled.
func (b *batch) fail(e *events.Error) {
	if b.fatal != nil {
		return
	}
	b.fatal = e
	if b.out != nil && e.Origin != events.FromOutput {
		_ = b.out.Event(e)
	}
	b.stopStarting()
	b.cancel(e)
}

// retryMayHelp reads the exit-code table.
func retryMayHelp(code int) bool {
	for _, c := range session.ExitCodes {
		if c.Code == code {
			return c.RetryMayHelp
		}
	}
	return false
}

// result counts the jobs, writes the batch_summary and picks the exit
// code.
func (b *batch) result() *Result {
	end := time.Now()
	s := &events.BatchSummary{Type: "batch_summary", Requeued: b.requeued,
		BytesWritten: b.written, BytesExpected: b.expected, ElapsedUsec: end.Sub(b.start).Microseconds(),
		StartTime: b.start.UTC().Format(events.TimeFormat), EndTime: end.UTC().Format(events.TimeFormat)}
	res := &Result{Summary: s, Err: b.fatal}
	allRetryable := true
	for _, e := range b.entries {
		res.Jobs = append(res.Jobs, e.result)
		s.Jobs.Total++
		switch e.result.Status {
		case events.StatusCompleted:
			s.Jobs.Completed++
		case events.StatusSkipped:
			s.Jobs.Skipped++
		case events.StatusCancelled:
			s.Jobs.Cancelled++
		default:
			s.Jobs.Failed++
			allRetryable = allRetryable && retryMayHelp(e.lastCode)
			if len(s.Failed) == events.MaxBatchFailures {
				s.FailedNotListed++
				continue
			}
			f := events.BatchFailure{Job: e.ID, ExitCode: e.lastCode, Attempts: e.attempts}
			if e.result.Summary != nil {
				f.Error = e.result.Summary.Error
			} else if err := e.refusal; err != nil {
				f.Error = &events.SummaryError{Code: err.Code, Mnemonic: string(err.Origin), Description: err.Description, Origin: err.Origin}
			}
			s.Failed = append(s.Failed, f)
		}
	}
	switch {
	case b.parent.Err() != nil:
		s.Status, res.ExitCode = events.StatusCancelled, exitForCause(context.Cause(b.parent))
	case b.fatal != nil:
		s.Status, res.ExitCode = events.StatusFailed, session.ExitFailed
	case s.Jobs.Failed == 0 && s.Jobs.Cancelled == 0:
		s.Status, res.ExitCode = events.StatusCompleted, session.ExitOK
	case s.Jobs.Cancelled == 0 && allRetryable:
		s.Status, res.ExitCode = events.StatusFailed, session.ExitTempFail
	default:
		s.Status, res.ExitCode = events.StatusFailed, session.ExitFailed
	}
	s.ExitCode = res.ExitCode
	if b.out != nil {
		_ = b.out.Event(s)
		_ = b.out.Flush()
	}
	return res
}

// exitForCause is 128 plus the signal's number for a cancellation by
// signal, as the single job's exit codes say; 1 for any other.
func exitForCause(cause error) int {
	var se *session.SignalError
	if errors.As(cause, &se) {
		if s, ok := se.Signal.(syscall.Signal); ok {
			return 128 + int(s)
		}
	}
	return session.ExitFailed
}
