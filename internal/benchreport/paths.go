package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// manyPaths measures the set-up of a job of n paths: asession runs with
// --ascp pointing at the stub, which records when it was spawned with -M
// and its parent's resident set at that moment (the list file written and
// set-up memory released); the peak is asession's rusage Maxrss (the stub
// is a few MB). Sources alone, pairs, and four sessions.
func manyPaths(t *table, asession, self, dir string, n, runs int) {
	for _, c := range []struct {
		name     string
		pairs    bool
		sessions int
	}{{"sources", false, 0}, {"pairs", true, 0}, {"4 sessions", false, 4}} {
		spec := filepath.Join(dir, "paths.json")
		size := writePathsSpec(spec, n, c.pairs, c.sessions)
		stamps := filepath.Join(dir, "stamps")
		var spawn, after, peak []float64
		for i := 0; i < runs; i++ {
			os.Remove(stamps)
			cmd := exec.Command(asession, "--ascp", self, "--retries", "0", "@file:"+spec)
			cmd.Env = append(os.Environ(), stampEnv+"="+stamps)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			start := time.Now().UnixNano()
			_ = cmd.Run() // the stub transfers nothing: the summary is not the point
			if cmd.ProcessState == nil {
				fail("paths run: %s", out.String())
			}
			spawn = append(spawn, float64(readStamp(stamps, "M")-start)/1e6)
			after = append(after, float64(readStamp(stamps, "R"))/1024)
			peak = append(peak, peakRSSMB(cmd.ProcessState))
			fmt.Fprintf(os.Stderr, "%d paths (%s), run %d: spawn at %.0f ms, RSS then %.1f MB, peak %.1f MB\n",
				n, c.name, i+1, spawn[i], after[i], peak[i])
		}
		os.Remove(spec)
		t.section(fmt.Sprintf("%s paths, %s (%d MB spec from a file), %d runs", si(float64(n)), c.name, size>>20, runs))
		t.row("  start to ascp spawned (median)", fmt.Sprintf("%.0f ms", median(spawn)), "≤ 400 ms", verdict(median(spawn) <= 400))
		t.row("  peak RSS, rusage Maxrss (median)", fmt.Sprintf("%.1f MB", median(peak)), "≤ 100 MB", verdict(median(peak) <= 100))
		t.row("  RSS once the list file is written (at spawn, median; max)", fmt.Sprintf("%.1f MB; %.1f MB", median(after), slices.Max(after)), "< 30 MB", verdict(median(after) < 30))
	}
}

// writePathsSpec writes a job of n paths to path and returns its size.
func writePathsSpec(path string, n int, pairs bool, sessions int) int64 {
	f, err := os.Create(path)
	check(err)
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(`{"remote_host":"bench.example.com","remote_user":"aspera","remote_password":"correct-horse-battery-staple",` +
		`"direction":"send","destination_root":"/bench/dst",`)
	if sessions > 0 {
		fmt.Fprintf(w, `"multi_session":%d,`, sessions)
	}
	w.WriteString(`"paths":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			w.WriteByte(',')
		}
		if pairs {
			fmt.Fprintf(w, `{"source":"/bench/src/dir%03d/file%07d.dat","destination":"/bench/dst/d%03d/f%07d"}`, i%1000, i, i%1000, i)
		} else {
			fmt.Fprintf(w, `{"source":"/bench/src/dir%03d/file%07d.dat"}`, i%1000, i)
		}
	}
	w.WriteString("]}")
	check(w.Flush())
	info, err := f.Stat()
	check(err)
	check(f.Close())
	return info.Size()
}

// parentRSS is the resident set of the stub's parent (asession) in kB, or 0.
func parentRSS() int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", os.Getppid()))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}
