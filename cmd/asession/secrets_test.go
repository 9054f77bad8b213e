package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Secret hygiene, end to end with the real binaries: a sentinel in every
// secret field, a real transfer at --log-level debug against ascpsim, and
// every byte asession emits, the command lines of the running processes and
// its private list folder checked while ascp runs. The same secrets are
// required in ascpsim's environment, so that the test cannot pass because
// they went nowhere at all.

const sentinel = "SENTINEL"

// secretEnv is what ascp must find in its environment for the spec below.
var secretEnv = map[string]string{
	"ASPERA_SCP_PASS":     "SENTINEL-pass-41c7",
	"ASPERA_SCP_TOKEN":    "Bearer SENTINEL-token-9e02",
	"ASPERA_SCP_KEY":      "-----BEGIN OPENSSH PRIVATE KEY-----\nSENTINEL-key-77d1\n-----END OPENSSH PRIVATE KEY-----\n",
	"ASPERA_SCP_FILEPASS": "SENTINEL-filepass-03aa",
	"ASPERA_PROXY_PASS":   "SENTINEL-proxy-5b6e",
	"ASPERA_SCP_COOKIE":   "SENTINEL-cookie-c0de",
}

// secretSpec sets every secret field of the table (and the cookie, marked
// secret) to a sentinel. The SSH key in ASPERA_SCP_KEY authenticates with
// ascpsim; the rest is carried. target_rate_kbps keeps ascp running long
// enough to be looked at.
func secretSpec(src, dest string) map[string]any {
	return map[string]any{
		"remote_host": "localhost", "remote_user": "u", "direction": "send", "create_dir": true,
		"paths": []map[string]string{{"source": src}}, "destination_root": dest,
		"target_rate_kbps":            6000,
		"remote_password":             secretEnv["ASPERA_SCP_PASS"],
		"ssh_private_key_passphrase":  secretEnv["ASPERA_SCP_PASS"],
		"token":                       secretEnv["ASPERA_SCP_TOKEN"],
		"ssh_private_key":             secretEnv["ASPERA_SCP_KEY"],
		"content_protection_password": secretEnv["ASPERA_SCP_FILEPASS"],
		"proxy":                       "dnat://proxyuser:" + secretEnv["ASPERA_PROXY_PASS"] + "@proxy.example.com:9091",
		"EX_http_proxy_url":           "http://webuser:" + secretEnv["ASPERA_PROXY_PASS"] + "@web-proxy.example.com:3128",
		"cookie":                      secretEnv["ASPERA_SCP_COOKIE"],
		"password":                    "SENTINEL-connect-password-88f0",
		"fasp_url":                    "faspe://u@localhost:33001/elsewhere?token=SENTINEL-link-token-1234&cookie=SENTINEL-link-cookie",
	}
}

// secretRun is one asession process of these tests.
type secretRun struct {
	work, root, tmp string
	cmd             *exec.Cmd
	stdout, stderr  bytes.Buffer
}

func newSecretRun(t *testing.T, args ...string) *secretRun {
	t.Helper()
	r := &secretRun{work: t.TempDir()}
	r.root = filepath.Join(r.work, "server")
	r.tmp = filepath.Join(r.work, "tmp")
	for _, d := range []string{r.root, r.tmp, filepath.Join(r.work, "src")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 2<<20/16)
	if err := os.WriteFile(filepath.Join(r.work, "src", "big.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	r.cmd = exec.Command(asessionBin, args...)
	r.cmd.Dir = r.work
	r.cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + r.work,
		"ASCPSIM_ROOT=" + r.root, "ASESSION_ASCP=" + ascpsimBin,
		"GORACE=atexit_sleep_ms=0",
	}, tempEnv(r.tmp)...)
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	return r
}

// input is the job description on stdin: the spec in aspera-cli's session
// envelope, its agent marking the cookie secret.
func (r *secretRun) input(t *testing.T, spec map[string]any) {
	data, err := json.Marshal(map[string]any{"spec": spec, "agent": map[string]any{"secret_cookie": true}})
	if err != nil {
		t.Fatal(err)
	}
	r.cmd.Stdin = bytes.NewReader(data)
}

// noSentinel fails when anything asession wrote holds a sentinel.
func (r *secretRun) noSentinel(t *testing.T) {
	t.Helper()
	for name, b := range map[string][]byte{"stdout": r.stdout.Bytes(), "stderr": r.stderr.Bytes()} {
		if i := bytes.Index(b, []byte(sentinel)); i >= 0 {
			t.Errorf("%s holds a secret: ...%s...", name, b[max(0, i-120):min(len(b), i+60)])
		}
	}
}

// ascpProcess waits for this run's ascpsim and returns its pid.
func (r *secretRun) ascpProcess(t *testing.T) string {
	t.Helper()
	marker := []byte("ASCPSIM_ROOT=" + r.root + "\x00")
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, p := range scriptPids(marker) {
			// The transfer's ascp, not the version probe (ascp -A).
			if programName(p.cmdline) == "ascpsim" && strings.Contains(p.cmdline, " -M ") {
				return p.pid
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("ascpsim never ran; stderr:\n%s", r.stderr.String())
	return ""
}

// inspectRunning checks a running ascp: its argv and asession's hold no
// secret, its environment holds them all, and the list folder is private.
func (r *secretRun) inspectRunning(t *testing.T) {
	t.Helper()
	pid := r.ascpProcess(t)
	cmdline, environ, err := processArgsEnv(pid)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(cmdline, []byte(sentinel)) {
		t.Errorf("ascp's command line holds a secret: %q", cmdline)
	}
	if !bytes.Contains(cmdline, []byte("--proxy=dnat://proxyuser@proxy.example.com:9091")) ||
		!bytes.Contains(cmdline, []byte("http://webuser@web-proxy.example.com:3128")) {
		t.Errorf("ascp's command line lacks the proxies without their password: %q", cmdline)
	}
	own, _, _ := processArgsEnv(strconv.Itoa(r.cmd.Process.Pid))
	if bytes.Contains(own, []byte(sentinel)) {
		t.Errorf("asession's own command line holds a secret: %q", own)
	}
	vars := map[string]string{}
	for _, kv := range strings.Split(string(environ), "\x00") {
		if name, value, ok := strings.Cut(kv, "="); ok {
			vars[name] = value
		}
	}
	for name, want := range secretEnv {
		if vars[name] != want {
			t.Errorf("ascp's environment: %s=%q, want %q", name, vars[name], want)
		}
	}
	// The private folder: 0700, its list file 0600, nothing else in TMPDIR.
	dirs, _ := filepath.Glob(filepath.Join(r.tmp, "asession-*"))
	if len(dirs) != 1 {
		t.Fatalf("list folders in TMPDIR: %v", dirs)
	}
	checkMode(t, dirs[0], 0o700|os.ModeDir)
	lists, _ := filepath.Glob(filepath.Join(dirs[0], "*"))
	if len(lists) != 1 {
		t.Fatalf("files in the list folder: %v", lists)
	}
	checkMode(t, lists[0], 0o600)
}

// checkMode checks Unix permission bits, which Windows does not have (the
// private folder's ACL comes from the temporary folder it is made in).
func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode() != want {
		t.Errorf("%s has mode %v, want %v", path, info.Mode(), want)
	}
}

// cleanedUp checks that the list folder is gone and no ascpsim is left.
func (r *secretRun) cleanedUp(t *testing.T) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(r.tmp, "asession-*")); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
	marker := []byte("ASCPSIM_ROOT=" + r.root + "\x00")
	deadline := time.Now().Add(3 * time.Second)
	for left := scriptProcesses(marker); len(left) > 0; left = scriptProcesses(marker) {
		if time.Now().After(deadline) {
			t.Errorf("processes left running: %v", left)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *secretRun) exitCode(t *testing.T, err error) int {
	t.Helper()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

func TestSecretsStayOutOfArgvOutputAndLogs(t *testing.T) {
	r := newSecretRun(t, "--log-level", "debug", "--cancel-grace", "5s")
	r.input(t, secretSpec("src/big.bin", "/up"))
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.inspectRunning(t)
	code := r.exitCode(t, r.cmd.Wait())
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, r.stdout.String(), r.stderr.String())
	}
	r.noSentinel(t)
	r.cleanedUp(t)
	// Not vacuous: the debug log ran, ascpsim echoed the cookie in its
	// messages, and the relay showed it redacted.
	if !strings.Contains(r.stderr.String(), "starting ascp") {
		t.Errorf("no debug log on stderr:\n%s", r.stderr.String())
	}
	if !strings.Contains(r.stdout.String(), `"cookie":"***"`) {
		t.Errorf("no redacted cookie among the events:\n%.2000s", r.stdout.String())
	}
	if got, err := os.ReadFile(filepath.Join(r.root, "up", "big.bin")); err != nil || len(got) != 2<<20 {
		t.Errorf("the transfer did not happen: %d bytes, %v", len(got), err)
	}
}

// Cancelled by a signal while ascp runs: the same checks, and the list
// folder is removed on that exit path too.
func TestSecretsAndCleanupOnSignals(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no signals to send another process, and console events reach only a console's own processes; TestConsoleCloseWritesTheSummaryInTime covers the console close in-process")
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			r := newSecretRun(t, "--log-level", "debug", "--cancel-grace", "5s")
			r.input(t, secretSpec("src/big.bin", "/up"))
			if err := r.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r.inspectRunning(t)
			if err := r.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			code := r.exitCode(t, r.cmd.Wait())
			if code != 128+int(sig) {
				t.Errorf("exit %d, want %d\nstderr:\n%s", code, 128+int(sig), r.stderr.String())
			}
			r.noSentinel(t)
			r.cleanedUp(t)
		})
	}
}

// A dry run shows the command that would run: secrets as ***, the cookie
// too with --secret-cookie, and the proxy without its password.
func TestSecretsDryRun(t *testing.T) {
	r := newSecretRun(t, "--dry-run", "--secret-cookie", "--log-level", "debug")
	data, _ := json.Marshal(secretSpec("src/big.bin", "/up"))
	r.cmd.Stdin = bytes.NewReader(data)
	if code := r.exitCode(t, r.cmd.Run()); code != 0 {
		t.Fatalf("exit %d: %s", code, r.stdout.String())
	}
	r.noSentinel(t)
	var report struct {
		Sessions []struct {
			Argv []string          `json:"argv"`
			Env  map[string]string `json:"env"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal(r.stdout.Bytes(), &report); err != nil || len(report.Sessions) != 1 {
		t.Fatalf("dry run %q: %v", r.stdout.String(), err)
	}
	for name := range secretEnv {
		if got := report.Sessions[0].Env[name]; got != "***" {
			t.Errorf("dry run env %s=%q, want ***", name, got)
		}
	}
	if argv := strings.Join(report.Sessions[0].Argv, " "); !strings.Contains(argv, "--proxy=dnat://proxyuser@proxy.example.com:9091") {
		t.Errorf("dry run argv %s", argv)
	}
}

// Refused input never repeats a secret, whatever is wrong with it.
func TestSecretsNotInInputErrors(t *testing.T) {
	spec := secretSpec("src/big.bin", "/up")
	spec["remote_password"] = 12345678901
	spec["token"] = []string{"SENTINEL-in-an-array"}
	spec["cookie"] = map[string]string{"SENTINEL": "in-an-object"}
	spec["proxy"] = "dnat://u:SENTINEL-proxy@proxy.example.com:9091\x01"
	spec["ssh_private_key"] = true
	spec["fasp_url"] = "https://SENTINEL@not-fasp/?token=SENTINEL"
	spec["content_protection_password"] = 1.5
	r := newSecretRun(t, "--log-level", "debug", "--strict")
	data, _ := json.Marshal(spec)
	r.cmd.Stdin = bytes.NewReader(data)
	if code := r.exitCode(t, r.cmd.Run()); code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, r.stdout.String())
	}
	r.noSentinel(t)
	if n := strings.Count(r.stdout.String(), `"pointer"`); n < 7 {
		t.Errorf("%d problems reported, want one per bad field:\n%s", n, r.stdout.String())
	}
}
