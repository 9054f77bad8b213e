// Command asession runs one Aspera transfer described by a transfer spec
// and reports its progress as JSON lines. It is a thin shell around the
// session package: flags, signals, the terminal.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/session"
)

// version is set at link time by `make`; builds without it report the
// module version and VCS revision Go recorded.
var version = ""

const usage = `asession runs one IBM Aspera transfer from a transfer spec and streams its
events as JSON lines on stdout.

Usage:
  asession [flags] [SESSION]
  asession doctor [--json]

SESSION is the job description: literal JSON, @file:PATH, or a file path.
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

Flags:
`

const exitCodes = `
Output: stdout carries only JSON lines: raw ascp events (type INIT, STATS,
STOP, DONE, ...), progress lines, error lines, and one summary line last.

Exit codes:
  0    the transfer completed
  1    the transfer failed (including some files failed, and cancel commands)
  2    invalid input or usage
  3    ascp not found, or it could not start (no management connection)
  4    failed after retries were exhausted
  130  cancelled by SIGINT; 143 cancelled by SIGTERM; 129 by SIGHUP

Environment:
  ASESSION_ASCP   path of the ascp to run (as --ascp)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := events.NewWriter(stdout)
	defer out.Flush()
	if len(args) > 0 && args[0] == "doctor" {
		return doctor(args[1:], stdout, stderr)
	}

	fs := flag.NewFlagSet("asession", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ascpPath := fs.String("ascp", os.Getenv("ASESSION_ASCP"), "path of ascp (default: PATH, then IBM's install folders)")
	logLevel := fs.String("log-level", "warn", "stderr log level: debug, info, warn, error")
	connectTimeout := fs.Duration("connect-timeout", 30*time.Second, "how long ascp has to connect to the management port")
	cancelGrace := fs.Duration("cancel-grace", 5*time.Second, "how long ascp has to stop after CANCEL before it is killed")
	stallTimeout := fs.Duration("stall-timeout", 5*time.Minute, "cancel ascp when no management message arrives for this long (0: never)")
	retries := fs.Int("retries", 3, "further attempts after a retryable ascp error, resuming partial files")
	retryDelay := fs.Duration("retry-delay", time.Second, "wait before the first retry, doubled after each")
	retryMaxDelay := fs.Duration("retry-max-delay", 30*time.Second, "longest wait between retries")
	eventSet := fs.String("events", "all", "stdout lines: raw (ascp events), progress, or all; error and summary lines always")
	progressInterval := fs.Duration("progress-interval", 100*time.Millisecond, "at most one progress line per interval")
	progressLine := fs.Bool("progress", false, "draw a live progress line on stderr even when it is not a terminal")
	faspURL := fs.String("url", "", "a fasp:// or faspe:// link (Faspex) to merge under the spec")
	showVersion := fs.Bool("version", false, "print the version and exit")
	dryRun := fs.Bool("dry-run", false, "print the ascp command line, environment (secrets as ***) and list file, and exit without starting ascp")
	strict := fs.Bool("strict", false, "treat unknown spec fields as errors instead of warnings")
	verify := fs.Bool("verify", false, "compare the checksum ascp reports for each file (spec file_checksum) with the local copy; a mismatch fails the job (as agent.verify)")
	secretCookie := fs.Bool("secret-cookie", false, "treat the spec's cookie as a secret: *** in dry runs, logs and ascp's events (as agent.secret_cookie)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
		fmt.Fprint(stderr, exitCodes)
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return session.ExitOK
		}
		return usageError(out, err.Error())
	}
	if *showVersion {
		fmt.Fprintln(stdout, "asession", versionString())
		return session.ExitOK
	}
	if fs.NArg() > 1 {
		return usageError(out, fmt.Sprintf("expected at most one SESSION argument, got %d", fs.NArg()))
	}
	lines := session.EventSet(*eventSet)
	if lines != session.EventsAll && lines != session.EventsRaw && lines != session.EventsProgress {
		return usageError(out, fmt.Sprintf("--events: expected raw, progress or all, got %q", *eventSet))
	}
	level, err := zerolog.ParseLevel(*logLevel)
	if err != nil {
		return usageError(out, fmt.Sprintf("--log-level: %v", err))
	}
	log := zerolog.New(zerolog.ConsoleWriter{Out: stderr, NoColor: true, TimeFormat: time.TimeOnly}).
		Level(level).With().Timestamp().Logger()

	data, commands, err := session.ReadInput(fs.Arg(0), stdin)
	if err != nil {
		_ = out.Event(session.InputError(session.UnreadableInput(err)))
		return session.ExitUsage
	}
	in, inputErr := session.CheckInput(data, session.CheckOptions{Strict: *strict, FaspURL: *faspURL, Verify: *verify})
	log.Debug().Str("envelope", string(in.Envelope)).Msg("input recognised")
	if inputErr != nil {
		_ = out.Event(inputErr)
		return session.ExitUsage
	}
	if *secretCookie {
		in.Agent.SecretCookie = true
	}
	if len(in.Unknown) > 0 {
		log.Warn().Strs("fields", in.Unknown).Msg("unknown fields ignored (--strict refuses them)")
	}
	if in.LogLevel != "" && !flagSet(fs, "log-level") {
		if l, err := zerolog.ParseLevel(in.LogLevel); err == nil {
			log = log.Level(l)
		}
	}
	if *dryRun {
		report, e, code := session.DryRun(in, session.PrepareOptions{Ascp: *ascpPath, Retries: *retries}, session.NewJobID())
		if e != nil {
			_ = out.Event(e)
			return code
		}
		_ = out.Event(report)
		return session.ExitOK
	}

	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	stopSignals := handleSignals(cancel, log)
	defer stopSignals()

	opts := session.Options{
		Ascp:             *ascpPath,
		ConnectTimeout:   *connectTimeout,
		CancelGrace:      *cancelGrace,
		StallTimeout:     *stallTimeout,
		Retries:          *retries,
		RetryDelay:       *retryDelay,
		RetryMaxDelay:    *retryMaxDelay,
		ProgressInterval: *progressInterval,
		Events:           lines,
		Commands:         commands,
		Out:              out,
		Log:              log,
	}
	if *progressLine || isTerminal(stderr) {
		display := events.NewTerminalProgress(stderr, terminalWidth(stderr))
		opts.OnProgress = display.Update
		defer display.Done()
	}
	return session.Run(ctx, in, opts).ExitCode
}

// handleSignals turns SIGINT, SIGTERM and SIGHUP (the terminal went away)
// into a cancellation (CANCEL to ascp, then a kill after the grace period),
// so that the private list folder is removed on those exits too; a second
// signal kills at once. SIGPIPE is caught so that a closed stdout is an error to handle, not
// sudden death that would leave ascp running.
func handleSignals(cancel context.CancelCauseFunc, log zerolog.Logger) (stop func()) {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	done := make(chan struct{})
	go func() {
		cancelled := false
		for {
			select {
			case <-done:
				return
			case sig := <-ch:
				if sig == syscall.SIGPIPE {
					continue
				}
				if cancelled {
					log.Warn().Str("signal", sig.String()).Msg("second signal: stopping ascp now")
					session.KillAll()
					continue
				}
				cancelled = true
				log.Warn().Str("signal", sig.String()).Msg("cancelling the transfer")
				cancel(&session.SignalError{Signal: sig})
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

func usageError(out *events.Writer, msg string) int {
	_ = out.Event(events.NewError(events.FromInput, 0, msg+" (see asession --help)"))
	return session.ExitUsage
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil {
			return int(ws.Col)
		}
	}
	return 80
}

func versionString() string {
	v := version
	info, ok := debug.ReadBuildInfo()
	if v == "" && ok {
		v = info.Main.Version
	}
	var rev []string
	if ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" && s.Value == "true" {
				rev = append(rev, s.Value)
			}
		}
	}
	if len(rev) > 0 {
		return v + " (" + strings.Join(rev, " modified=") + ")"
	}
	return v
}
