package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/faspkit/asession/internal/benchreport/mix"
)

// idleCost measures what a transfer at ascp's own pace costs asession:
// ascpsim replays from a FIFO that this program feeds with the mix at a
// fixed rate (frames/s), every 10 ms, and asession's CPU time (all its
// threads, /proc/PID/task/*/schedstat, in ns) is sampled over the paced
// window after a second of warm-up, as a share of one core.
func idleCost(t *table, asession, ascpsim, spec, dir string, rates []int, window time.Duration) {
	t.section(fmt.Sprintf("idle cost: frames paced from a FIFO, asession's CPU over %s, %% of one core", window))
	for _, rate := range rates {
		fifo := filepath.Join(dir, "frames.fifo")
		os.Remove(fifo)
		check(syscall.Mkfifo(fifo, 0o600))
		files := int((time.Second+window).Seconds()*float64(rate))/mix.FrameFiles + 1
		cmd := exec.Command(asession, "--ascp", ascpsim, "@file:"+spec)
		cmd.Env = append(os.Environ(), "ASCPSIM_REPLAY="+fifo)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		check(cmd.Start())
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // waits for ascpsim
		check(err)
		s := mix.Default
		_, err = w.Write(s.Header(nil, files))
		check(err)
		perTick := float64(rate) / 100 / mix.FrameFiles // files per 10 ms
		start := time.Now()
		var cpu0, cpu1 int64
		var t0, t1 time.Time
		owed, sent := 0.0, 0
		tick := time.NewTicker(10 * time.Millisecond)
		for sent < files {
			<-tick.C
			owed += perTick
			var buf []byte
			for ; float64(sent) < owed && sent < files; sent++ {
				buf = s.File(buf, sent, int64(sent)*mix.FileSize)
			}
			if len(buf) > 0 {
				_, err = w.Write(buf)
				check(err)
			}
			if t0.IsZero() && time.Since(start) >= time.Second {
				t0, cpu0 = time.Now(), cpuNS(cmd.Process.Pid)
			}
			if !t0.IsZero() && time.Since(t0) >= window {
				break
			}
		}
		tick.Stop()
		t1, cpu1 = time.Now(), cpuNS(cmd.Process.Pid)
		_, err = w.Write(s.Trailer(nil, sent))
		check(err)
		check(w.Close())
		if err := cmd.Wait(); err != nil {
			fail("idle run at %d frames/s: %v\n%s", rate, err, out.String())
		}
		os.Remove(fifo)
		share := float64(cpu1-cpu0) / float64(t1.Sub(t0).Nanoseconds()) * 100
		fmt.Fprintf(os.Stderr, "idle at %d frames/s: %.3f%% of a core\n", rate, share)
		target, ok := "", ""
		if rate <= 100 {
			target, ok = "< 0.5 %", verdict(share < 0.5)
		}
		t.row(fmt.Sprintf("  %s frames/s", si(float64(rate))), fmt.Sprintf("%.3f %%", share), target, ok)
	}
}

// cpuNS is the CPU time of every thread of process pid so far, in ns.
func cpuNS(pid int) int64 {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var total int64
	for _, path := range tasks {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if f := strings.Fields(string(data)); len(f) > 0 {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			total += n
		}
	}
	return total
}
