package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/session"
	"github.com/faspkit/asession/session/batch"
)

// tinyJobs measures what `asession batch` adds to each job. The same n
// tiny jobs (one 1 KB file each, reported by the stub ascp, which also
// answers each job's `ascp -A` probe) run, in this process, three ways
// round after round: the floor, a bare loop calling session.Run, the
// single-job path, one job after the other; batch.RunJobs with one job at
// a time and no stagger; and the same with a journal (three synced
// records a job). Each round's pair gives the overhead per job, so that a
// machine that slows down between rounds moves both alike.
func tinyJobs(t *table, self, dir string, n, rounds int) {
	stamps := filepath.Join(dir, "tiny-stamps")
	check(os.Setenv(stampEnv, stamps)) // the stub's children read it
	defer os.Unsetenv(stampEnv)
	jobs := make([]batch.Job, n)
	for i := range jobs {
		line := fmt.Sprintf(`{"id":"j%d","remote_host":"h%d.example.com","remote_user":"aspera","remote_password":"correct-horse",`+
			`"direction":"send","paths":[{"source":"/bench/src/f%d"}],"destination_root":"/bench/dst"}`, i, i%3, i)
		j, err := batch.ParseJob([]byte(line), i+1, session.CheckOptions{})
		if err != nil {
			fail("tiny job: %v", err)
		}
		jobs[i] = j
	}
	sessionOpts := session.DefaultOptions()
	sessionOpts.Ascp = self
	sessionOpts.Retries = 0
	floor := func() time.Duration {
		start := time.Now()
		for _, j := range jobs {
			opts := sessionOpts
			opts.Out = events.NewWriter(io.Discard)
			if o := session.Run(context.Background(), j.Input, opts); o.ExitCode != 0 {
				fail("tiny job %s: %v", j.ID, o.Err)
			}
		}
		return time.Since(start)
	}
	runBatch := func(journal string) time.Duration {
		opts := batch.DefaultOptions()
		opts.Session = sessionOpts
		opts.Parallel, opts.PerHost, opts.Stagger = 1, 1, 0
		opts.Out = events.NewWriter(io.Discard)
		opts.Journal = journal
		start := time.Now()
		if res := batch.RunJobs(context.Background(), jobs, opts); res.ExitCode != 0 {
			fail("tiny batch: exit %d, %+v", res.ExitCode, res.Summary)
		}
		return time.Since(start)
	}
	perJob := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(n) }
	var floors, batches, journals, overheads, journalOverheads, ratios []float64
	for r := 0; r < rounds; r++ {
		f := floor()
		b := runBatch("")
		journal := filepath.Join(dir, "tiny-journal")
		os.Remove(journal)
		jr := runBatch(journal)
		os.Remove(journal)
		os.Remove(stamps)
		floors, batches, journals = append(floors, perJob(f)), append(batches, perJob(b)), append(journals, perJob(jr))
		overheads = append(overheads, perJob(b)-perJob(f))
		journalOverheads = append(journalOverheads, perJob(jr)-perJob(f))
		ratios = append(ratios, float64(b)/float64(f))
		fmt.Fprintf(os.Stderr, "tiny jobs, round %d: floor %.0f µs/job, batch %.0f, with journal %.0f\n", r+1, perJob(f), perJob(b), perJob(jr))
	}
	ratio := median(ratios)
	t.section(fmt.Sprintf("asession batch: %d tiny jobs (one file each, stub ascp), %d rounds", n, rounds))
	t.row("  floor: a bare loop calling session.Run, per job (median)", fmt.Sprintf("%.0f µs", median(floors)), "", "")
	t.row("  batch.RunJobs, --parallel 1 --stagger 0, per job (median)", fmt.Sprintf("%.0f µs", median(batches)), "", "")
	t.row("  overhead per job over the floor (median of rounds; spread)", fmt.Sprintf("%+.0f µs (%+.0f to %+.0f); %.3fx (rounds %.3f–%.3fx)",
		median(overheads), slices.Min(overheads), slices.Max(overheads), ratio, slices.Min(ratios), slices.Max(ratios)), "≤ 1.10x", verdict(ratio <= 1.10))
	t.row("  with --journal: overhead per job (median; three fsyncs a job)", fmt.Sprintf("%+.0f µs (%.0f µs per job)", median(journalOverheads), median(journals)), "", "")
}
