//go:build unix

package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/faspkit/asession/ascp/mgmt"
)

// firstLine measures the time from a minimal session's start (asession
// with the stub ascp: INIT, then DONE) to its first line on stdout, with
// no extra process on the host and with sleeping ones: the check of who
// holds the management connection must cost the same whatever runs
// beside. Blocks of runs alternate the two states (the sleepers are
// started and killed between them); each asession run is followed by a
// run of the bare relay, the floor, so that what the sleepers cost the
// machine itself shows in the floor's own ratio.
func firstLine(t *table, asession, self, spec, dir string, blocks, perBlock, sleepers int) {
	stamps := filepath.Join(dir, "firstline-stamps")
	run := func(bare bool) float64 {
		var cmd *exec.Cmd
		if bare {
			cmd = exec.Command(self)
			cmd.Env = append(os.Environ(), bareEnv+"="+stamps)
		} else {
			cmd = exec.Command(asession, "--ascp", self, "@file:"+spec)
			cmd.Env = append(os.Environ(), stampEnv+"="+stamps)
		}
		out, err := cmd.StdoutPipe()
		check(err)
		cmd.Stderr = io.Discard
		start := time.Now()
		check(cmd.Start())
		line, err := bufio.NewReader(out).ReadString('\n')
		took := time.Since(start)
		_, _ = io.Copy(io.Discard, out)
		if werr := cmd.Wait(); err != nil || werr != nil {
			fail("first-line run (bare %v): %v %v, first line %q", bare, err, werr, line)
		}
		return float64(took.Microseconds()) / 1000
	}
	var none, with, bareNone, bareWith []float64
	for b := 0; b < blocks; b++ {
		for i := 0; i < perBlock; i++ {
			none = append(none, run(false))
			bareNone = append(bareNone, run(true))
		}
		stop := startSleepers(sleepers)
		for i := 0; i < perBlock; i++ {
			with = append(with, run(false))
			bareWith = append(bareWith, run(true))
		}
		stop()
	}
	t.section(fmt.Sprintf("first line of a minimal session, with %d sleeping processes on the host and without (%d blocks of %d runs each, alternating)", sleepers, blocks, perBlock))
	t.row("  asession, no extra process (median; p90)", fmt.Sprintf("%.2f ms (%.2f)", median(none), percentile(none, 0.9)), "", "")
	t.row(fmt.Sprintf("  asession, %d sleeping processes (median; p90)", sleepers), fmt.Sprintf("%.2f ms (%.2f)", median(with), percentile(with, 0.9)), "", "")
	m := median(with) / median(none)
	t.row("  ratio with / without (medians)", fmt.Sprintf("%.2f", m), "<= 1.2", verdict(m <= 1.2))
	t.row("  floor: a bare relay's first line, without / with (ratio)", fmt.Sprintf("%.2f / %.2f ms (%.2f)", median(bareNone), median(bareWith), median(bareWith)/median(bareNone)), "", "")
}

// startSleepers starts n sleeping processes, in a process group of their
// own, and returns what kills them all (fail does too).
func startSleepers(n int) (stop func()) {
	sleep, err := exec.LookPath("sleep")
	check(err)
	pgid := 0
	var procs []*exec.Cmd
	stop = func() {
		if pgid > 0 {
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		}
		for _, p := range procs {
			_ = p.Wait()
		}
		procs, pgid = nil, 0
	}
	atFail = append(atFail, stop)
	for i := 0; i < n; i++ {
		cmd := exec.Command(sleep, "3600")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pgid: pgid}
		if err := cmd.Start(); err != nil {
			stop()
			fail("starting sleeper %d of %d: %v", i+1, n, err)
		}
		if pgid == 0 {
			pgid = cmd.Process.Pid
		}
		procs = append(procs, cmd)
	}
	return stop
}

// bareRelay is the floor: listen, start the stub ascp with -M, take its
// connection, stop listening (the stub waits for that, as for asession),
// print a line for its first message, read the rest and wait for it.
func bareRelay(stamps string) int {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	check(err)
	self, err := os.Executable()
	check(err)
	stub := exec.Command(self, "-M", fmt.Sprint(ln.Addr().(*net.TCPAddr).Port), "-u", "bare")
	stub.Env = append(os.Environ(), stampEnv+"="+stamps)
	check(stub.Start())
	conn, err := ln.Accept()
	check(err)
	ln.Close()
	r := mgmt.NewReader(conn)
	f, err := r.Next()
	check(err)
	fmt.Printf("{\"type\":%q}\n", f.Type())
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	conn.Close()
	check(stub.Wait())
	return 0
}
