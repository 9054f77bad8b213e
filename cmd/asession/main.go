package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/human"
	"github.com/faspkit/asession/internal/suggest"
	"github.com/faspkit/asession/schema"
	"github.com/faspkit/asession/session"
)

const usage = `asession runs one IBM Aspera transfer from a transfer spec and streams its
events: JSON lines on stdout, or words when stdout is a terminal.

Usage:
  asession [flags] [JOB]
  asession COMMAND [flags]

Commands:
%s
JOB is the job description: literal JSON, @file:PATH, or a file path.
Without it the first JSON value on stdin is read. Three shapes are accepted:
a bare transfer spec, aspera-cli's {"spec": {...}, "agent": {...}}, and a
Node API or Connect response {"transfer_specs": [{"transfer_spec": {...}}]}.

After the spec, stdin is a command channel, one JSON object per line:
  {"type":"START","source":"/a","destination":"/b"}   add a file (keepalive)
  {"type":"DONE"}                                      end after the queue
  {"type":"CANCEL"}                                    abort the transfer
  {"type":"RATE","rate":50000,"min_rate":0,"adaptive":"Adaptive"}
End of stdin never aborts a transfer; a keepalive session then ends after
its queue.

Flags (before or after a command):
`

const exitCodes = `
Output: with --output json, or whenever stdout is not a terminal, stdout
carries only JSON lines: raw ascp events (type INIT, STATS, STOP, DONE, ...),
progress lines, error lines, and one summary line last. On a terminal
(--output human) it shows finished files and the summary in words.

Exit codes:
  0    the transfer completed
  1    the transfer failed (including some files failed, and cancel commands)
  2    invalid input or usage
  3    ascp not found, or it could not start (no management connection)
  4    failed after retries were exhausted
  75   failed with a retryable error and --retries 0: retrying may help
  130  cancelled by SIGINT; 143 cancelled by SIGTERM; 129 by SIGHUP

Environment:
  ASESSION_ASCP       path of the ascp to run (as --ascp)
  ARGO_PROGRESS_FILE  write "BYTES_WRITTEN/BYTES_EXPECTED" there (Argo Workflows)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// subcommand is one of asession's subcommands (doctor, version, help); a
// session.Command is something else, a line of the command channel. Its
// flags are those it names in own: any other is refused, as it would do
// nothing.
type subcommand struct {
	name, synopsis string
	own            []string
	run            func(c *cli) int
	// flags, when set, defines flags only this command takes and names
	// them; more is help text shown after its flags.
	flags func(c *cli, fs *flag.FlagSet) []string
	more  func() string
}

// subcommands is the subcommand table; help, usage and dispatch read it.
// It is filled in init because help itself lists it.
var subcommands []subcommand

func init() {
	subcommands = []subcommand{
		{name: "help", synopsis: "show this help (help COMMAND: that command's)", run: runHelp},
		{name: "doctor", synopsis: "check ascp, the SSH bypass keys and the temporary folder", own: []string{"ascp", "json"}, run: runDoctor},
		{name: "preflight", synopsis: "check a job's road without transferring it (spec, ascp, port, files, credentials, clock)", own: []string{"ascp", "output", "json", "url", "strict", "max-input"}, run: runPreflight},
		{name: "version", synopsis: "print asession's version, commit, Go version and system", own: []string{"json"}, run: runVersion},
		{name: "batch", synopsis: "run many jobs (JSON lines in FILE or stdin), bounded per host, with a journal", own: batchOwnFlags, run: runBatch, flags: addBatchFlags, more: batchHelp},
	}
}

func findSubcommand(name string) *subcommand {
	for i := range subcommands {
		if subcommands[i].name == name {
			return &subcommands[i]
		}
	}
	return nil
}

// cli is one invocation: the parsed flags and the streams.
type cli struct {
	fs             *flag.FlagSet
	args           []string // positional arguments after the command name
	stdin          io.Reader
	stdout, stderr io.Writer
	out            *events.Writer
	format         outputFormat // what stdout shows (--output, auto resolved)
	toStdout       io.Writer    // what out writes for stdout: stdout, or the format's writer
	eventsCopy     *teeWriter   // --events-file's; nil without it

	// The flags that are options of the job or of its input's check are
	// bound to them: opts starts as session.DefaultOptions, whose values
	// are the flags' defaults.
	opts  session.Options
	check session.CheckOptions

	// The command's own flags.
	logLevel, output, progressFormat, eventsFile, checksums string
	progressLine, showVersion, dryRun                       bool
	secretCookie, timestamps, asJSON                        bool

	batch        batchFlags      // asession batch
	commandFlags map[string]bool // flags only a subcommand takes
}

func newCLI(stdin io.Reader, stdout, stderr io.Writer) *cli {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, opts: session.DefaultOptions()}
	fs := flag.NewFlagSet("asession", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported as error lines, help on stdout
	c.bindOptions(fs)
	c.bindCheckOptions(fs)
	fs.StringVar(&c.logLevel, "log-level", "warn", "stderr log level: debug, info, warn, error")
	fs.StringVar(&c.output, "output", autoOutput, outputUsage())
	fs.BoolVar(&c.progressLine, "progress", false, "show progress on stderr even when it is not a terminal")
	fs.StringVar(&c.progressFormat, "progress-format", "", "stderr progress: live (one redrawn line) or log (a plain line every 10% or 10s); default live on a terminal, else log")
	fs.BoolVar(&c.timestamps, "timestamps", false, `add a "time" member (RFC 3339, ms) to every JSON line`)
	fs.StringVar(&c.eventsFile, "events-file", "", "also write the JSON lines to this file (a new 0600 file put in place of PATH; a symlink there is replaced, not followed), whatever stdout shows")
	fs.BoolVar(&c.showVersion, "version", false, "print the version and exit")
	fs.BoolVar(&c.dryRun, "dry-run", false, "print the ascp command line, environment (secrets as ***) and list file, and exit without starting ascp")
	fs.StringVar(&c.checksums, "checksums", "", "expected checksums of the files (md5sum/sha256sum format, the algorithm known by the hash's length; PATH relative to destination_root or the source): each file delivered or already there is hashed and compared; a difference or a listed file not delivered fails the job")
	fs.BoolVar(&c.secretCookie, "secret-cookie", false, "treat the spec's cookie as a secret: *** in dry runs, logs and ascp's events (as agent.secret_cookie)")
	fs.BoolVar(&c.asJSON, "json", false, "doctor, preflight, version: print one JSON object")
	c.commandFlags = map[string]bool{"json": true}
	for _, sub := range subcommands {
		if sub.flags != nil {
			for _, name := range sub.flags(c, fs) {
				c.commandFlags[name] = true
			}
		}
	}
	c.fs = fs
	return c
}

// bindOptions declares the flags that set an option of the job, each
// bound to its field of c.opts with the value DefaultOptions gave it as
// its default. The names of the options that Options.Explicit is asked
// about are the flags'.
func (c *cli) bindOptions(fs *flag.FlagSet) {
	o := &c.opts
	fs.StringVar(&o.Ascp, "ascp", o.Ascp, "path of ascp (default: $ASESSION_ASCP, then PATH, then IBM's install folders)")
	fs.DurationVar(&o.ConnectTimeout, session.OptionConnectTimeout, o.ConnectTimeout, "how long ascp has to connect to the management port")
	fs.DurationVar(&o.CancelGrace, "cancel-grace", o.CancelGrace, "how long ascp has to stop after CANCEL before it is killed")
	fs.DurationVar(&o.StallTimeout, "stall-timeout", o.StallTimeout, "cancel ascp when no management message arrives for this long (0: never)")
	fs.IntVar(&o.Retries, session.OptionRetries, o.Retries, "further attempts after a retryable ascp error, resuming partial files")
	fs.DurationVar(&o.RetryDelay, session.OptionRetryDelay, o.RetryDelay, "wait before the first retry, doubled after each")
	fs.DurationVar(&o.RetryMaxDelay, session.OptionRetryMaxDelay, o.RetryMaxDelay, "longest wait between retries")
	fs.IntVar(&o.RetryFactor, session.OptionRetryFactor, o.RetryFactor, "each wait between retries is the one before times this")
	fs.DurationVar(&o.SpawnDelay, session.OptionSpawnDelay, o.SpawnDelay, "between the starts of the sessions of a multi-session job")
	fs.StringVar((*string)(&o.Events), "events", string(o.Events), "stdout lines: raw (ascp events), progress, or all; error and summary lines always")
	fs.DurationVar(&o.ProgressInterval, "progress-interval", o.ProgressInterval, "at most one progress line per interval")
	fs.DurationVar(&o.Heartbeat, "heartbeat", o.Heartbeat, "write a progress line at least this often, even when nothing changes (0: only on change)")
	fs.StringVar(&o.SummaryFile, "summary-file", o.SummaryFile, "also write the summary line to this file (0600, replaced atomically), for workflow engines' output parameters")
	fs.StringVar(&o.Manifest, "manifest", o.Manifest, "after the job, write the SHA-256 of every file delivered or already there to this file (0600, replaced atomically): sha256sum -c checks it from the destination root")
	fs.StringVar((*string)(&o.ManifestFormat), "manifest-format", string(o.ManifestFormat), "--manifest lines: sha256sum, or json (path, size, sha256, source, status per line)")
	fs.BoolVar(&o.AllowInputOverrides, "allow-input-overrides", o.AllowInputOverrides, "let the job description choose what only the command line may: sdk and file_list_folder of an aspera-cli envelope, raw ascp arguments (agent.ascp_args, EX_ascp_args)")
}

// bindCheckOptions declares the flags that set how the job description
// is checked, bound to c.check.
func (c *cli) bindCheckOptions(fs *flag.FlagSet) {
	o := &c.check
	fs.BoolVar(&o.Strict, "strict", o.Strict, "treat unknown spec fields as errors instead of warnings")
	fs.StringVar(&o.FaspURL, "url", o.FaspURL, "a fasp:// or faspe:// link (Faspex) to merge under the spec")
	fs.Int64Var(&o.MaxBytes, "max-input", schema.DefaultMaxInputBytes, "most bytes of the job description held in memory: all of it but the entries of its paths array, which go to the list file as they are read, and any one entry (stdin, @file: or argument)")
	fs.BoolVar(&o.Verify, "verify", o.Verify, "compare the checksum ascp reports for each file (spec file_checksum) with the local copy; a mismatch fails the job (as agent.verify)")
}

// parse reads flags wherever they stand among the arguments, so that
// `asession --ascp X doctor` and `asession doctor --ascp X` agree, and
// returns the positional arguments.
func (c *cli) parse(args []string) ([]string, error) {
	var positional []string
	for {
		if err := c.fs.Parse(args); err != nil {
			return nil, err
		}
		args = c.fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := newCLI(stdin, stdout, stderr)
	positional, err := c.parse(args)
	c.format, _ = c.outputFormat()
	c.toStdout = c.format.writer(stdout)
	c.out = events.NewWriter(c.toStdout)
	defer func() { _ = c.out.Flush() }()
	if err == flag.ErrHelp {
		return c.help(nil)
	}
	if err != nil {
		return c.flagError(err)
	}
	var sub *subcommand
	if len(positional) > 0 {
		sub = findSubcommand(positional[0])
	}
	name := "the transfer"
	if sub != nil {
		positional = positional[1:]
		name = sub.name
	}
	if bad := c.misplacedFlag(sub); bad != "" {
		return c.usageError(fmt.Sprintf("--%s does not apply to %s", bad, name))
	}
	c.args = positional
	if sub != nil {
		return sub.run(c)
	}
	return c.transfer()
}

// misplacedFlag names a flag given that sub (nil: the transfer) does not
// take.
func (c *cli) misplacedFlag(sub *subcommand) string {
	bad := ""
	c.fs.Visit(func(f *flag.Flag) {
		switch {
		case bad != "":
		case sub == nil && c.commandFlags[f.Name]:
			bad = f.Name
		case sub != nil && !slices.Contains(sub.own, f.Name):
			bad = f.Name
		}
	})
	return bad
}

func runHelp(c *cli) int {
	if len(c.args) > 1 {
		return c.usageError("help takes at most one command name")
	}
	return c.help(c.args)
}

// help prints the usage on stdout: asked-for help is output, not an error.
func (c *cli) help(topic []string) int {
	if len(topic) == 1 {
		sub := findSubcommand(topic[0])
		if sub == nil {
			return c.usageError(fmt.Sprintf("unknown command %q", topic[0]))
		}
		fmt.Fprintf(c.stdout, "asession %s: %s\n\n", sub.name, sub.synopsis)
		if len(sub.own) == 0 {
			fmt.Fprintln(c.stdout, "Flags: none")
			return session.ExitOK
		}
		fmt.Fprintln(c.stdout, "Flags:")
		c.printFlags(func(name string) bool { return slices.Contains(sub.own, name) })
		if sub.more != nil {
			fmt.Fprint(c.stdout, sub.more())
		}
		return session.ExitOK
	}
	var list strings.Builder
	for _, sub := range subcommands {
		fmt.Fprintf(&list, "  %-9s %s\n", sub.name, sub.synopsis)
	}
	fmt.Fprintf(c.stdout, usage, list.String())
	c.printFlags(func(string) bool { return true })
	fmt.Fprint(c.stdout, exitCodes)
	return session.ExitOK
}

// printFlags prints the flags that show accepts.
func (c *cli) printFlags(show func(name string) bool) {
	all := flag.NewFlagSet("", flag.ContinueOnError)
	all.SetOutput(c.stdout)
	c.fs.VisitAll(func(f *flag.Flag) {
		if show(f.Name) {
			all.Var(f.Value, f.Name, f.Usage)
		}
	})
	all.PrintDefaults()
}

// transfer runs the job that JOB (or stdin) describes.
func (c *cli) transfer() int {
	if c.showVersion {
		fmt.Fprintln(c.stdout, currentVersion())
		return session.ExitOK
	}
	log, problem := c.transferFlags()
	if problem != "" {
		return c.usageError(problem)
	}
	checksums, problem := c.fileCheckFlags()
	if problem != "" {
		return c.usageError(problem)
	}
	closeEvents, err := c.openEventsFile()
	if err != nil {
		return c.usageError(fmt.Sprintf("--events-file: %v", err))
	}
	defer closeEvents()
	if c.timestamps {
		c.out.SetTimestamps(time.Now)
	}
	stdin, restoreStdin := interruptibleStdin(c.stdin)
	defer restoreStdin() // once the job has joined its command reader
	in, commands, code := c.readInput(stdin, &log)
	if in == nil {
		return code
	}
	defer in.Close() // the list file its paths were written to
	if c.dryRun {
		report, err := session.DryRun(in, session.PrepareOptions{Ascp: c.opts.Ascp, AllowInputOverrides: c.opts.AllowInputOverrides}, session.NewJobID())
		if err != nil {
			_ = c.out.Event(err)
			return session.ExitCodeOf(err)
		}
		_ = c.out.Event(report)
		return session.ExitOK
	}

	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	if c.eventsCopy != nil {
		c.eventsCopy.onFailure(func(err error) { cancel(c.eventsFileError(err, "the transfer was stopped")) })
	}
	kill := make(chan struct{})
	stopSignals := handleSignals(cancel, kill, log)
	defer stopSignals()

	opts := c.options(log, commands, kill)
	opts.Checksums = checksums
	if display := c.progressDisplay(); display != nil {
		opts.OnProgress = display.Update
		defer display.Done()
	}
	code = session.Run(ctx, in, opts).ExitCode
	if c.eventsCopy != nil && code == session.ExitOK {
		if err := c.eventsCopy.failure(); err != nil {
			// It failed on the job's last lines, after its end.
			_ = c.out.Event(c.eventsFileError(err, "its last lines are missing"))
			return session.ExitFailed
		}
	}
	return code
}

// eventsFileError is the error line of an --events-file that cannot be
// written: an output of the job's, lost.
func (c *cli) eventsFileError(err error, consequence string) *events.Error {
	return events.NewError(events.FromOutput, 0, fmt.Sprintf("cannot write the events file %s: %v: %s", c.eventsFile, err, consequence))
}

// transferFlags checks the transfer's flags against each other and their
// values; problem is the usage error, if any. log writes to stderr at the
// level asked for.
func (c *cli) transferFlags() (log zerolog.Logger, problem string) {
	if len(c.args) > 1 {
		return log, fmt.Sprintf("expected at most one JOB argument, got %d: %s", len(c.args), strings.Join(c.args, " "))
	}
	if c.opts.SummaryFile != "" {
		if err := session.CheckOutputFile(c.opts.SummaryFile); err != nil {
			return log, "--summary-file: " + err.Error()
		}
	}
	if lines := c.opts.Events; lines != session.EventsAll && lines != session.EventsRaw && lines != session.EventsProgress {
		return log, fmt.Sprintf("--events: expected raw, progress or all, got %q", lines)
	}
	if _, err := c.outputFormat(); err != nil {
		return log, err.Error()
	}
	if c.progressFormat != "" && c.progressFormat != "live" && c.progressFormat != "log" {
		return log, fmt.Sprintf("--progress-format: expected live or log, got %q", c.progressFormat)
	}
	level, err := zerolog.ParseLevel(c.logLevel)
	if err != nil {
		return log, fmt.Sprintf("--log-level: %v", err)
	}
	log = zerolog.New(zerolog.ConsoleWriter{Out: c.stderr, NoColor: true, TimeFormat: time.TimeOnly}).
		Level(level).With().Timestamp().Logger()
	return log, ""
}

// openEventsFile sends the JSON lines to --events-file as well as to
// stdout (as they are or rendered in words). closeEvents flushes them and
// closes the file.
func (c *cli) openEventsFile() (closeEvents func(), err error) {
	if c.eventsFile == "" {
		return func() {}, nil
	}
	f, err := session.CreatePrivateFile(c.eventsFile)
	if err != nil {
		return nil, err
	}
	c.eventsCopy = &teeWriter{primary: c.toStdout, copy: f}
	c.out = events.NewWriter(c.eventsCopy)
	return func() {
		_ = c.out.Flush() // before the file closes
		_ = f.Close()
	}, nil
}

// readInput reads and checks the job description: JOB, or the first
// JSON value on stdin, whose rest is then the command channel. A nil in
// means it was refused (the error line is written), with exit status code.
// Warnings about the input go to log, whose level the input may set.
func (c *cli) readInput(stdin io.Reader, log *zerolog.Logger) (in *schema.Input, commands io.Reader, code int) {
	arg := ""
	if len(c.args) == 1 {
		arg = c.args[0]
		if looksLikeSubcommand(arg) {
			return nil, nil, c.usageError(fmt.Sprintf("unknown command %q", arg))
		}
	} else if isTerminal(c.stdin) {
		fmt.Fprintln(c.stderr, "asession: reading a transfer spec (JSON) from the terminal; end it with Ctrl-D. asession --help shows the usage.")
	}
	in, commands, err := session.ReadJob(arg, stdin, c.inputCheck())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, c.usageError(err.Error())
	}
	if in != nil {
		log.Debug().Str("envelope", string(in.Envelope)).Msg("input recognised")
	}
	if err != nil {
		_ = c.out.Event(err)
		return nil, nil, session.ExitCodeOf(err)
	}
	if c.secretCookie {
		in.Agent.SecretCookie = true
	}
	if session.IsLiteralJSON(arg) {
		if names := secretsIn(in); len(names) > 0 {
			log.Warn().Strs("fields", names).Msg("the JOB argument holds secrets, which every local user can read in this process's command line: pass the spec on stdin or as @file:PATH instead")
		}
	}
	if len(in.Unknown) > 0 {
		fields := make([]string, len(in.Unknown))
		for i, u := range in.Unknown {
			fields[i] = u.String()
		}
		log.Warn().Strs("fields", fields).Msg("unknown fields ignored (--strict refuses them)")
	}
	if in.LogLevel != "" && !flagSet(c.fs, "log-level") {
		if l, err := zerolog.ParseLevel(in.LogLevel); err == nil {
			*log = log.Level(l)
		}
	}
	if f, ok := stdin.(*os.File); ok && commands != nil {
		// The buffer in front of stdin hides its deadline from the job.
		commands = deadlineReader{Reader: commands, file: f}
	}
	return in, commands, 0
}

// inputCheck is how the job description is checked: the check's flags,
// and what the job's own flags ask of it.
func (c *cli) inputCheck() session.CheckOptions {
	check := c.check
	check.HashesFiles = c.checksums != "" || c.opts.Manifest != ""
	check.AllowInputOverrides = c.opts.AllowInputOverrides
	return check
}

// deadlineReader reads through the buffer ReadJob put in front of
// stdin, and lets the job interrupt a read blocked in it (see
// interruptibleStdin).
type deadlineReader struct {
	io.Reader
	file *os.File
}

func (d deadlineReader) SetReadDeadline(t time.Time) error { return d.file.SetReadDeadline(t) }

// options are the job's options: the flags' (c.opts), and what the
// command gives every job. Run applies the input's agent options where no
// flag was given.
func (c *cli) options(log zerolog.Logger, commands io.Reader, kill chan struct{}) session.Options {
	opts := c.opts
	opts.Commands, opts.Out, opts.Log, opts.Kill = commands, c.out, log, kill
	opts.ProgressFile = os.Getenv("ARGO_PROGRESS_FILE")
	// The aspera-cli envelope's agent options apply where no flag was
	// given; the option names are the flags'.
	opts.Explicit = func(option string) bool { return flagSet(c.fs, option) }
	return opts
}

// progressDisplay picks where progress is shown to a person: a live line
// on the terminal (stderr, or stdout when only it is one and shows
// words), or plain log lines on a stderr that is a file.
//
// A live line must never share a row with other output. With the
// terminal's height known it keeps the bottom row to itself; without it,
// it can step aside only for asession's own words (a format's writer
// that writes around it), not for a program stdout is piped into, so then
// it is log lines.
func (c *cli) progressDisplay() progressDisplay {
	var w io.Writer
	switch {
	case isTerminal(c.stderr):
		w = c.stderr
	case c.format.forPerson && isTerminal(c.stdout):
		w = c.stdout
	case c.progressLine || c.progressFormat != "":
		w = c.stderr
	default:
		return nil
	}
	format := c.progressFormat
	if format == "" {
		format = "log"
		if isTerminal(w) {
			format = "live"
		}
	}
	if format == "log" {
		return human.NewLogProgress(w, time.Now)
	}
	restoreConsole, vt := virtualTerminal(w)
	if !vt {
		return human.NewLogProgress(w, time.Now) // the escapes would print
	}
	display := human.NewTerminalProgress(w, terminalSize(w))
	sharer, shares := c.toStdout.(liveLineSharer)
	switch {
	case display.ReserveBottomLine():
	case shares:
		sharer.shareWith(display.Above)
	case c.progressFormat == "":
		restoreConsole()
		return human.NewLogProgress(w, time.Now)
	}
	return &liveLine{TerminalProgress: display, stopWatching: watchResize(display.Resized), restoreConsole: restoreConsole}
}

// liveLine is the live progress line with the watch on the terminal's size
// that keeps it fitting the window, and what gives the console its mode
// back once the line is done.
type liveLine struct {
	*human.TerminalProgress
	stopWatching   func()
	restoreConsole func()
}

func (l *liveLine) Done() {
	l.stopWatching()
	l.TerminalProgress.Done()
	l.restoreConsole()
}

// progressDisplay shows progress snapshots to a person.
type progressDisplay interface {
	Update(events.Snapshot)
	Done()
}

// looksLikeSubcommand tells a mistyped command from a JOB argument: a
// bare word that is neither a file nor JSON.
func looksLikeSubcommand(arg string) bool {
	if arg == "-" || strings.ContainsAny(arg, "/\\.{[\"@: \t\n") {
		return false
	}
	_, err := os.Stat(arg)
	return err != nil
}

// handleSignals turns SIGINT, SIGTERM and SIGHUP (the terminal went away)
// into a cancellation (CANCEL to ascp, then a kill after the grace period),
// so that the private list folder is removed on those exits too; a second
// signal kills at once, and so does the end of endingGrace when the system
// is about to end asession anyway (Windows' console close, logoff and
// shutdown), so that the summary is written first. SIGPIPE is caught so that a closed stdout is an error to handle, not
// sudden death that would leave ascp running.
func handleSignals(cancel context.CancelCauseFunc, kill chan<- struct{}, log zerolog.Logger) (stop func()) {
	ch := make(chan os.Signal, 4)
	notifySignals(ch, notifiedSignals...)
	done := make(chan struct{})
	var killOnce sync.Once
	killNow := func() { killOnce.Do(func() { close(kill) }) }
	go func() {
		cancelled := false
		var deadline *time.Timer
		for {
			select {
			case <-done:
				if deadline != nil {
					deadline.Stop()
				}
				return
			case sig := <-ch:
				if sig == syscall.SIGPIPE {
					continue
				}
				if cancelled {
					log.Warn().Str("signal", sig.String()).Msg("second signal: stopping ascp now")
					killNow()
					continue
				}
				cancelled = true
				log.Warn().Str("signal", sig.String()).Msg("cancelling the transfer")
				cancel(&session.SignalError{Signal: sig})
				if grace, soon := endingGrace(sig); soon {
					deadline = time.AfterFunc(grace, killNow)
				}
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// notifySignals is signal.Notify; a test stands in for Windows' console,
// which it cannot close.
var notifySignals = signal.Notify

// secretsIn names the secret fields a parsed spec holds.
func secretsIn(in *schema.Input) []string {
	var names []string
	for _, f := range schema.Fields {
		if f.Secret && in.Spec.Has(f.Name) {
			names = append(names, f.Name)
		}
	}
	if in.Agent.SecretCookie && in.Spec.Has("cookie") {
		names = append(names, "cookie")
	}
	return names
}

// flagError writes a flag the command line got wrong as an error line, and
// exits 2: an unknown flag with the one it most likely misspells.
func (c *cli) flagError(err error) int {
	name, unknown := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !unknown {
		return c.usageError(err.Error())
	}
	var names []string
	c.fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	problem := schema.Problem{Pointer: "--" + name, Expected: "a flag of asession", Found: "an unknown flag"}
	desc := "unknown flag --" + name
	if near := suggest.Nearest(name, names); near != "" {
		problem.DidYouMean = "--" + near
		desc += fmt.Sprintf(": did you mean --%s?", near)
	}
	e := events.NewError(events.FromInput, 0, desc+" (see asession --help)")
	e.Problems = []schema.Problem{problem}
	_ = c.out.Event(e)
	return session.ExitUsage
}

// usageError writes a usage mistake as an error line, and exits 2.
func (c *cli) usageError(msg string) int {
	_ = c.out.Event(events.NewError(events.FromInput, 0, msg+" (see asession --help)"))
	return session.ExitUsage
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
