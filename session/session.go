// Package session runs one asession job end to end: it finds ascp, builds
// the job's commands from the parsed input, runs each ascp with a
// management port (retrying with resume when the error allows), relays the
// frames as events, aggregates progress, and decides how the job ended,
// leaving no process or temporary file behind.
package session

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

// Exit codes of the asession command; a script can rely on them.
const (
	ExitOK      = 0   // the transfer completed
	ExitFailed  = 1   // the transfer failed
	ExitUsage   = 2   // invalid input or usage
	ExitNoAscp  = 3   // ascp not found, or it could not start
	ExitRetries = 4   // failed after retries were exhausted
	ExitSIGINT  = 130 // cancelled by SIGINT
	ExitSIGTERM = 143 // cancelled by SIGTERM
)

// EventSet chooses which lines go to the output. Error and summary lines
// are always written.
type EventSet string

const (
	EventsAll      EventSet = "all"      // raw frames and progress
	EventsRaw      EventSet = "raw"      // raw frames only
	EventsProgress EventSet = "progress" // progress only
)

// Options tune one run. The zero value of each field means its default.
type Options struct {
	Ascp             string         // explicit ascp path; empty searches PATH and install folders
	ConnectTimeout   time.Duration  // how long ascp has to connect to the management port (30s)
	CancelGrace      time.Duration  // how long ascp has to stop after CANCEL before it is killed (5s)
	StallTimeout     time.Duration  // no frame for this long while ascp runs cancels it (0: never)
	Retries          int            // further attempts after a retryable error (0: none)
	RetryDelay       time.Duration  // first backoff, doubled each attempt (1s)
	RetryMaxDelay    time.Duration  // backoff ceiling (30s)
	ProgressInterval time.Duration  // at most one progress line per interval (100ms)
	Events           EventSet       // which lines to write (all)
	JobID            string         // sent to ascp as -u and repeated in every frame as UserStr
	Commands         io.Reader      // the command channel: JSON lines after the spec (nil: none)
	Out              *events.Writer // JSON lines; nil discards them
	Log              zerolog.Logger
	// OnProgress, when set, sees every progress snapshot the output gets,
	// for a terminal progress display.
	OnProgress func(events.Snapshot)
	// OnFrame, when set, sees every management frame of session i (1-based)
	// as it arrives. The frame is reused after the call returns.
	OnFrame func(session int, f *ascp.Frame)
}

func (o *Options) defaults() {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 30 * time.Second
	}
	if o.CancelGrace <= 0 {
		o.CancelGrace = 5 * time.Second
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = time.Second
	}
	if o.RetryMaxDelay <= 0 {
		o.RetryMaxDelay = 30 * time.Second
	}
	if o.ProgressInterval <= 0 {
		o.ProgressInterval = 100 * time.Millisecond
	}
	if o.Events == "" {
		o.Events = EventsAll
	}
	if o.Out == nil {
		o.Out = events.NewWriter(io.Discard)
	}
	if o.JobID == "" {
		o.JobID = NewJobID()
	}
}

// Outcome is how a job, or one attempt of one session, ended.
type Outcome struct {
	ExitCode int
	Err      *events.Error   // nil when it completed
	Summary  *events.Summary // set for a whole job

	// retryAlone: a session of several failed in a way a retry can mend;
	// the job retries once the other sessions are done (retryAlone).
	retryAlone bool
}

func outcome(e *events.Error, code int) *Outcome { return &Outcome{ExitCode: code, Err: e} }

// PrepareOptions say where ascp and the list file are.
type PrepareOptions struct {
	Ascp      string        // explicit ascp path; empty searches
	ListDir   string        // folder of the list file; Run creates a private one
	NewXferID func() string // nil: random tags.aspera.xfer_id
	// Retries > 0 says the job may retry: its first attempt then carries
	// the resume policy already (ascp.ResumeArgs), as IBM's ascp resumes
	// only files whose first transfer had -k.
	Retries int
}

// Prepared is a job ready to start: ascp found, commands built.
type Prepared struct {
	AscpPath string
	Searched []string
	Commands []ascp.Command
}

// Prepare locates ascp and builds the job's commands.
func Prepare(in *schema.Input, opts PrepareOptions) (*Prepared, *events.Error, int) {
	path, searched, err := ascp.Locate(opts.Ascp)
	if err != nil {
		e := events.NewError(events.FromLocate, 0, err.Error())
		e.Searched = searched
		return nil, e, ExitNoAscp
	}
	cmds, err := ascp.Build(in.Spec, ascp.BuildOptions{
		ListDir:      opts.ListDir,
		ExtraArgs:    in.Agent.AscpArgs,
		MultiIncrUDP: in.Agent.MultiIncrUDP,
		SecretCookie: in.Agent.SecretCookie,
		BypassKeys:   ascp.BypassKeys(path),
		NewXferID:    opts.NewXferID,
	})
	if err != nil {
		var p schema.Problem
		if errors.As(err, &p) {
			return nil, InputError(schema.Problems{p}), ExitUsage
		}
		return nil, events.NewError(events.FromInput, 0, err.Error()), ExitUsage
	}
	if opts.Retries > 0 {
		resume := ascp.ResumeArgs(in.Spec)
		for i := range cmds {
			cmds[i].Args = append(append([]string{}, resume...), cmds[i].Args...)
		}
	}
	return &Prepared{AscpPath: path, Searched: searched, Commands: cmds}, nil, ExitOK
}

// job is one run's shared state.
type job struct {
	opts     *Options
	in       *schema.Input
	prepared *Prepared
	tracker  *events.Tracker
	progress []byte // reused buffer for progress lines
	progMu   sync.Mutex
	commands *commandRouter
	ledgers  []*ledger // one per session: what its attempts finished
	listDir  string    // the private folder of the list files
	verify   *verifier // --verify; nil without it
	sent     delivered // sources ascp reported transferred, all sessions
	// keepSent: sent is needed, as sources may vanish once sent, or a
	// multi-session job may retry as one ascp over what none delivered.
	keepSent bool
	verified *int // files verified, for the summary

	mu           sync.Mutex
	retries      int
	version      string
	versionError string
	versionDone  chan struct{} // closed when the probe has answered; nil when none ran
}

// Transfer is the library entry point: it checks a job description (any
// of the three envelopes), runs it and returns the summary. The error is
// nil when the transfer completed; otherwise it is the *events.Error that
// explains why not (input problems included).
func Transfer(ctx context.Context, input []byte, opts Options) (*events.Summary, error) {
	in, inputErr := CheckInput(input, CheckOptions{})
	if inputErr != nil {
		return nil, inputErr
	}
	o := Run(ctx, in, opts)
	if o.Err != nil {
		return o.Summary, o.Err
	}
	return o.Summary, nil
}

// Run executes a parsed job. Every event goes to opts.Out, ending with the
// summary line; the returned Outcome carries the same summary.
func Run(ctx context.Context, in *schema.Input, opts Options) *Outcome {
	opts.defaults()
	sessions := 1
	if n := in.Spec.Int("multi_session"); n > 1 {
		sessions = int(n)
	}
	j := &job{opts: &opts, in: in, tracker: events.NewTracker(sessions, nil)}
	o := j.run(ctx)
	return j.finish(ctx, o)
}

func (j *job) run(ctx context.Context) *Outcome {
	if j.in.Agent.Verify {
		if problems := checkVerify(j.in.Spec); problems != nil {
			return outcome(InputError(problems), ExitUsage)
		}
	}
	// MkdirTemp creates the folder 0700: the list file names what is
	// being transferred and is nobody else's business.
	dir, err := os.MkdirTemp(j.in.FileListFolder, "asession-")
	if err != nil {
		return outcome(events.NewError(events.FromSetup, 0, "cannot create a private temporary folder: "+err.Error()), ExitFailed)
	}
	defer os.RemoveAll(dir)
	j.listDir = dir

	prepared, e, code := Prepare(j.in, PrepareOptions{Ascp: j.opts.Ascp, ListDir: dir, Retries: j.opts.Retries})
	if e != nil {
		return outcome(e, code)
	}
	j.prepared = prepared
	j.versionDone = make(chan struct{})
	go j.probeVersion(prepared.AscpPath)
	j.opts.Log.Debug().Str("ascp", prepared.AscpPath).Int("sessions", len(prepared.Commands)).Str("job_id", j.opts.JobID).Msg("prepared")
	if list := prepared.Commands[0].ListFile; list != nil {
		if err := list.Write(); err != nil {
			return outcome(events.NewError(events.FromSetup, 0, "cannot write the list file: "+err.Error()), ExitFailed)
		}
	}
	for i := range prepared.Commands {
		j.ledgers = append(j.ledgers, newLedger(prepared.Commands[i].ListFile))
	}
	j.keepSent = len(prepared.Commands) > 1 || j.in.Spec.Bool("remove_after_transfer") ||
		j.in.Spec.Bool("delete_source") || j.in.Spec.Has("move_after_transfer")
	if j.in.Agent.Verify {
		j.verify = newVerifier(j)
	}
	keepalive := j.in.Spec.Bool("keepalive")
	j.commands = newCommandRouter(len(prepared.Commands), keepalive, j.opts.Out, j.opts.Log)
	if j.opts.Commands != nil {
		go j.commands.read(j.opts.Commands)
	} else if keepalive {
		j.commands.closeInput()
	}

	// One failing session cancels the others: the job has failed, and
	// their ascp processes must not run on unobserved. A failure a retry
	// can mend lets them finish instead (retryAlone).
	ctx, cancelOthers := context.WithCancelCause(ctx)
	defer cancelOthers(nil)
	results := make([]*Outcome, len(prepared.Commands))
	var wg sync.WaitGroup
	for i := range prepared.Commands {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = j.runSession(ctx, &prepared.Commands[i])
			if results[i].Err != nil && !results[i].retryAlone {
				cancelOthers(errSessionFailed)
			}
		}(i)
	}
	wg.Wait()
	if o := j.retryAlone(ctx, results); o != nil {
		results = []*Outcome{o}
	}
	verifyFailed := 0
	if j.verify != nil {
		verified, failed := j.verify.finish()
		j.verified, verifyFailed = &verified, failed
	}
	// The first real failure explains the job; the others were cancelled
	// because of it.
	var first *Outcome
	for _, r := range results {
		if r.Err == nil {
			continue
		}
		if first == nil || (first.Err.Source == events.FromCancel && r.Err.Source != events.FromCancel) {
			first = r
		}
	}
	if first != nil {
		return first
	}
	if verifyFailed > 0 {
		return outcome(events.NewError(events.FromVerify, 0,
			fmt.Sprintf("%d files differ from the checksum ascp reported for them", verifyFailed)), ExitFailed)
	}
	return &Outcome{ExitCode: ExitOK}
}

var errSessionFailed = errors.New("another session of the job failed")

// codeCancelled is ascp's "cancelled by user".
const codeCancelled = 28

// codeSomeFileErrors is ascp's "some files failed".
const codeSomeFileErrors = 27

// runSession runs one session's attempts: the first, then retries while
// the error is retryable and attempts remain, resuming partial files.
func (j *job) runSession(ctx context.Context, cmd *ascp.Command) *Outcome {
	delay := j.opts.RetryDelay
	led := j.ledgers[cmd.Session-1]
	for attempt := 0; ; attempt++ {
		lines, replay := led.begin()
		args := cmd.Args
		if attempt > 0 && cmd.ListFile != nil && cmd.Sessions == 1 {
			// The retry lists only what is not finished. (A session of
			// a multi-session job cannot: ascp shares the files of the
			// list among the sessions by their place in it.)
			var err error
			if args, err = j.retryList(cmd, attempt, lines); err != nil {
				return outcome(events.NewError(events.FromSetup, 0, "cannot write the list file: "+err.Error()), ExitFailed)
			}
		}
		r := &runner{job: j, cmd: cmd, args: args, attempt: attempt, replay: replay}
		o := r.run(ctx)
		if o.Err == nil || o.retryAlone {
			return o
		}
		retryable := retryable(o.Err) && ctx.Err() == nil
		if retryable && attempt > 0 {
			// Retries were made for this kind of error and it came back.
			o.ExitCode = ExitRetries
		}
		if retryable && cmd.ListFile != nil && cmd.Sessions == 1 && !j.in.Spec.Bool("keepalive") && !led.unfinished() {
			// ascp confirmed every source before the error: there is
			// nothing left to deliver, and nothing to retry.
			j.opts.Log.Info().Int("code", o.Err.Code).Str("error", o.Err.Description).
				Msg("every source was delivered before the error: the job is complete")
			return &Outcome{ExitCode: ExitOK}
		}
		if !retryable || attempt >= j.opts.Retries {
			return o
		}
		if cmd.Sessions > 1 && cmd.ListFile != nil && !j.in.Spec.Bool("keepalive") {
			o.retryAlone = true
			return o
		}
		if e := j.beforeRetry(ctx, o.Err, &delay, attempt, cmd.Session); e != nil {
			return e
		}
	}
}

// beforeRetry counts a retry, shows willretry and waits the backoff.
func (j *job) beforeRetry(ctx context.Context, e *events.Error, delay *time.Duration, attempt int, sessions ...int) *Outcome {
	j.mu.Lock()
	j.retries++
	j.mu.Unlock()
	for _, s := range sessions {
		j.tracker.Retry(s)
	}
	j.emitProgress(true)
	j.opts.Log.Warn().Int("code", e.Code).Str("error", e.Description).Ints("sessions", sessions).
		Dur("delay", *delay).Int("attempt", attempt+2).Msg("retryable error, retrying with resume")
	select {
	case <-ctx.Done():
		return outcome(events.NewError(events.FromCancel, 28, "cancelled while waiting to retry"), ExitFailed)
	case <-time.After(*delay):
	}
	*delay = min(*delay*2, j.opts.RetryMaxDelay)
	return nil
}

// retryAlone retries the failed sessions of a multi-session job once all
// its sessions are done, as one ascp without -C over the sources no
// session delivered. Retrying one session with its -C share cannot work:
// ascp shares a list among the sessions by position, and a source gone
// since (remove_after_transfer) shifts the shares, leaving files to
// sessions that are not running. nil: nothing to retry this way.
func (j *job) retryAlone(ctx context.Context, results []*Outcome) *Outcome {
	var failed []int
	var first *Outcome
	for i, r := range results {
		if r.Err != nil && !r.retryAlone {
			return nil // a failure no retry mends
		}
		if r.retryAlone {
			failed = append(failed, i+1)
			if first == nil {
				first = r
			}
		}
	}
	if first == nil || ctx.Err() != nil {
		return nil
	}
	cmd := j.prepared.Commands[failed[0]-1]
	if len(j.undelivered(cmd.ListFile)) == 0 {
		// What a session failed had been delivered by another.
		return &Outcome{ExitCode: ExitOK}
	}
	if j.opts.Retries == 0 {
		return first
	}
	for i := 0; i+1 < len(cmd.Args); i++ {
		if cmd.Args[i] == "-C" {
			cmd.Args = append(append([]string{}, cmd.Args[:i]...), cmd.Args[i+2:]...)
			break
		}
	}
	delay := j.opts.RetryDelay
	o := first
	for attempt := 0; ; attempt++ {
		if e := j.beforeRetry(ctx, o.Err, &delay, attempt, failed...); e != nil {
			return e
		}
		failed = failed[:1] // the retries are this one ascp
		lines := j.undelivered(cmd.ListFile)
		if len(lines) == 0 {
			return &Outcome{ExitCode: ExitOK}
		}
		args, err := j.retryList(&cmd, attempt+1, lines)
		if err != nil {
			return outcome(events.NewError(events.FromSetup, 0, "cannot write the list file: "+err.Error()), ExitFailed)
		}
		r := &runner{job: j, cmd: &cmd, args: args, attempt: attempt + 1, alone: true}
		if o = r.run(ctx); o.Err == nil {
			return o
		}
		retryable := retryable(o.Err) && ctx.Err() == nil
		if retryable {
			o.ExitCode = ExitRetries
		}
		if !retryable || attempt+1 >= j.opts.Retries {
			return o
		}
	}
}

// undelivered lists the list lines whose source no session reported
// transferred or skipped: for a directory, every file it holds is looked
// at again (those delivered are skipped, or gone with their source).
func (j *job) undelivered(list *ascp.ListFile) []string {
	step := 1
	if list.Option == "--file-pair-list" {
		step = 2
	}
	var lines []string
	for i := 0; i+step <= len(list.Lines); i += step {
		src := list.Lines[i]
		abs, _ := filepath.Abs(src)
		if j.sent.has([]byte(src)) || j.sent.has([]byte(abs)) {
			continue
		}
		lines = append(lines, list.Lines[i:i+step]...)
	}
	return lines
}

// retryList writes the list file of a retry, holding lines, and returns
// the command's arguments that name it instead of the first list.
func (j *job) retryList(cmd *ascp.Command, attempt int, lines []string) ([]string, error) {
	list := &ascp.ListFile{Option: cmd.ListFile.Option, Lines: lines,
		Path: filepath.Join(j.listDir, fmt.Sprintf("paths-%d-%d.txt", cmd.Session, attempt+1))}
	if err := list.Write(); err != nil {
		return nil, err
	}
	old := cmd.ListFile.Option + "=" + cmd.ListFile.Path
	args := append([]string{}, cmd.Args...)
	for i, a := range args {
		if a == old {
			args[i] = list.Option + "=" + list.Path
		}
	}
	return args, nil
}

// retryable reports whether another attempt can help: ascp's error table
// says so, and asession did not stop ascp on purpose.
func retryable(e *events.Error) bool {
	return e.Source != events.FromCancel && events.LookupCode(e.Code).Retryable
}

// emitProgress writes a progress line when one is due (always when force
// and something changed).
func (j *job) emitProgress(force bool) {
	if j.opts.Events == EventsRaw && j.opts.OnProgress == nil {
		return
	}
	j.progMu.Lock()
	defer j.progMu.Unlock()
	line, ok := j.tracker.DueProgress(j.progress[:0], j.opts.ProgressInterval, force)
	j.progress = line
	if !ok {
		return
	}
	if j.opts.Events != EventsRaw {
		_ = j.opts.Out.Line(line)
	}
	if j.opts.OnProgress != nil {
		j.opts.OnProgress(j.tracker.Snapshot())
	}
}

// finish writes the error line, the final progress and the summary.
func (j *job) finish(ctx context.Context, o *Outcome) *Outcome {
	status := events.StatusCompleted
	if o.Err != nil {
		status = events.StatusFailed
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, errSessionFailed) {
			status = events.StatusCancelled
			o.ExitCode = exitForCause(cause)
			if o.Err.Source != events.FromCancel {
				o.Err = events.NewError(events.FromCancel, 28, "cancelled: "+cause.Error())
			}
		} else if o.Err.Source == events.FromOutput || o.Err.Code == codeCancelled {
			// A CANCEL command, or a consumer that stopped reading.
			status = events.StatusCancelled
		}
		_ = j.opts.Out.Event(o.Err)
	}
	j.tracker.Finish(status)
	j.emitProgress(true)
	if j.versionDone != nil {
		// A fast failure (a wrong password) is when a support ticket
		// needs the version most: wait for the probe, which is bounded.
		<-j.versionDone
	}
	j.mu.Lock()
	retries, version, versionError := j.retries, j.version, j.versionError
	j.mu.Unlock()
	summary := events.NewSummary(j.opts.JobID, j.tracker.Snapshot(), status, o.ExitCode, o.Err)
	summary.Retries = retries
	summary.AscpVersion = version
	summary.AscpVersionError = versionError
	summary.Verified = j.verified
	_ = j.opts.Out.Event(summary)
	_ = j.opts.Out.Flush()
	o.Summary = summary
	return o
}

// SignalError is the cancellation cause for a signal, so that the exit
// code can say which one (128 + its number).
type SignalError struct{ Signal os.Signal }

func (e *SignalError) Error() string { return "received " + e.Signal.String() }

func exitForCause(cause error) int {
	var se *SignalError
	if errors.As(cause, &se) {
		if s, ok := se.Signal.(syscall.Signal); ok {
			return 128 + int(s)
		}
	}
	return ExitFailed
}

// versionProbeTimeout bounds `ascp -A`, and so how long the summary can
// wait for it.
const versionProbeTimeout = 3 * time.Second

// probeVersion asks ascp for its version while the job runs, for the
// summary; when ascp cannot say, the summary says why instead.
func (j *job) probeVersion(path string) {
	defer close(j.versionDone)
	v, err := ascp.Version(path, versionProbeTimeout)
	j.mu.Lock()
	defer j.mu.Unlock()
	if err != nil {
		j.opts.Log.Debug().Err(err).Msg("ascp version unknown")
		j.versionError = err.Error()
		return
	}
	j.version = v
}

// NewJobID returns a random identifier for a job.
func NewJobID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("asession-%x", b)
}
