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

// tinyJobs measures what `asession batch` adds to each job. n tiny jobs
// (one 1 KB file each, reported by the stub ascp, which also answers each
// job's `ascp -A` probe) run, in this process, three ways: the floor, a
// bare loop calling session.Run, the single-job path, one job after the
// other; batch.RunJobs with one job at a time and no stagger; and the same
// with a journal (three synced records a job). They take turns in blocks
// of n/rounds jobs, floor, batch, journal, block after block, and each
// block's pair gives the overhead per job: a shared machine whose load
// comes and goes within minutes moves both sides of a short block alike.
func tinyJobs(t *table, self, dir string, n, rounds int) {
	stamps := filepath.Join(dir, "tiny-stamps")
	check(os.Setenv(stampEnv, stamps)) // the stub's children read it
	defer os.Unsetenv(stampEnv)
	rounds = max(1, min(rounds, n))
	jobs := make([]batch.Job, n/rounds)
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
	// measure runs the jobs one way: wall time and this process's CPU
	// time (asession's side: the stub's are other processes).
	measure := func(run func()) (wall, cpu time.Duration) {
		cpu0, _ := ownCPU()
		start := time.Now()
		run()
		wall = time.Since(start)
		cpu1, _ := ownCPU()
		return wall, cpu1 - cpu0
	}
	floor := func() {
		for _, j := range jobs {
			opts := sessionOpts
			opts.Out = events.NewWriter(io.Discard)
			if o := session.Run(context.Background(), j.Input, opts); o.ExitCode != 0 {
				fail("tiny job %s: %v", j.ID, o.Err)
			}
		}
	}
	runBatch := func(journal string) func() {
		return func() {
			opts := batch.DefaultOptions()
			opts.Session = sessionOpts
			opts.Parallel, opts.PerHost, opts.Stagger = 1, 1, 0
			opts.Out = events.NewWriter(io.Discard)
			opts.Journal = journal
			if res := batch.RunJobs(context.Background(), jobs, opts); res.ExitCode != 0 {
				fail("tiny batch: exit %d, %+v", res.ExitCode, res.Summary)
			}
		}
	}
	perJob := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 / float64(len(jobs)) }
	var walls, cpus [3][]float64 // floor, batch, journal: µs a job
	var ratios, cpuRatios []float64
	journal := filepath.Join(dir, "tiny-journal")
	for r := 0; r < rounds; r++ {
		for i, run := range []func(){floor, runBatch(""), runBatch(journal)} {
			os.Remove(journal)
			wall, cpu := measure(run)
			walls[i], cpus[i] = append(walls[i], perJob(wall)), append(cpus[i], perJob(cpu))
		}
		os.Remove(journal)
		os.Remove(stamps)
		ratios = append(ratios, walls[1][r]/walls[0][r])
		cpuRatios = append(cpuRatios, cpus[1][r]/cpus[0][r])
		fmt.Fprintf(os.Stderr, "tiny jobs, block %d, µs a job (wall; CPU): floor %.0f; %.0f, batch %.0f; %.0f, with journal %.0f; %.0f\n",
			r+1, walls[0][r], cpus[0][r], walls[1][r], cpus[1][r], walls[2][r], cpus[2][r])
	}
	diff := func(v [3][]float64, i int) []float64 {
		var d []float64
		for r := range v[i] {
			d = append(d, v[i][r]-v[0][r])
		}
		return d
	}
	_, haveCPU := ownCPU()
	t.section(fmt.Sprintf("asession batch: %d tiny jobs each way (one file each, stub ascp), in %d blocks of %d taking turns; medians of blocks",
		len(jobs)*rounds, rounds, len(jobs)))
	t.row("  floor: a bare loop calling session.Run, per job (wall; CPU)", fmt.Sprintf("%.0f µs; %.0f µs", median(walls[0]), median(cpus[0])), "", "")
	t.row("  batch.RunJobs, --parallel 1 --stagger 0, per job", fmt.Sprintf("%.0f µs; %.0f µs", median(walls[1]), median(cpus[1])), "", "")
	wallOver := diff(walls, 1)
	ratio := median(ratios)
	t.row("  overhead per job, wall (spread of blocks)", fmt.Sprintf("%+.0f µs (%+.0f to %+.0f); %.3fx (blocks %.3f–%.3fx)",
		median(wallOver), slices.Min(wallOver), slices.Max(wallOver), ratio, slices.Min(ratios), slices.Max(ratios)), "≤ 1.10x", verdict(ratio <= 1.10))
	if haveCPU {
		cpuOver := diff(cpus, 1)
		t.row("  overhead per job, asession's CPU (spread of blocks)", fmt.Sprintf("%+.0f µs (%+.0f to %+.0f); %.3fx",
			median(cpuOver), slices.Min(cpuOver), slices.Max(cpuOver), median(cpuRatios)), "", "")
	}
	t.row("  with --journal (three synced records a job): overhead per job, wall; CPU", fmt.Sprintf("%+.0f µs; %+.0f µs",
		median(diff(walls, 2)), median(diff(cpus, 2))), "", "")
}
