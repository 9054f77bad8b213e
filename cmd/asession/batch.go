package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/session"
	"github.com/faspkit/asession/session/batch"
)

// batchFlags are the flags only `asession batch` takes.
type batchFlags struct {
	parallel, perHost int
	stagger           time.Duration
	rateBudget        int64
	journal           string
}

// addBatchFlags defines the batch's own flags, with batch's defaults, and
// names them.
func addBatchFlags(c *cli, fs *flag.FlagSet) []string {
	d := batch.DefaultOptions()
	fs.IntVar(&c.batch.parallel, "parallel", d.Parallel, "batch: jobs running at once")
	fs.IntVar(&c.batch.perHost, "per-host", d.PerHost, "batch: jobs running at once against one remote_host")
	fs.DurationVar(&c.batch.stagger, "stagger", d.Stagger, "batch: at least this long between two starts to one remote_host")
	fs.Int64Var(&c.batch.rateBudget, "rate-budget", 0, "batch: kbps shared by the running jobs through ascp's RATE command (0: none)")
	fs.StringVar(&c.batch.journal, "journal", "", "batch: record each job's state in this file; run again with it, only unfinished jobs run")
	return []string{"parallel", "per-host", "stagger", "rate-budget", "journal"}
}

// batchOwnFlags are the flags batch takes: its own and those of a
// transfer that apply to each job.
var batchOwnFlags = []string{"ascp", "log-level", "output", "parallel", "per-host", "stagger", "rate-budget", "journal",
	"connect-timeout", "cancel-grace", "stall-timeout", "retries", "retry-delay", "retry-max-delay", "retry-factor", "spawn-delay",
	"events", "progress-interval", "heartbeat", "timestamps", "strict", "max-input", "verify", "secret-cookie",
	"allow-input-overrides"}

// batchHelp follows the flags in `asession help batch`.
func batchHelp() string {
	var b strings.Builder
	b.WriteString(`
FILE (or - or nothing: stdin) holds one job a line: any input shape asession
takes, with an optional "id" (default: its line number). Every line is
checked before any job starts. Each job's lines carry "job" and "attempt";
the last line is one batch_summary. A job that fails with a retryable error
goes back to the queue (--retries, --retry-delay, --retry-max-delay).

Exit codes:
`)
	for _, c := range session.ExitCodes {
		if c.Batch != "" {
			fmt.Fprintf(&b, "  %-4d %s\n", c.Code, c.Batch)
		}
	}
	return b.String()
}

// runBatch runs the jobs of FILE or stdin.
func runBatch(c *cli) int {
	// Lines for scripts: words on a terminal would mix many jobs.
	c.out = events.NewWriter(c.stdout)
	format, err := c.manyJobsFormat()
	if err != nil {
		return c.usageError(err.Error())
	}
	c.format, c.toStdout = format, format.writer(c.stdout)
	c.out = events.NewWriter(c.toStdout)
	if len(c.args) > 1 {
		return c.usageError(fmt.Sprintf("batch takes at most one FILE, got %d: %s", len(c.args), strings.Join(c.args, " ")))
	}
	log, problem := c.transferFlags()
	if problem != "" {
		return c.usageError(problem)
	}
	if c.timestamps {
		c.out.SetTimestamps(time.Now)
	}
	opts := batch.Options{
		Session:    c.options(log, nil, nil),
		Parallel:   c.batch.parallel,
		PerHost:    c.batch.perHost,
		Stagger:    c.batch.stagger,
		RateBudget: c.batch.rateBudget,
		Journal:    c.batch.journal,
		Out:        c.out,
	}
	opts.Session.ProgressFile = ""
	if c.batch.parallel < 1 || c.batch.perHost < 1 {
		return c.usageError("--parallel and --per-host: expected at least 1")
	}
	if e := batch.CheckOptions(opts); e != nil {
		_ = c.out.Event(e)
		return session.ExitUsage
	}

	var in io.Reader = c.stdin
	if len(c.args) == 1 && c.args[0] != "-" {
		f, err := os.Open(c.args[0])
		if errors.Is(err, fs.ErrNotExist) {
			return c.usageError("no such file: " + c.args[0])
		}
		if err != nil {
			return c.usageError(err.Error())
		}
		defer f.Close()
		in = f
	} else if isTerminal(c.stdin) {
		fmt.Fprintln(c.stderr, "asession: reading jobs (JSON lines) from the terminal; end them with Ctrl-D. asession help batch shows the usage.")
	}
	jobs, refused := batch.ReadJobs(in, batch.ReadOptions{Check: c.inputCheck()})
	for _, r := range refused {
		_ = r.WriteLine(c.out)
	}
	if len(refused) > 0 {
		return session.ExitUsage
	}
	for _, j := range jobs {
		if c.secretCookie {
			j.Input.Agent.SecretCookie = true
		}
		if len(j.Input.Unknown) > 0 {
			fields := make([]string, len(j.Input.Unknown))
			for i, u := range j.Input.Unknown {
				fields[i] = u.String()
			}
			log.Warn().Str("job", j.ID).Strs("fields", fields).Msg("unknown fields ignored (--strict refuses them)")
		}
	}

	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	kill := make(chan struct{})
	stopSignals := handleSignals(cancel, kill, log)
	defer stopSignals()
	opts.Session.Kill = kill
	return batch.RunJobs(ctx, jobs, opts).ExitCode
}
