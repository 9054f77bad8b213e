package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The clients in examples/ drive the asession and ascpsim that TestMain
// built: a real upload of a small tree, and one with a wrong password.
// Their interpreters are required, not optional: .ci/run installs them.

const (
	examplePassword = "example-pw-3141"
	exampleWrong    = "wrong-pw-2718"
	// Race-enabled binaries otherwise sleep a second at exit, each of them.
	raceNoExitSleep = "GORACE=atexit_sleep_ms=0"
)

func TestExamplePython(t *testing.T) {
	requireExampleTool(t, "python3")
	testExampleClient(t, "python3", "python/upload.py")
}

func TestExampleNode(t *testing.T) {
	requireExampleTool(t, "node")
	out, err := exec.Command("node", "--version").Output()
	major, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(string(out), "v"), ".", 2)[0])
	if err != nil || major < 18 {
		t.Fatalf("examples/node needs Node 18 or later, found %q (%v)", bytes.TrimSpace(out), err)
	}
	testExampleClient(t, "node", "node/upload.js")
}

func TestExampleShell(t *testing.T) {
	requireExampleTool(t, "bash")
	requireExampleTool(t, "jq")
	testExampleClient(t, "bash", "shell/upload.sh")
}

func requireExampleTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if runtime.GOOS == "windows" {
			// make test-windows runs under Wine, which has no Windows
			// interpreters; make test runs these clients on Linux.
			t.Skipf("%s not found on PATH: no Windows %s on this host", name, name)
		}
		t.Fatalf("%s not found on PATH: the example client tests need python3, node and jq (.ci/run installs them with apt-get)", name)
	}
}

func testExampleClient(t *testing.T, interpreter, script string) {
	t.Parallel()
	script, err := filepath.Abs(filepath.Join("..", "..", "examples", script))
	if err != nil {
		t.Fatal(err)
	}
	summary := asessionWritesSummary(t)

	t.Run("upload", func(t *testing.T) {
		dir := t.TempDir()
		src := filepath.Join(dir, "local", "tree")
		writeExampleTree(t, src)
		server := filepath.Join(dir, "server")
		stdout, stderr, code := runExampleClient(t, dir, server, examplePassword, interpreter, script, src)
		if code != 0 {
			t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		want, got := exampleTreeFiles(t, src), exampleTreeFiles(t, filepath.Join(server, "uploads", "tree"))
		for name, content := range want {
			if got[name] != content {
				t.Errorf("uploaded %s differs or is missing", name)
			}
		}
		if len(got) != len(want) {
			t.Errorf("server holds %d files, want %d", len(got), len(want))
		}
		result := exampleLastLine(stdout)
		if summary {
			if want := fmt.Sprintf("OK: 4 files uploaded, %d bytes [summary: completed, exit 0]", exampleTreeBytes); result != want {
				t.Errorf("result line %q, want %q", result, want)
			}
		} else if result != "OK: transfer done [no summary; DONE seen, exit 0]" {
			t.Errorf("result line %q, want the no-summary success (DONE and exit 0)", result)
		}
		if !strings.Contains(stderr, "progress 100%") {
			t.Errorf("no progress reaching 100%% on stderr:\n%s", stderr)
		}

		// Again, with every file already there: each is skipped, and
		// nothing is said to be uploaded. One file changed: that one is.
		if !summary {
			t.Fatal("this asession writes no summary line: the clients cannot tell a skipped file from a sent one")
		}
		stdout, stderr, code = runExampleClient(t, dir, server, examplePassword, interpreter, script, src)
		if result, want := exampleLastLine(stdout), "OK: nothing uploaded: all 4 files already there [summary: completed, exit 0]"; code != 0 || result != want {
			t.Errorf("second upload: exit %d, result line %q, want %q\nstderr:\n%s", code, result, want, stderr)
		}
		if err := os.WriteFile(filepath.Join(src, "read me.txt"), []byte("changed since\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code = runExampleClient(t, dir, server, examplePassword, interpreter, script, src)
		if result, want := exampleLastLine(stdout), fmt.Sprintf("OK: 1 file uploaded, 3 already there; %d bytes in all [summary: completed, exit 0]",
			exampleTreeBytes-int64(len("hello from the examples\n"))+int64(len("changed since\n"))); code != 0 || result != want {
			t.Errorf("third upload: exit %d, result line %q, want %q\nstderr:\n%s", code, result, want, stderr)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		dir := t.TempDir()
		src := filepath.Join(dir, "local", "tree")
		writeExampleTree(t, src)
		server := filepath.Join(dir, "server")
		stdout, stderr, code := runExampleClient(t, dir, server, exampleWrong, interpreter, script, src)
		if code != 1 {
			t.Fatalf("exit %d, want 1 (asession's transfer failed)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		basis := "[no summary; exit 1]"
		if summary {
			basis = "[summary: failed, exit 1]"
		}
		result := exampleLastLine(stdout)
		if !strings.HasPrefix(result, "FAILED: ") || !strings.Contains(result, "(code 19)") || !strings.HasSuffix(result, basis) {
			t.Errorf("result line %q, want FAILED: … (code 19) %s", result, basis)
		}
		if _, err := os.Stat(filepath.Join(server, "uploads", "tree")); err == nil {
			t.Errorf("files were uploaded with a wrong password")
		}
	})
}

// runExampleClient runs one client to upload src into /uploads of the
// ascpsim server in server (made when missing), and returns its output and
// exit code once no process it started is left.
func runExampleClient(t *testing.T, dir, server, password, interpreter, script, src string) (stdout, stderr string, code int) {
	t.Helper()
	if err := os.MkdirAll(server, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, interpreter, script, asessionBin, src, "/uploads")
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ASCPSIM_") && !strings.HasPrefix(kv, "ASESSION_") && !strings.HasPrefix(kv, "DEMO_PASSWORD=") && !strings.HasPrefix(kv, "GORACE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"ASCPSIM_ROOT="+server,
		"ASCPSIM_PASSWORD="+examplePassword,
		"ASESSION_ASCP="+ascpsimBin,
		"DEMO_PASSWORD="+password,
		raceNoExitSleep)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("running %s: %v\nstderr:\n%s", interpreter, err, errOut.String())
	}
	stdout, stderr = out.String(), errOut.String()
	for _, pw := range []string{examplePassword, exampleWrong} {
		if strings.Contains(stdout+stderr, pw) {
			t.Errorf("the output shows a password")
		}
	}
	if len(strings.Split(strings.TrimSpace(stdout), "\n")) != 1 {
		t.Errorf("stdout should be one result line, got:\n%s", stdout)
	}
	marker := []byte("ASCPSIM_ROOT=" + server + "\x00")
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		left := scriptProcesses(marker)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes left running: %v", left)
		}
	}
	return stdout, stderr, code
}

// asessionWritesSummary tells whether this asession ends its output with a
// summary line, by running it once on a one-file upload. The clients fall
// back to DONE and the exit code only for an asession that has none.
func asessionWritesSummary(t *testing.T) bool {
	t.Helper()
	has, err := summaryProbe()
	if err != nil {
		t.Fatalf("probing asession for summary lines: %v", err)
	}
	t.Logf("asession writes a summary line: %v", has)
	return has
}

var summaryProbe = sync.OnceValues(func() (bool, error) {
	dir, err := os.MkdirTemp("", "asession-probe-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	server := filepath.Join(dir, "server")
	src := filepath.Join(dir, "probe.txt")
	if err := errors.Join(os.Mkdir(server, 0o755), os.WriteFile(src, []byte("probe\n"), 0o644)); err != nil {
		return false, err
	}
	spec, _ := json.Marshal(map[string]any{
		"remote_host": "localhost", "remote_user": "demo", "remote_password": examplePassword,
		"direction": "send", "create_dir": true,
		"paths": []map[string]string{{"source": src}}, "destination_root": "/probe",
	})
	cmd := exec.Command(asessionBin)
	cmd.Env = append(os.Environ(), "ASCPSIM_ROOT="+server, "ASCPSIM_PASSWORD="+examplePassword,
		"ASESSION_ASCP="+ascpsimBin, "ASCPSIM_FAIL=", raceNoExitSleep)
	cmd.Stdin = bytes.NewReader(spec)
	out, err := cmd.Output()
	if err != nil {
		return false, fmt.Errorf("%v; stdout:\n%s", err, out)
	}
	var last struct{ Type string }
	if err := json.Unmarshal([]byte(exampleLastLine(string(out))), &last); err != nil {
		return false, fmt.Errorf("last stdout line: %v", err)
	}
	return last.Type == "summary", nil
})

// exampleTreeBytes is the size of the files writeExampleTree makes.
const exampleTreeBytes = int64(len("hello from the examples\n") + len("nested\n") + len("leaf\n") + 2<<20)

// writeExampleTree makes four files: a name with a space, nested folders
// and one of 2 MiB, so a transfer spans several progress updates.
func writeExampleTree(t *testing.T, root string) {
	t.Helper()
	big := make([]byte, 2<<20)
	_, _ = rand.NewChaCha8([32]byte{7}).Read(big)
	files := map[string][]byte{
		"read me.txt":           []byte("hello from the examples\n"),
		"nested/note.txt":       []byte("nested\n"),
		"nested/deeper/leaf":    []byte("leaf\n"),
		"nested/deeper/big.bin": big,
	}
	for name, data := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// exampleTreeFiles maps each regular file under root (slash-separated, relative)
// to its content; a missing root is an empty tree.
func exampleTreeFiles(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return files
}

func exampleLastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}
