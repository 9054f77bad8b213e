package ascpsim

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

func TestWrongPassword(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "f"), []byte("x"))
	env := map[string]string{"ASCPSIM_PASSWORD": "right", "ASPERA_SCP_PASS": "wrong"}
	r := startSim(t, root, simOpts{env: env}, send(filepath.Join(local, "f"), "/")...)
	r.mustFail(codeAuthFailed)
	if got := types(r.all()); got[0] != "INIT" || len(got) != 3 {
		t.Fatalf("frames %v, want INIT, ERROR, DONE", got)
	}
	if _, err := os.Stat(filepath.Join(root, "f")); err == nil {
		t.Fatal("transferred despite the wrong password")
	}

	env["ASPERA_SCP_PASS"] = "right"
	startSim(t, root, simOpts{env: env}, send(filepath.Join(local, "f"), "/")...).mustSucceed()
}

func TestKeyAndToken(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "f"), []byte("x"))
	key := filepath.Join(local, "aspera_tokenauth_id_rsa")
	writeFile(t, key, []byte("-----BEGIN RSA PRIVATE KEY-----\n"))
	noPass := map[string]string{"ASPERA_SCP_PASS": "", "ASCPSIM_PASSWORD": "pw", "ASCPSIM_TOKEN": "ATM-good",
		"ASPERA_SCP_TOKEN": "ATM-good"}
	startSim(t, root, simOpts{env: noPass}, send("-i", key, filepath.Join(local, "f"), "/")...).mustSucceed()

	noPass["ASPERA_SCP_TOKEN"] = "ATM-bad"
	startSim(t, root, simOpts{env: noPass}, send("-i", key, filepath.Join(local, "f"), "/")...).mustFail(codeAuthorization)

	noPass["ASPERA_SCP_TOKEN"] = ""
	noPass["ASPERA_SCP_KEY"] = "-----BEGIN OPENSSH PRIVATE KEY-----"
	startSim(t, root, simOpts{env: noPass}, send(filepath.Join(local, "f"), "/")...).mustSucceed()
}

// TestPasswordPrompt: with no credential ascp asks on its terminal and
// waits; a client that never answers waits for ever.
func TestPasswordPrompt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("ascpsim prompts and draws its progress on a terminal only on Unix: Windows has no pty to give it (asession starts ascp without a console there)")
	}
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "f"), []byte("x"))
	cmd := exec.Command(simBin, send("-u", "prompt-test", filepath.Join(local, "f"), "/")...)
	cmd.Env = baseEnv(root, map[string]string{"ASPERA_SCP_PASS": ""})
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		tty.Close()
	})

	var out lockedBuffer
	got := make(chan struct{})
	go func() {
		buf := make([]byte, 256)
		for {
			n, err := tty.Read(buf)
			out.Write(buf[:n])
			if strings.Contains(out.String(), "xfer@sim's password: ") {
				close(got)
				return
			}
			if err != nil {
				return
			}
		}
	}()
	select {
	case <-got:
	case <-exited:
		t.Fatalf("exited instead of prompting: %q", out.String())
	case <-time.After(10 * time.Second):
		t.Fatalf("no prompt on the terminal: %q", out.String())
	}
	select {
	case <-exited:
		t.Fatal("did not keep waiting for the password")
	case <-time.After(500 * time.Millisecond):
	}
}

// TestPasswordPromptAnswered: a line typed at the prompt is the password.
func TestPasswordPromptAnswered(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("ascpsim prompts and draws its progress on a terminal only on Unix: Windows has no pty to give it (asession starts ascp without a console there)")
	}
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "f"), []byte("typed"))
	cmd := exec.Command(simBin, send(filepath.Join(local, "f"), "/")...)
	cmd.Env = baseEnv(root, map[string]string{"ASPERA_SCP_PASS": "", "ASCPSIM_PASSWORD": "open sesame"})
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var out lockedBuffer
	go func() {
		buf := make([]byte, 256)
		answered := false
		for {
			n, err := tty.Read(buf)
			out.Write(buf[:n])
			if !answered && strings.Contains(out.String(), "password: ") {
				answered = true
				tty.Write([]byte("open sesame\n"))
			}
			if err != nil {
				return
			}
		}
	}()
	waitSuccess(t, cmd, &out)
	if b, _ := os.ReadFile(filepath.Join(root, "f")); string(b) != "typed" {
		t.Fatal("file not transferred after the typed password")
	}
	if strings.Contains(out.String(), "open sesame") {
		t.Errorf("the password was echoed: %q", out.String())
	}
}

func TestNoTerminalForPrompt(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "f"), []byte("x"))
	r := startSim(t, root, simOpts{setsid: true, env: map[string]string{"ASPERA_SCP_PASS": ""}},
		send(filepath.Join(local, "f"), "/")...)
	r.mustFail(codeAuthFailed)
	if !strings.Contains(r.stderr.String(), "prompt") {
		t.Fatalf("stderr %q", r.stderr.String())
	}
	// A token authorises the transfer but does not log in over SSH: without
	// a key (the bypass key, -i) or a password, ascp still has to ask.
	r = startSim(t, root, simOpts{setsid: true, env: map[string]string{"ASPERA_SCP_PASS": "", "ASPERA_SCP_TOKEN": "ATM-x"}},
		send(filepath.Join(local, "f"), "/")...)
	r.mustFail(codeAuthFailed)
}

func TestFaultAuth(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "f"), []byte("x"))
	startSim(t, root, simOpts{env: map[string]string{"ASCPSIM_FAIL": "auth"}},
		send(filepath.Join(local, "f"), "/")...).mustFail(codeAuthFailed)
}

func TestFaultNoFile(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "a"), []byte("a"))
	writeFile(t, filepath.Join(local, "b"), []byte("b"))
	env := map[string]string{"ASCPSIM_FAIL": "nofile"}
	r := startSim(t, root, simOpts{env: env}, send(filepath.Join(local, "a"), filepath.Join(local, "b"), "/")...)
	r.mustFail(codeSomeFailed)
	fs := r.all()
	fe := ofType(fs, "FILEERROR")
	if len(fe) != 1 || fe[0].int(t, "Code") != codeNoSuchFile || fe[0].get("File") != filepath.Join(local, "a") {
		t.Fatalf("FILEERROR %v", fe)
	}
	if len(ofType(fs, "ARGSTOP")) != 2 {
		t.Fatalf("want an ARGSTOP per argument: %v", types(fs))
	}
	if b, _ := os.ReadFile(filepath.Join(root, "b")); string(b) != "b" {
		t.Fatal("the other source was not transferred")
	}
	startSim(t, root, simOpts{env: env}, send(filepath.Join(local, "a"), "/")...).mustFail(codeNoSuchFile)
}

func TestRealMissingSource(t *testing.T) {
	root := t.TempDir()
	startSim(t, root, simOpts{}, recv("/not/there", t.TempDir())...).mustFail(codeNoSuchFile)
}

// TestLostThenResume: a lost connection leaves the partial file; the next
// run with -k 1 starts from it, and StartByte proves what was not re-sent.
func TestLostThenResume(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	data := pattern(1<<20, 9)
	writeFile(t, filepath.Join(local, "big"), data)
	r := startSim(t, root, simOpts{env: map[string]string{"ASCPSIM_FAIL": "lost:300000"}},
		send("-k1", filepath.Join(local, "big"), "/")...)
	r.mustFail(codeConnectionLost)
	partial := filepath.Join(root, "big.partial")
	if fi, err := os.Stat(partial); err != nil || fi.Size() != 300000 {
		t.Fatalf("partial file after lost: %v %v", fi, err)
	}
	if _, err := os.Stat(filepath.Join(root, "big")); err == nil {
		t.Fatal("final name given to an incomplete file")
	}

	r = startSim(t, root, simOpts{}, send("-k1", filepath.Join(local, "big"), "/")...)
	fs := r.mustSucceed()
	start, stop := ofType(fs, "START")[0], ofType(fs, "STOP")[0]
	// FileBytes counts the file's bytes accounted for, the resumed part
	// included; TransferBytes what moved.
	if start.int(t, "StartByte") != 300000 || stop.int(t, "StartByte") != 300000 ||
		stop.int(t, "FileBytes") != int64(len(data)) || stop.int(t, "TransferBytes") != int64(len(data)-300000) {
		t.Fatalf("resume: START %v STOP %v", start.fields, stop.fields)
	}
	for _, s := range ofType(fs, "STATS") {
		if s.int(t, "StartByte") != 300000 {
			t.Fatalf("STATS %v", s.fields)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(root, "big")); !bytes.Equal(b, data) {
		t.Fatal("resumed file differs from the source")
	}
	if _, err := os.Stat(partial); err == nil {
		t.Fatal("partial file left behind")
	}
}

// TestResumeVerifies: -k 3 restarts when the partial's bytes are not the
// source's; -k 0 always restarts.
func TestResumeVerifies(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	data := pattern(200000, 4)
	writeFile(t, filepath.Join(local, "f"), data)
	bad := append([]byte(nil), data[:50000]...)
	bad[1234] ^= 0xff
	writeFile(t, filepath.Join(root, "f.partial"), bad)
	fs := startSim(t, root, simOpts{}, send("-k", "3", filepath.Join(local, "f"), "/")...).mustSucceed()
	if ofType(fs, "START")[0].int(t, "StartByte") != 0 {
		t.Fatal("-k 3 resumed from a corrupt partial")
	}
	writeFile(t, filepath.Join(root, "g.partial"), data[:50000])
	writeFile(t, filepath.Join(local, "g"), data)
	// Without the .aspx record of an earlier run under -k, nothing says
	// which bytes of the partial are valid: ascp starts again.
	fs = startSim(t, root, simOpts{}, send("-k2", filepath.Join(local, "g"), "/")...).mustSucceed()
	if ofType(fs, "START")[0].int(t, "StartByte") != 0 {
		t.Fatal("-k 2 resumed a partial that no run under -k had recorded")
	}
	writeFile(t, filepath.Join(root, "h.partial"), data[:50000])
	writeFile(t, filepath.Join(root, "h.aspx"), []byte("40000\n"))
	writeFile(t, filepath.Join(local, "h"), data)
	fs = startSim(t, root, simOpts{}, send("-k2", filepath.Join(local, "h"), "/")...).mustSucceed()
	if ofType(fs, "START")[0].int(t, "StartByte") != 40000 {
		t.Fatal("-k 2 did not resume from the recorded contiguous bytes")
	}
	if b, _ := os.ReadFile(filepath.Join(root, "h")); !bytes.Equal(b, data) {
		t.Fatal("resumed file differs")
	}
	if _, err := os.Stat(filepath.Join(root, "h.aspx")); !os.IsNotExist(err) {
		t.Fatalf("the resume record outlived the file's completion: %v", err)
	}
}

// TestSparseChecksumComparesSamples shows the trade-off of -k 2: a
// same-size destination that differs only between the samples is taken
// for identical and skipped; -k 3 finds the difference.
func TestSparseChecksumComparesSamples(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	data := pattern(4000000, 5)
	writeFile(t, filepath.Join(local, "f"), data)
	stale := append([]byte(nil), data...)
	for i := 2100000; i < 2100100; i++ {
		stale[i] ^= 0x5a
	}
	writeFile(t, filepath.Join(root, "f"), stale)
	fs := startSim(t, root, simOpts{}, send("-k2", filepath.Join(local, "f"), "/")...).mustSucceed()
	if stops := ofType(fs, "STOP"); len(stops) != 1 || len(ofType(fs, "START")) != 0 || stops[0].get("StartByte") != "4000000" {
		t.Fatal("-k 2 did not take the stale file for identical: its check is not sparse")
	}
	fs = startSim(t, root, simOpts{}, send("-k3", filepath.Join(local, "f"), "/")...).mustSucceed()
	if len(ofType(fs, "STOP")) != 1 {
		t.Fatal("-k 3 skipped a file that differs")
	}
	if b, _ := os.ReadFile(filepath.Join(root, "f")); !bytes.Equal(b, data) {
		t.Fatal("-k 3 left the stale bytes")
	}
}

func TestFaultCrash(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "big"), pattern(500000, 1))
	r := startSim(t, root, simOpts{env: map[string]string{"ASCPSIM_FAIL": "crash:100000"}},
		send(filepath.Join(local, "big"), "/")...)
	if code := r.wait(); code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, f := range r.all() {
		if f.typ == "ERROR" || f.typ == "DONE" {
			t.Fatalf("crash sent a final %s frame", f.typ)
		}
	}
	if fi, err := os.Stat(filepath.Join(root, "big.partial")); err != nil || fi.Size() != 100000 {
		t.Fatalf("partial after crash: %v %v", fi, err)
	}
}

func TestFaultDisk(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "a"), pattern(40000, 1))
	writeFile(t, filepath.Join(local, "b"), pattern(40000, 2))
	r := startSim(t, root, simOpts{env: map[string]string{"ASCPSIM_FAIL": "disk:50000"}},
		send(filepath.Join(local, "a"), filepath.Join(local, "b"), "/")...)
	r.mustFail(codeNoSpace)
	if len(ofType(r.all(), "STOP")) != 1 {
		t.Fatalf("frames %v", types(r.all()))
	}
}

func TestFaultHang(t *testing.T) {
	root := t.TempDir()
	r := startSim(t, root, simOpts{env: map[string]string{"ASCPSIM_FAIL": "hang"}}, send("/x", "/")...)
	select {
	case <-r.connected:
		t.Fatal("hang connected to the management port")
	case <-r.exited:
		t.Fatal("hang exited")
	case <-time.After(700 * time.Millisecond):
	}
	r.kill()
}

// TestFaultTimes: the fault hits the first N runs only, even when runs
// start together.
func TestFaultTimes(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "f"), []byte("x"))
	env := map[string]string{"ASCPSIM_FAIL": "auth", "ASCPSIM_FAIL_TIMES": "2"}
	var runs []*simRun
	for i := 0; i < 4; i++ {
		dest := "/out" + itoa(int64(i)) // runs must not race for one destination file
		runs = append(runs, startSim(t, root, simOpts{env: env}, send("-d", filepath.Join(local, "f"), dest)...))
	}
	failed := 0
	for _, r := range runs {
		if r.wait() != 0 {
			failed++
		}
	}
	if failed != 2 {
		t.Fatalf("%d runs failed, want 2", failed)
	}
}

func TestInvalidFault(t *testing.T) {
	r := startSim(t, t.TempDir(), simOpts{env: map[string]string{"ASCPSIM_FAIL": "lost"}}, send("/x", "/")...)
	if code := r.wait(); code != 1 || !strings.Contains(r.stderr.String(), "ASCPSIM_FAIL") {
		t.Fatalf("exit %d, stderr %q", code, r.stderr.String())
	}
}

// TestProgressOnTerminal: on a terminal, without -q, ascp draws progress;
// nothing secret shows up there.
func TestProgressOnTerminal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("ascpsim prompts and draws its progress on a terminal only on Unix: Windows has no pty to give it (asession starts ascp without a console there)")
	}
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "f"), pattern(100_000, 1))
	cmd := exec.Command(simBin, "--mode=send", "--host=sim", filepath.Join(local, "f"), "/")
	cmd.Env = baseEnv(root, map[string]string{"ASPERA_SCP_PASS": "hunter2-secret", "ASPERA_SCP_TOKEN": "ATM-secret"})
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var out lockedBuffer
	copied := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				close(copied)
				return
			}
		}
	}()
	waitSuccess(t, cmd, &out)
	select {
	case <-copied:
	case <-time.After(2 * time.Second):
	}
	got := out.String()
	if !strings.Contains(got, "100%") || !strings.Contains(got, "Completed:") {
		t.Fatalf("no progress on the terminal: %q", got)
	}
	if strings.Contains(got, "secret") {
		t.Fatalf("a secret reached the terminal: %q", got)
	}
}

// waitSuccess waits for a simulator run on a pty to exit 0, killing it
// after 15 s so that a wrong prompt cannot hang the suite.
func waitSuccess(t *testing.T, cmd *exec.Cmd, terminal *lockedBuffer) {
	t.Helper()
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("exit: %v; terminal: %q", err, terminal.String())
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-waitErr
		t.Fatalf("did not finish; terminal: %q", terminal.String())
	}
}
