//go:build linux

package session

import (
	"bufio"
	"bytes"
	"io"
	"net"
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
	"github.com/faspkit/asession/internal/testns"
)

// TestPortTakeover races another local process to the management port:
// the test hook starts it once the port listens and waits until it has
// connected and written (and, in the closes_at_once modes, closed its
// socket and exited), and only then is ascp started, so the attacker's is
// always the first connection in the port's queue. It knows the job id,
// as any local user reading ascp's command line does. Whatever it does, it
// must be refused: nothing it sent reaches stdout, one management_port
// line reports it, and ascp's transfer ends as if it was not there (exit
// 0, its one file). The other_uid cases run the attacker as uid 65534,
// asession and ascp as root, all in a network namespace of their own, so
// that the attack reaches nothing else on the machine; they need root
// (CI runs as root) and are skipped, saying so, without it.
func TestPortTakeover(t *testing.T) {
	for _, mode := range []struct {
		name, flag  string
		same, other string // what the refusal line says, by attacker
	}{
		// Open while asession looks: its owner is named by uid alone.
		{"holds_open", "hold", "processes of asession's own uid", "1 from uid 65534"},
		// Closed and gone before asession looks, once accepted as "a quick
		// ascp" when ascp exited soon after: nothing proves it ascp's.
		{"forged_session_closes_at_once", "close", "closed before their owner could be checked", "closed before their owner could be checked"},
		// Without the job id: once the end of the attempt (exit 1).
		{"wrong_userstr_closes_at_once", "wrong", "closed before their owner could be checked", "closed before their owner could be checked"},
	} {
		for _, who := range []struct {
			name string
			uid  int // the attacker's uid; -1: the test's own
		}{
			{"same_uid", -1},
			{"other_uid", 65534},
		} {
			t.Run(mode.name+"/"+who.name, func(t *testing.T) {
				if who.uid >= 0 && !testns.Enter(t, syscall.CLONE_NEWNET) {
					return
				}
				want := mode.same
				if who.uid >= 0 {
					want = mode.other
				}
				res := raceThePort(t, who.uid, "--attacker", mode.flag)
				res.expectAscpsResult(t)
				if len(res.sink.errors) != 1 {
					t.Fatalf("error lines %q, want one for the refused connection", res.sink.errors)
				}
				e := gjson.Parse(res.sink.errors[0])
				if e.Get("source").Str != string(events.FromConnect) || !strings.Contains(e.Get("description").Str, "refused 1 connection") ||
					!strings.Contains(e.Get("description").Str, want) {
					t.Errorf("error line %s, want source management_port, one refusal, %q", res.sink.errors[0], want)
				}
			})
		}
	}
}

// TestPortFlood: 200 connections reach the port before ascp starts, half
// of them closed at once, all with the job id and a forged session; ascpsim
// then moves a real file with remove_after_transfer. The job's result is
// ascpsim's: exit 0, the file byte for byte at the destination, its source
// removed and counted as completed, and one line for the 200 refusals.
func TestPortFlood(t *testing.T) {
	for _, who := range []struct {
		name string
		uid  int
	}{
		{"same_uid", -1},
		{"other_uid", 65534},
	} {
		t.Run(who.name, func(t *testing.T) {
			if who.uid >= 0 && !testns.Enter(t, syscall.CLONE_NEWNET) {
				return
			}
			root := t.TempDir()
			src := filepath.Join(t.TempDir(), "flood.bin")
			data := make([]byte, 4<<20)
			for i := range data {
				data[i] = byte(i * 7)
			}
			if err := os.WriteFile(src, data, 0o600); err != nil {
				t.Fatal(err)
			}
			res := raceThePortWith(t, who.uid, hostileRun{
				ascpsim: root,
				spec: map[string]any{"paths": []map[string]string{{"source": src}}, "destination_root": "/up",
					"remove_after_transfer": true},
			}, "--flood", "200")
			res.expectAscpsResult(t)
			got, err := os.ReadFile(filepath.Join(root, "up", "flood.bin"))
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("destination: %d bytes (%v), want the %d bytes of the source", len(got), err, len(data))
			}
			if _, err := os.Stat(src); !os.IsNotExist(err) {
				t.Errorf("source still there (%v), want it removed after the transfer", err)
			}
			t.Logf("refusals: %q", res.sink.errors)
			if len(res.sink.errors) != 1 || !strings.Contains(res.sink.errors[0], "refused 200 connections") {
				t.Errorf("error lines %q, want one reporting the 200 refusals", res.sink.errors)
			} else if who.uid >= 0 && !strings.Contains(res.sink.errors[0], "uid 65534") {
				t.Errorf("error line %s does not name uid 65534", res.sink.errors[0])
			}
		})
	}
}

// raceThePort runs the "good" hostile scenario (one file, DONE) with an
// attacker started by the test hook before ascp; see TestPortTakeover.
func raceThePort(t *testing.T, uid int, attackerArgs ...string) *hostileResult {
	return raceThePortWith(t, uid, hostileRun{scenario: "good"}, attackerArgs...)
}

func raceThePortWith(t *testing.T, uid int, h hostileRun, attackerArgs ...string) *hostileResult {
	t.Helper()
	exe := attackerExecutable(t)
	h.jobID = NewJobID()
	h.secrets = []string{"evil.example", "/FAKE/"}
	attackers := 0
	var procs []*exec.Cmd
	testHookListening = func(port int) {
		attackers++
		args := append([]string{}, attackerArgs...)
		if args[0] == "--flood" {
			args = append(args, strconv.Itoa(port), h.jobID)
		} else {
			args = []string{"--attacker", strconv.Itoa(port), h.jobID, args[1]}
		}
		cmd := exec.Command(exe, args...)
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, ascpsimEnv+"=") { // the attacker, not ascpsim
				cmd.Env = append(cmd.Env, kv)
			}
		}
		if uid >= 0 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
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
		if args[0] == "--attacker" && args[3] != "hold" {
			// Gone before ascp even starts.
			_ = cmd.Wait()
		}
	}
	t.Cleanup(func() {
		testHookListening = nil
		for _, p := range procs {
			_ = p.Process.Kill()
			_ = p.Wait()
		}
	})
	res := h.run(t)
	if attackers != 1 {
		t.Fatalf("the hook ran %d times, want 1", attackers)
	}
	return res
}

// expectAscpsResult checks that the job ended as ascp's one-file transfer
// did, whatever else connected.
func (r *hostileResult) expectAscpsResult(t *testing.T) {
	t.Helper()
	if r.outcome.ExitCode != ExitOK || r.outcome.Err != nil {
		t.Errorf("transfer result changed by the attacker: exit %d, error %v", r.outcome.ExitCode, r.outcome.Err)
	}
	if s := r.outcome.Summary; s == nil || s.Files.Completed != 1 || s.Files.Failed != 0 || s.Status != "completed" {
		t.Errorf("summary %+v, want ascp's one file completed", s)
	}
	if r.sink.counts["INIT"] != 1 {
		t.Errorf("%d INIT lines on stdout, want ascp's one", r.sink.counts["INIT"])
	}
}

// TestWrongUserStr: a connection that is ascp's but whose first message
// does not carry the job id is closed and reported like a stranger's, and
// the wait for ascp goes on: when ascp then exits, that is the error.
func TestWrongUserStr(t *testing.T) {
	res := hostileRun{scenario: "wrong-userstr"}.run(t)
	if res.outcome.ExitCode != ExitNoAscp || res.outcome.Err == nil || res.outcome.Err.Origin != events.FromAscpExit ||
		!strings.Contains(res.outcome.Err.Description, "without a management connection proven to be its own") {
		t.Errorf("outcome %d %+v, want ascp's exit without a proven connection", res.outcome.ExitCode, res.outcome.Err)
	}
	if len(res.sink.errors) != 2 || !strings.Contains(res.sink.errors[0], `UserStr \"asession-guessed\", not this job's id`) {
		t.Errorf("error lines %q, want the refusal naming the UserStr, then the error", res.sink.errors)
	}
	if res.sink.counts["INIT"]+res.sink.counts["DONE"] > 0 {
		t.Errorf("lines %v: the refused connection's messages were relayed", res.sink.counts)
	}
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

// identifyPeerOf, piece by piece: the kernel's two tables agree on the
// peer socket; a connection held by a child of "ascp" is ascp's (found
// through the children files), one held by a process outside the tree is
// a stranger's, and one whose owner has closed it is gone.
func TestIdentifyPeer(t *testing.T) {
	exe := attackerExecutable(t)
	ln, err := listenLoopback()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	connect := func(mode string) (*exec.Cmd, net.Conn) {
		cmd := exec.Command(exe, "--attacker", port, "job", mode)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		conn, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		line, _ := bufio.NewReader(out).ReadString('\n')
		if line != "connected\n" {
			t.Fatalf("attacker: %q", line)
		}
		return cmd, conn
	}

	holder, conn := connect("hold")
	local, remote := conn.LocalAddr().(*net.TCPAddr), conn.RemoteAddr().(*net.TCPAddr)
	uid, inode, found, err := sockDiag(local, remote)
	if err != nil || !found || inode == 0 || uid != os.Getuid() {
		t.Fatalf("sock_diag: uid %d inode %d found %v err %v", uid, inode, found, err)
	}
	if u, i, f := procNetTCP(local, remote); u != uid || i != inode || !f {
		t.Errorf("/proc/net/tcp: uid %d inode %d found %v; sock_diag: %d %d", u, i, f, uid, inode)
	}
	other := exec.Command(exe, "--hold")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Process.Kill(); _ = other.Wait() })
	for _, tc := range []struct {
		name string
		ascp int
		want peerVerdict
	}{
		{"held by ascp itself", holder.Process.Pid, peerOurs},
		{"held by a child of ascp", os.Getpid(), peerOurs},
		{"held outside ascp's tree", other.Process.Pid, peerStranger},
	} {
		if p := identifyPeerOf(conn, tc.ascp); p.verdict != tc.want || p.uid != os.Getuid() {
			t.Errorf("%s: %+v, want verdict %d", tc.name, p, tc.want)
		}
	}

	quitter, conn := connect("close")
	_ = quitter.Wait()
	if p := identifyPeerOf(conn, quitter.Process.Pid); p.verdict != peerGone {
		t.Errorf("closed and exited: %+v, want gone", p)
	}
}
