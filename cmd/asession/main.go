// Command asession runs one Aspera transfer described by a transfer spec
// and reports its progress as JSON lines. It is a thin shell around the
// session package.
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

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
	"github.com/faspkit/asession/session"
)

// version is set at link time by `make`; builds without it report the
// module version and VCS revision Go recorded.
var version = ""

const usage = `asession runs one IBM Aspera transfer from a transfer spec and streams its
events as JSON lines on stdout.

Usage:
  asession [flags] [SESSION]

SESSION is the job description: literal JSON, or @file:PATH. Without it the
first JSON value on stdin is read. Three shapes are accepted: a bare
transfer spec, aspera-cli's {"spec": {...}, "agent": {...}}, and a Node API
or Connect response {"transfer_specs": [{"transfer_spec": {...}}]}.

Flags:
`

const exitCodes = `
Exit codes:
  0    the transfer completed
  1    the transfer failed
  2    invalid input or usage
  3    ascp not found, or it could not start (no management connection)
  4    failed after retries were exhausted
  130  cancelled by SIGINT; 143 cancelled by SIGTERM

Environment:
  ASESSION_ASCP   path of the ascp to run (as --ascp)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := events.NewWriter(stdout)
	defer out.Flush()

	fs := flag.NewFlagSet("asession", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ascpPath := fs.String("ascp", os.Getenv("ASESSION_ASCP"), "path of ascp (default: PATH, then IBM's install folders)")
	logLevel := fs.String("log-level", "warn", "stderr log level: debug, info, warn, error")
	connectTimeout := fs.Duration("connect-timeout", 30*time.Second, "how long ascp has to connect to the management port")
	cancelGrace := fs.Duration("cancel-grace", 5*time.Second, "how long ascp has to stop after CANCEL before it is killed")
	showVersion := fs.Bool("version", false, "print the version and exit")
	dryRun := fs.Bool("dry-run", false, "print the ascp command line, environment (secrets as ***) and list file, and exit without starting ascp")
	strict := fs.Bool("strict", false, "treat unknown spec fields as errors instead of warnings")
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
	level, err := zerolog.ParseLevel(*logLevel)
	if err != nil {
		return usageError(out, fmt.Sprintf("--log-level: %v", err))
	}
	log := zerolog.New(zerolog.ConsoleWriter{Out: stderr, NoColor: true, TimeFormat: time.TimeOnly}).
		Level(level).With().Timestamp().Logger()

	data, _, err := session.ReadInput(fs.Arg(0), stdin)
	if err != nil {
		e := events.NewError(events.FromInput, 0, err.Error())
		e.Problems = []schema.Problem{{Pointer: "/", Expected: "a JSON object", Found: "no valid JSON"}}
		_ = out.Event(e)
		return session.ExitUsage
	}
	in, inputErr := session.CheckInput(data, *strict)
	log.Debug().Str("envelope", string(in.Envelope)).Msg("input recognised")
	if inputErr != nil {
		_ = out.Event(inputErr)
		return session.ExitUsage
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
		report, e, code := session.DryRun(in, session.PrepareOptions{Ascp: *ascpPath}, session.NewJobID())
		if e != nil {
			_ = out.Event(e)
			return code
		}
		_ = out.Event(report)
		return session.ExitOK
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	result := session.Run(ctx, in, session.Options{
		Ascp:           *ascpPath,
		ConnectTimeout: *connectTimeout,
		CancelGrace:    *cancelGrace,
		Out:            out,
		Log:            log,
	})
	return result.ExitCode
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
