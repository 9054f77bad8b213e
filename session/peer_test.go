//go:build linux

package session

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/faspkit/asession/events"
)

// TestPortTakeover races another local process to the management port:
// the test hook starts it once the port listens and waits until it has
// connected and sent forged messages (with the right job id, which a
// local user can read in ascp's command line), and only then is ascp
// started, so the forged connection is always the first one accepted. It
// must be refused: nothing it sent reaches stdout, one management_port
// error line names it, and ascp's transfer completes as if it was not
// there. As root (CI), the attacker runs as uid 65534 too.
func TestPortTakeover(t *testing.T) {
	for _, tc := range []struct {
		name string
		uid  int // the attacker's uid; -1: the test's own
	}{
		{"same_uid_foreign_process", -1},
		{"other_uid", 65534},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.uid >= 0 && os.Getuid() != 0 {
				t.Skip("running the attacker as another user needs root (CI runs as root)")
			}
			exe := attackerExecutable(t)
			jobID := NewJobID()
			attackers := 0
			var procs []*exec.Cmd
			testHookListening = func(port int) {
				attackers++
				cmd := exec.Command(exe, "--attacker", strconv.Itoa(port), jobID)
				if tc.uid >= 0 {
					cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(tc.uid), Gid: uint32(tc.uid)}}
				}
				out, err := cmd.StdoutPipe()
				if err != nil {
					t.Error(err)
					return
				}
				if err := cmd.Start(); err != nil {
					t.Error(err)
					return
				}
				procs = append(procs, cmd)
				line, _ := bufio.NewReader(out).ReadString('\n')
				if line != "connected\n" {
					t.Errorf("attacker: %q", line)
				}
			}
			t.Cleanup(func() {
				testHookListening = nil
				for _, p := range procs {
					_ = p.Process.Kill()
					_ = p.Wait()
				}
			})
			res := hostileRun{scenario: "good", jobID: jobID, secrets: []string{"evil.example", "/FAKE/"}}.run(t)
			if attackers != 1 {
				t.Fatalf("the hook ran %d times, want 1", attackers)
			}
			if res.outcome.ExitCode != ExitOK || res.outcome.Err != nil {
				t.Errorf("transfer result changed by the attacker: exit %d, error %v", res.outcome.ExitCode, res.outcome.Err)
			}
			if s := res.outcome.Summary; s == nil || s.Files.Completed != 1 || s.Files.Failed != 0 {
				t.Errorf("summary %+v, want ascp's one file completed", s)
			}
			want := "pid " + strconv.Itoa(procs[0].Process.Pid)
			if tc.uid >= 0 {
				want = "uid " + strconv.Itoa(tc.uid)
			}
			if len(res.sink.errors) != 1 {
				t.Fatalf("error lines %q, want one for the refused connection", res.sink.errors)
			}
			e := gjson.Parse(res.sink.errors[0])
			if e.Get("source").Str != string(events.FromConnect) || !strings.Contains(e.Get("description").Str, want) {
				t.Errorf("error line %s, want source management_port naming %q", res.sink.errors[0], want)
			}
		})
	}
}

// TestWrongUserStr: a peer that is ascp's but whose first message does not
// carry the job id is dropped.
func TestWrongUserStr(t *testing.T) {
	res := hostileRun{scenario: "wrong-userstr"}.run(t)
	res.expectFailure(t, events.FromConnect, "not this job's id", ExitFailed)
}

// attackerExecutable is a copy of the test binary that another user can
// run: go test keeps its binary in a private folder.
func attackerExecutable(t *testing.T) string {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "asession-attacker-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	exe := filepath.Join(dir, "attacker")
	dst, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return exe
}

// When ascp exits, its process group goes with it, and the management
// connection is closed even while a child that left ascp's session holds
// it open: that child sees the end of the connection.
func TestAscpExitClosesPortAndReapsGroup(t *testing.T) {
	for _, scenario := range []string{"group-child", "setsid-child"} {
		res := hostileRun{scenario: scenario}.run(t)
		if res.outcome.ExitCode != ExitOK {
			t.Errorf("%s: exit %d, want 0: ascp reported DONE and exited 0", scenario, res.outcome.ExitCode)
		}
		// SIGKILL takes effect asynchronously: poll, within a bound.
		pid, ok := alive(res.pidfile + ".child")
		for i := 0; i < 300 && ok; i++ {
			time.Sleep(10 * time.Millisecond)
			pid, ok = alive(res.pidfile + ".child")
		}
		if ok {
			t.Errorf("%s: ascp's child %d in its process group is still running", scenario, pid)
		}
		if scenario != "setsid-child" {
			continue
		}
		eof := false
		for i := 0; i < 500 && !eof; i++ {
			_, err := os.Stat(res.pidfile + ".setsid.eof")
			eof = err == nil
			time.Sleep(10 * time.Millisecond)
		}
		if !eof {
			t.Error("the connection held by the child outside ascp's session was not closed")
		}
	}
}

// The version probe (`ascp -A`) is part of the job: a cancelled job kills
// it, and no run returns while it still runs.
func TestVersionProbeEndsWithTheJob(t *testing.T) {
	probe := filepath.Join(t.TempDir(), "probe.pid")
	// Cancelled once the probe runs (it writes its pid first), however
	// long a loaded machine takes to get there.
	res := hostileRun{scenario: "deaf", cancelOnFile: probe, env: []string{"HOSTILE_SLOW_VERSION=" + probe}}.run(t)
	if res.outcome.Err == nil || res.outcome.Err.Origin != events.FromCancel {
		t.Errorf("outcome %+v, want cancelled", res.outcome.Err)
	}
	if _, err := os.Stat(probe); err != nil {
		t.Fatalf("the probe never ran: %v", err)
	}
	if pid, ok := alive(probe); ok {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the version probe %d outlived the job", pid)
	}
}
