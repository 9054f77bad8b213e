package session

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/ascp/install"
	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/account"
	"github.com/faspkit/asession/schema"
)

// Exit codes of the asession command; a script can rely on them.
const (
	ExitOK      = 0   // the transfer completed
	ExitFailed  = 1   // the transfer failed
	ExitUsage   = 2   // invalid input or usage
	ExitNoAscp  = 3   // ascp not found, or it could not start
	ExitRetries = 4   // failed after retries were exhausted
	ExitSIGHUP  = 129 // cancelled by SIGHUP
	ExitSIGINT  = 130 // cancelled by SIGINT
	ExitSIGTERM = 143 // cancelled by SIGTERM
	// ExitTempFail is sysexits' EX_TEMPFAIL, the code mail transfer agents
	// and job schedulers already read as "try again later": a retryable
	// error when asession made no retry of its own (Retries 0), leaving
	// the retry to the caller or a workflow engine.
	ExitTempFail = 75
)

// ExitCode is one row of the exit-code table.
type ExitCode struct {
	Code    int
	Meaning string
	// RetryMayHelp: the last error was one that a later attempt can fix
	// (ascp's error table says retryable), so a workflow engine should
	// retry the step. Retries resume partial files.
	RetryMayHelp bool
	// Batch is what the code means as the exit status of `asession
	// batch` (session/batch); empty when a batch never exits with it.
	Batch string
}

// ExitCodes is the exit-code table; the usage text, the README, the events
// schema and the workflow-engine examples are tested against it.
var ExitCodes = []ExitCode{
	{ExitOK, "the transfer completed", false, "every job completed (or had completed before, by the journal)"},
	{ExitFailed, "the transfer failed (including some files failed, and cancel commands)", false, "some job failed with an error a retry cannot mend"},
	{ExitUsage, "invalid input or usage", false, "an invalid job line, flag or journal: no job was started"},
	{ExitNoAscp, "ascp not found, or it could not start (no management connection)", false, ""},
	{ExitRetries, "failed after retries were exhausted", true, ""},
	{ExitTempFail, "failed with a retryable error and no retries left to asession (--retries 0): retrying may help", true, "every failed job failed with a retryable error: running the batch again (with its journal) may complete it"},
	{ExitSIGHUP, "cancelled by SIGHUP", false, "cancelled by SIGHUP: the journal is ready for a re-run"},
	{ExitSIGINT, "cancelled by SIGINT", false, "cancelled by SIGINT: the journal is ready for a re-run"},
	{ExitSIGTERM, "cancelled by SIGTERM", false, "cancelled by SIGTERM: the journal is ready for a re-run"},
}

// EventSet chooses which lines go to the output. Error and summary lines
// are always written.
type EventSet string

const (
	EventsAll      EventSet = "all"      // raw frames and progress
	EventsRaw      EventSet = "raw"      // raw frames only
	EventsProgress EventSet = "progress" // progress only
)

// Options tune one run.
//
// DefaultOptions returns what the asession command uses, and its flags
// take their defaults from it: start from it to get the same behaviour as
// the command. A zero duration among ConnectTimeout, CancelGrace,
// RetryDelay, RetryMaxDelay and ProgressInterval means its default, since
// zero would be no use; but a zero Retries means no retry, a zero
// StallTimeout no stall detection and a zero Heartbeat no heartbeat, as
// they say, so that Options{} is the plainest run rather than a hidden
// copy of the command's choices.
type Options struct {
	Ascp             string        // explicit ascp path; empty: $ASESSION_ASCP, then PATH and install folders
	ConnectTimeout   time.Duration // how long ascp has to connect to the management port
	CancelGrace      time.Duration // how long ascp has to stop after CANCEL before it is killed
	StallTimeout     time.Duration // no frame for this long while ascp runs cancels it (0: never)
	Retries          int           // further attempts after a retryable error (0: none, the error then ends with ExitTempFail)
	RetryDelay       time.Duration // first backoff, multiplied by RetryFactor each attempt
	RetryMaxDelay    time.Duration // backoff ceiling
	RetryFactor      int           // the backoff is multiplied by this after each retry
	SpawnDelay       time.Duration // between the starts of the sessions of a multi-session job (0: none)
	ProgressInterval time.Duration // at most one progress line per interval
	Heartbeat        time.Duration // a progress line at least this often, even when nothing changes (0: none)
	Events           EventSet      // which lines to write (empty: all)
	JobID            string        // sent to ascp as -u and repeated in every frame as UserStr
	// Commands is the command channel: JSON lines after the spec (nil:
	// none). Before the summary, a reader with SetReadDeadline (a
	// net.Conn, an os.Pipe, a pollable *os.File) is interrupted and the
	// goroutine reading it joined, its deadline cleared again; on Windows
	// so is a reader of a pipe or console handle (an *os.File, or a reader
	// with the Fd method of the file it reads through): its blocked Read
	// is cancelled. Any other reader cannot be interrupted: that goroutine
	// stays blocked in Read until the next line or end of input, and then
	// writes and sends nothing.
	Commands io.Reader
	Out      *events.Writer // JSON lines; nil discards them
	Log      zerolog.Logger
	// Kill, when closed, kills this job's running ascp processes at once
	// instead of waiting for CancelGrace after a cancellation (the
	// command closes it on a second Ctrl-C).
	Kill <-chan struct{}
	// OnProgress, when set, sees every progress snapshot the output gets,
	// for a terminal progress display.
	OnProgress func(events.Snapshot)
	// OnFrame, when set, sees every management frame of session i (1-based)
	// as it arrives, after its event line is made and its secrets taken
	// out. The frame is reused after the call returns; changing it changes
	// nothing written.
	OnFrame func(session int, f *mgmt.Frame)
	// OnTick, when set, sees the progress every TickInterval (1s) while the
	// job runs, from a goroutine of its own: a steady beat, however fast or
	// slow frames come, for a workflow engine's heartbeat.
	OnTick       func(events.Snapshot)
	TickInterval time.Duration
	// ProgressFile, when set, receives "N/M" (bytes written / expected),
	// replaced atomically at most once a second and at the end: Argo
	// Workflows' ARGO_PROGRESS_FILE.
	ProgressFile string
	// SummaryFile, when set, receives the summary line (mode 0600, replaced
	// atomically) on every outcome that writes one.
	SummaryFile string
	// Explicit reports whether the caller chose the option of that name
	// (OptionRetries, ...): the aspera-cli envelope's agent options (resume,
	// spawn_timeout_sec, spawn_delay_sec) apply, once, to the others. nil:
	// an option is the caller's when it is not zero.
	Explicit func(option string) bool

	// Checksums, when set, are the expected checksums of the job's files
	// (--checksums; ReadChecksumsFile): each file delivered or found
	// already there that it lists is hashed and compared; a difference,
	// or a listed file the job did not deliver, fails the job.
	Checksums *ChecksumList
	// Manifest, when set, receives the SHA-256 of every file delivered or
	// already there, in ManifestFormat (default sha256sum), mode 0600,
	// replaced atomically once the job ends.
	Manifest       string
	ManifestFormat ManifestFormat
	// AllowInputOverrides lets the job description choose what only a
	// trusted caller may: the aspera-cli envelope's sdk and file_list_folder,
	// and raw ascp arguments (agent.ascp_args, EX_ascp_args). Without it
	// such an input is refused (see trust.go).
	AllowInputOverrides bool
}

// EnvAscp names the environment variable with the path of the ascp to run
// when Options.Ascp is empty; the command and the library both honour it.
const EnvAscp = "ASESSION_ASCP"

// DefaultOptions returns the options the asession command starts from:
// three retries and a five-minute stall timeout among them. It is the one
// table of defaults; the command's flags show these values.
func DefaultOptions() Options {
	return Options{
		ConnectTimeout:   30 * time.Second,
		CancelGrace:      5 * time.Second,
		StallTimeout:     5 * time.Minute,
		Retries:          3,
		RetryDelay:       time.Second,
		RetryMaxDelay:    30 * time.Second,
		RetryFactor:      2,
		ProgressInterval: 100 * time.Millisecond,
		Events:           EventsAll,
		ManifestFormat:   ManifestSHA256Sum,
	}
}

func (o *Options) defaults() {
	d := DefaultOptions()
	for _, f := range []struct{ v, def *time.Duration }{
		{&o.ConnectTimeout, &d.ConnectTimeout}, {&o.CancelGrace, &d.CancelGrace},
		{&o.RetryDelay, &d.RetryDelay}, {&o.RetryMaxDelay, &d.RetryMaxDelay},
		{&o.ProgressInterval, &d.ProgressInterval},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if o.RetryFactor <= 0 {
		o.RetryFactor = d.RetryFactor
	}
	if o.Events == "" {
		o.Events = d.Events
	}
	if o.Out == nil {
		o.Out = events.NewWriter(io.Discard)
	}
	if o.JobID == "" {
		o.JobID = NewJobID()
	}
}

// ascpPath is the explicit ascp of a run: the option, else $ASESSION_ASCP.
func ascpPath(explicit string) string {
	if explicit != "" {
		return explicit
	}
	return os.Getenv(EnvAscp)
}

// Outcome is how a job, or one attempt of one session, ended.
type Outcome struct {
	ExitCode int
	Err      *events.Error   // nil when it completed
	Summary  *events.Summary // set for a whole job

	// shared: one session of several failed in a way the job decides
	// once the other sessions have ended (the retry driver's table).
	shared bool
}

func outcome(e *events.Error, code int) *Outcome { return &Outcome{ExitCode: code, Err: e} }

// PrepareOptions say where ascp and the list file are.
type PrepareOptions struct {
	Ascp      string        // explicit ascp path; empty: $ASESSION_ASCP, then a search
	ListDir   string        // folder of the list file; Run creates a private one
	NewXferID func() string // nil: random tags.aspera.xfer_id
	// AllowInputOverrides is Options.AllowInputOverrides.
	AllowInputOverrides bool
}

// Prepared is a job ready to start: ascp found, its invocations built.
type Prepared struct {
	AscpPath    string
	Searched    []string
	Invocations []ascp.Invocation // one per session; not Options.Commands, the command channel

	// The HTTP fallback files the commands name, created before ascp
	// starts when missing (a dry run creates nothing).
	fallbackKey, fallbackCert string
}

// Prepare locates ascp and builds the job's commands. Its error is an
// *events.Error, the job's error line; ExitCodeOf gives its exit code.
func Prepare(in *schema.Input, opts PrepareOptions) (*Prepared, error) {
	if err := checkOverrides(in, opts.AllowInputOverrides); err != nil {
		return nil, err
	}
	path, searched, err := install.LocateSDK(ascpPath(opts.Ascp), in.SDK)
	if err == nil && in.Spec.Bool("use_ascp4") {
		searched = nil
		path, err = install.Ascp4(path)
	}
	if err != nil {
		e := events.NewError(events.FromLocate, 0, err.Error()).WithCause(err)
		e.Searched = searched
		return nil, e
	}
	sdk := in.SDK
	if sdk == "" {
		sdk = install.DefaultSDKDir()
	}
	fallbackKey, fallbackCert := install.FallbackFiles(sdk)
	cmds, err := ascp.Build(in.Spec, ascp.BuildOptions{
		ListDir:      opts.ListDir,
		ExtraArgs:    in.Agent.AscpArgs,
		MultiIncrUDP: in.Agent.MultiIncrUDP,
		SecretCookie: in.Agent.SecretCookie,
		BypassKeys:   install.SelectBypassKeys(path, in.SDK, in.Agent.ClientSSHKey),
		NoWSS:        in.Agent.NoWSS,
		NoFileList:   in.Agent.NoFileList,
		TrustedCerts: in.Agent.TrustedCerts,
		FallbackKey:  fallbackKey,
		FallbackCert: fallbackCert,
		NewXferID:    opts.NewXferID,
	})
	if err != nil {
		var p schema.Problem
		if errors.As(err, &p) {
			return nil, InputError(schema.Problems{p})
		}
		return nil, events.NewError(events.FromInput, 0, err.Error()).WithCause(err)
	}
	// Every first attempt carries the resume policy (ascp.ResumeArgs):
	// IBM's ascp resumes only files whose first transfer had -k, and the
	// retry may be ours or, with --retries 0, a workflow engine's next run.
	resume := ascp.ResumeArgs(in.Spec)
	for i := range cmds {
		cmds[i].Args = append(append([]string{}, resume...), cmds[i].Args...)
	}
	for _, c := range cmds {
		if n := commandSize(c); n > maxCommandBytes {
			return nil, InputError(schema.Problems{{Pointer: "/", Found: fmt.Sprintf("%d bytes", n),
				Expected: fmt.Sprintf("a job whose ascp arguments and environment take at most %d bytes", maxCommandBytes)}})
		}
	}
	p := &Prepared{AscpPath: path, Searched: searched, Invocations: cmds}
	if v, ok := in.Spec.Get("http_fallback"); ok && v.Text != "false" {
		p.fallbackKey, p.fallbackCert = fallbackKey, fallbackCert
	}
	return p, nil
}

// ExitCodeOf is the exit code for an error from Prepare or DryRun: the
// input's fault is a usage error, no usable ascp is ExitNoAscp, anything
// else ExitFailed; nil is ExitOK.
func ExitCodeOf(err error) int {
	var e *events.Error
	switch {
	case err == nil:
		return ExitOK
	case !errors.As(err, &e):
		return ExitFailed
	case e.Origin == events.FromInput:
		return ExitUsage
	case e.Origin == events.FromLocate:
		return ExitNoAscp
	}
	return ExitFailed
}

// maxCommandBytes keeps ascp's argv and environment well inside what the
// kernel takes (ARG_MAX, 2 MiB on Linux, shared with the inherited
// environment): a spec past it fails here, not as ascp_start.
const maxCommandBytes = 1 << 20

func commandSize(c ascp.Invocation) int {
	n := 0
	for _, s := range c.Args {
		n += len(s) + 1
	}
	for _, s := range c.Env {
		n += len(s) + 1
	}
	return n
}

// job is one run's shared state.
type job struct {
	opts     *Options
	in       *schema.Input
	prepared *Prepared
	// acct is the job's account: what it was asked to move and what ascp
	// said became of it (internal/account). Progress, retries and the
	// verdict are read from it.
	acct     *account.Account
	progress []byte // reused buffer for progress lines
	progMu   sync.Mutex
	commands *commandRouter
	listDir  string      // the private folder of the list files
	checks   *fileChecks // --verify, --checksums, --manifest; nil without them
	verified *int        // files verified, for the summary
	// checksumCounts is how the files --checksums lists fared.
	checksumCounts *events.ChecksumCounts

	procs registry
	start time.Time

	mu           sync.Mutex
	retries      int
	version      string
	versionError string
	versionDone  chan struct{} // closed when the probe has answered; nil when none ran
	startProbe   func()        // starts the probe, once; nil when none is to run
	sessionIDs   []string      // ascp's SessionId of every attempt of every session, in order
}

// Transfer is the library entry point: it checks a job description (any
// of the three envelopes), runs it and returns the summary. The error is
// nil when the transfer completed; otherwise it is the *events.Error that
// explains why not (input problems included).
func Transfer(ctx context.Context, input []byte, opts Options) (*events.Summary, error) {
	in, inputErr := CheckInput(input, CheckOptions{AllowInputOverrides: opts.AllowInputOverrides})
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
	applyAgent(&opts, in.Agent)
	opts.defaults()
	sessions := 1
	if n := in.Spec.Int("multi_session"); n > 1 {
		sessions = int(n)
	}
	j := &job{opts: &opts, in: in, acct: account.New(account.Options{Sessions: sessions}), start: time.Now()}
	done := make(chan struct{})
	var killer sync.WaitGroup
	if opts.Kill != nil {
		killer.Go(func() {
			select {
			case <-opts.Kill:
				j.procs.killAll()
			case <-done:
			}
		})
	}
	stopTickers := j.startTickers()
	o := j.run(ctx)
	stopTickers()
	// Every ascp has been reaped: nothing is left to kill, and no
	// goroutine of the job outlives its summary.
	close(done)
	killer.Wait()
	return j.finish(ctx, o)
}

func (j *job) run(ctx context.Context) *Outcome {
	if err := checkOverrides(j.in, j.opts.AllowInputOverrides); err != nil {
		return outcome(err.(*events.Error), ExitUsage)
	}
	if o := j.checkFileChecks(); o != nil {
		return o
	}
	dir, o := j.privateFolder()
	if o != nil {
		return o
	}
	defer os.RemoveAll(dir)
	prepared, o := j.prepare(dir)
	if o != nil {
		return o
	}
	defer j.startVersionProbe(ctx, prepared.AscpPath)()
	if o := j.setUp(ctx, prepared); o != nil {
		return o
	}
	o = j.runSessions(ctx)
	checked := j.checks.finish()
	j.verified, j.checksumCounts = checked.verified, checked.checksums
	if o.Err != nil {
		return o
	}
	if checked.err != nil {
		return outcome(checked.err, ExitFailed)
	}
	return &Outcome{ExitCode: ExitOK}
}

// privateFolder creates the job's own folder for its list file; the caller
// removes it.
func (j *job) privateFolder() (string, *Outcome) {
	if dir := j.in.ListFolder(); dir != "" && j.in.FileListFolder == "" {
		// The private folder ReadJob wrote the list file to, which the
		// job takes over: Run removes it as its own.
		j.listDir = dir
		return dir, nil
	}
	// MkdirTemp creates the folder 0700: the list file names what is
	// being transferred and is nobody else's business.
	if j.in.FileListFolder != "" {
		// As IBM's runner, the aspera-cli envelope's folder is created when
		// missing; only the job's own folder inside it is private.
		if err := os.MkdirAll(j.in.FileListFolder, 0o700); err != nil {
			return "", outcome(events.NewError(events.FromSetup, 0, "cannot create file_list_folder: "+err.Error()).WithCause(err), ExitFailed)
		}
	}
	dir, err := os.MkdirTemp(j.in.FileListFolder, "asession-")
	if err != nil {
		return "", outcome(events.NewError(events.FromSetup, 0, "cannot create a private temporary folder: "+err.Error()).WithCause(err), ExitFailed)
	}
	j.listDir = dir
	return dir, nil
}

// prepare locates ascp and builds its invocations, with the HTTP fallback
// certificate they may need.
func (j *job) prepare(dir string) (*Prepared, *Outcome) {
	prepared, err := Prepare(j.in, PrepareOptions{Ascp: j.opts.Ascp, ListDir: dir, AllowInputOverrides: j.opts.AllowInputOverrides})
	if err != nil {
		var e *events.Error
		if !errors.As(err, &e) {
			e = events.NewError(events.FromSetup, 0, err.Error()).WithCause(err)
		}
		return nil, outcome(e, ExitCodeOf(err))
	}
	j.prepared = prepared
	if prepared.fallbackKey != "" && !(j.in.Spec.Has("EX_fallback_key") && j.in.Spec.Has("EX_fallback_cert")) {
		if err := install.EnsureFallbackCert(prepared.fallbackKey, prepared.fallbackCert); err != nil {
			return nil, outcome(events.NewError(events.FromSetup, 0, "cannot create the HTTP fallback certificate: "+err.Error()).WithCause(err), ExitFailed)
		}
	}
	j.opts.Log.Debug().Str("ascp", prepared.AscpPath).Int("sessions", len(prepared.Invocations)).Str("job_id", j.opts.JobID).Msg("prepared")
	return prepared, nil
}

// startVersionProbe arms the `ascp -A` probe; the returned func waits for
// it and is deferred by run.
//
// The probe belongs to the job: killed when the job is cancelled, and
// waited for (it has its own timeout), so that no `ascp -A` outlives
// asession and the summary gets the version. It starts once the first
// ascp is spawned, not beside it: on a loaded machine the two compete
// for the cores, and the spawn is what the user waits for. A job that
// ends before any spawn starts it in the returned func, so its summary
// still has it.
func (j *job) startVersionProbe(ctx context.Context, ascpPath string) (wait func()) {
	probeCtx, stopProbe := context.WithCancel(ctx)
	j.versionDone = make(chan struct{})
	var probeOnce sync.Once
	j.startProbe = func() {
		probeOnce.Do(func() { go j.probeVersion(probeCtx, ascpPath) })
	}
	return func() {
		j.startProbe()
		<-j.versionDone
		stopProbe()
	}
}

// setUp writes the list file and readies what the sessions share: the
// account's items, the file checks and the command channel, whose reader
// starts here.
func (j *job) setUp(ctx context.Context, prepared *Prepared) *Outcome {
	if list := prepared.Invocations[0].ListFile; list != nil {
		if err := list.Write(); err != nil {
			return outcome(events.NewError(events.FromSetup, 0, "cannot write the list file: "+err.Error()).WithCause(err), ExitFailed)
		}
	}
	j.acct.SetList(prepared.Invocations[0].ListFile)
	releaseSetup(j)
	checks, err := newFileChecks(ctx, j)
	if err != nil {
		return outcome(events.NewError(events.FromSetup, 0, err.Error()).WithCause(err), ExitFailed)
	}
	j.checks = checks
	keepalive := j.in.Spec.Bool("keepalive")
	j.commands = newCommandRouter(len(prepared.Invocations), keepalive, j.opts.Out, j.opts.Log)
	if j.opts.Commands != nil {
		go j.commands.read(j.opts.Commands)
	} else if keepalive {
		j.commands.closeInput()
	}
	return nil
}

// progressDue reports whether a progress line is due. Asked on every
// burst of frames: when none can be due, it skips the lock that
// writeProgress shares with the heartbeat.
func (j *job) progressDue() bool {
	if j.opts.Events == EventsRaw && j.opts.OnProgress == nil {
		return false
	}
	return j.acct.ProgressDue(j.opts.ProgressInterval)
}

// emitProgress writes a progress line when one is due (always when force
// and something changed).
func (j *job) emitProgress(force bool) {
	if j.opts.Events == EventsRaw && j.opts.OnProgress == nil || !force && !j.progressDue() {
		return
	}
	j.writeProgress(func(dst []byte) ([]byte, bool) { return j.acct.DueProgress(dst, j.opts.ProgressInterval, force) })
}

// writeProgress writes the progress line that due appends, if it does.
func (j *job) writeProgress(due func(dst []byte) ([]byte, bool)) {
	j.progMu.Lock()
	defer j.progMu.Unlock()
	line, ok := due(j.progress[:0])
	j.progress = line
	if !ok {
		return
	}
	if j.opts.Events != EventsRaw {
		_ = j.opts.Out.Line(line)
	}
	if j.opts.OnProgress != nil {
		j.opts.OnProgress(j.acct.Snapshot())
	}
}

// finish writes the error line, the final progress and the summary.
func (j *job) finish(ctx context.Context, o *Outcome) *Outcome {
	status := events.StatusCompleted
	cause := context.Cause(ctx)
	var output *events.Error
	if errors.As(cause, &output) && output.Origin == events.FromOutput {
		// An output the job was asked to write (the command's
		// --events-file) failed: the job was stopped for it, or ended
		// before the stop took effect; either way that is its error.
		o.Err, o.ExitCode = output, ExitFailed
	}
	if o.Err != nil {
		status = events.StatusFailed
		switch {
		case output != nil:
			// Said above: the job failed, nobody cancelled it.
		case cause != nil && !errors.Is(cause, errSessionFailed):
			status = events.StatusCancelled
			o.ExitCode = exitForCause(cause)
			if o.Err.Origin != events.FromCancel {
				o.Err = events.NewError(events.FromCancel, events.CodeUserCancel, "cancelled: "+cause.Error())
			}
			// errors.Is must see both context.Canceled (or the deadline)
			// and the cause given to the cancel function.
			if err := ctx.Err(); err != nil && err != cause {
				cause = errors.Join(err, cause)
			}
			o.Err.WithCause(cause)
		case o.Err.Origin == events.FromOutput || o.Err.Code == events.CodeUserCancel:
			// A CANCEL command, or a consumer that stopped reading.
			status = events.StatusCancelled
		}
		_ = j.opts.Out.Event(o.Err)
	}
	j.acct.Finish(status)
	j.emitProgress(true)
	if j.versionDone != nil {
		// A fast failure (a wrong password) is when a support ticket
		// needs the version most: wait for the probe, which is bounded.
		<-j.versionDone
	}
	j.mu.Lock()
	retries, version, versionError := j.retries, j.version, j.versionError
	j.mu.Unlock()
	if j.commands != nil {
		j.commands.stop(j.opts.Commands)
	}
	makeSummary := func() *events.Summary {
		summary := events.NewSummary(j.opts.JobID, j.acct.Snapshot(), status, o.ExitCode, o.Err)
		summary.Items = j.acct.Items()
		summary.Retries = retries
		summary.AscpVersion = version
		j.describe(summary)
		summary.AscpVersionError = versionError
		summary.Verified = j.verified
		summary.Checksums = j.checksumCounts
		return summary
	}
	summary := makeSummary()
	// The summary file first: a job whose result cannot be written where
	// it was asked for has failed, and its summary line must say so.
	if j.opts.SummaryFile != "" {
		if e := j.writeSummaryFile(summary); e != nil {
			_ = j.opts.Out.Event(e)
			if o.ExitCode == ExitOK {
				o.ExitCode, o.Err, status = ExitFailed, e, events.StatusFailed
				summary = makeSummary()
			}
		}
	}
	_ = j.opts.Out.Event(summary)
	_ = j.opts.Out.Flush()
	j.writeEngineFiles()
	o.Summary = summary
	return o
}

// describe adds to the summary what the job was and when it ran.
func (j *job) describe(s *events.Summary) {
	s.SetTimes(j.start, time.Now())
	spec := j.in.Spec
	s.Direction = spec.String("direction")
	s.RemoteHost = spec.String("remote_host")
	s.RemoteUser = spec.String("remote_user")
	s.Destination = spec.String("destination_root")
	j.mu.Lock()
	s.AscpSessionIDs = append([]string(nil), j.sessionIDs...)
	j.mu.Unlock()
}

// sessionStarted records ascp's SessionId of an attempt; a retry's new
// ascp has its own, and support may ask for any of them.
func (j *job) sessionStarted(id string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, known := range j.sessionIDs {
		if known == id {
			return
		}
	}
	j.sessionIDs = append(j.sessionIDs, id)
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
func (j *job) probeVersion(ctx context.Context, path string) {
	defer close(j.versionDone)
	v, err := install.VersionContext(ctx, path, versionProbeTimeout)
	j.mu.Lock()
	defer j.mu.Unlock()
	if err != nil {
		j.opts.Log.Debug().Err(err).Msg("ascp version unknown")
		j.versionError = err.Error()
		return
	}
	j.version = v
}

// NewJobID returns a random identifier for a job (128 bits from the
// system's cryptographic source), given to ascp as -u: the first message
// of its management connection must repeat it as UserStr. It is no secret
// (it is in ascp's command line): the connection is proven ascp's by the
// process that holds it (accept.go), the id only checks it is this job's.
func NewJobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("asession-%x", b)
}
