//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A person's terminal, played by tmux: a real terminal emulator that
// resets the scroll region on a resize, deletes rows below the cursor when
// the window gets shorter and rewraps rows when it gets narrower. What
// such a terminal shows is the test, read with capture-pane.

// tmuxTerm is one tmux server of its own (its own socket and an empty
// configuration) running one window: a shell that runs asession, then
// says how it exited and waits.
type tmuxTerm struct {
	t      *testing.T
	socket string
}

// exitMarker is the shell's line after asession: its exit status. The
// pane's own end is not waited for: under load tmux 3.3 can see its
// terminal close before it reaps the process, and then never tells the
// status.
var exitMarker = regexp.MustCompile(`^asession exited (\d+)$`)

// startTmux runs asessionCommand, then after, in a shell in a detached
// tmux window of cols×rows with no status line and room in the history
// for everything written.
func startTmux(t *testing.T, cols, rows int, asessionCommand, after string) *tmuxTerm {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux not found: the terminal tests need it (.ci/run installs it with apt-get)")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g status off\nset -g history-limit 5000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	shell := asessionCommand + `; echo "asession exited $?"; ` + after + "exec sleep 600"
	tm := &tmuxTerm{t: t, socket: filepath.Join(dir, "tmux.sock")}
	cmd := exec.Command("tmux", "-S", tm.socket, "-f", conf, "new-session", "-d", "-s", "t",
		"-x", strconv.Itoa(cols), "-y", strconv.Itoa(rows), shell)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *tmuxTerm) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// screen is the visible rows, as they are on the screen.
func (tm *tmuxTerm) screen() []string {
	return strings.Split(strings.TrimSuffix(tm.run("capture-pane", "-p", "-t", "t"), "\n"), "\n")
}

// everything is every row written, history first, rows the terminal
// wrapped joined again, trailing blanks dropped.
func (tm *tmuxTerm) everything() []string {
	var rows []string
	for _, row := range strings.Split(tm.run("capture-pane", "-p", "-J", "-S", "-", "-E", "-", "-t", "t"), "\n") {
		rows = append(rows, strings.TrimRight(row, " "))
	}
	for len(rows) > 0 && rows[len(rows)-1] == "" {
		rows = rows[:len(rows)-1]
	}
	return rows
}

func (tm *tmuxTerm) resize(cols, rows int) {
	tm.run("resize-window", "-t", "t", "-x", strconv.Itoa(cols), "-y", strconv.Itoa(rows))
}

// waitFor polls until cond holds for the screen; a loaded machine only
// makes it take longer. what says what was awaited.
func (tm *tmuxTerm) waitFor(what string, cond func(screen []string) bool) []string {
	tm.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		screen := tm.screen()
		if cond(screen) {
			return screen
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("waited 90 s for %s; the screen:\n%s", what, strings.Join(screen, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// exitStatus waits for asession to end, and returns its status and the
// rows written before the shell said so.
func (tm *tmuxTerm) exitStatus() (code int, rows []string) {
	tm.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		rows = tm.everything()
		for i, row := range rows {
			if m := exitMarker.FindStringSubmatch(row); m != nil {
				code, _ = strconv.Atoi(m[1])
				return code, rows[:i]
			}
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("asession never ended; the screen:\n%s", strings.Join(tm.screen(), "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// panePID is the process the pane runs: the shell.
func (tm *tmuxTerm) panePID() int {
	pid, err := strconv.Atoi(strings.TrimSpace(tm.run("display-message", "-p", "-t", "t", "#{pane_pid}")))
	if err != nil {
		tm.t.Fatal(err)
	}
	return pid
}

// paced is an upload of n files of size bytes each at a fixed rate
// through ascpsim, about a second per file: the asession command line for
// a shell and the done lines it must print.
func paced(t *testing.T, n, size int) (shellCommand string, doneLines []string) {
	t.Helper()
	work := t.TempDir()
	root, src := filepath.Join(work, "server"), filepath.Join(work, "src")
	for _, dir := range []string{root, src} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("file-%02d.bin", i)
		if err := os.WriteFile(filepath.Join(src, name), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		doneLines = append(doneLines, fmt.Sprintf("done     /up/src/%s (%s)", name, humanSize(size)))
	}
	spec := fmt.Sprintf(`{"remote_host":"h","remote_user":"u","remote_password":"pw","direction":"send","create_dir":true,`+
		`"target_rate_kbps":%d,"paths":[{"source":%q}],"destination_root":"/up"}`, size*8/1000, src)
	specFile := filepath.Join(work, "spec.json")
	if err := os.WriteFile(specFile, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	shellCommand = fmt.Sprintf("env ASCPSIM_ROOT=%s ASCPSIM_PASSWORD=pw %s %s --ascp %s %s",
		shellQuote(root), raceNoExitSleep, shellQuote(asessionBin), shellQuote(ascpsimBin), shellQuote(specFile))
	return shellCommand, doneLines
}

func humanSize(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/1024)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// liveRow matches a row of the live line, whole or any piece of it: its
// bar, its percent or its ETA.
var liveRow = regexp.MustCompile(`\[[#.]+\]?|[#.]{4,}|\d%|ETA|\bof \d`)

// countRows counts the rows that start with prefix.
func countRows(rows []string, prefix string) int {
	n := 0
	for _, row := range rows {
		if strings.HasPrefix(row, prefix) {
			n++
		}
	}
	return n
}

// The window is made smaller, then larger, while files arrive at a fixed
// rate. The live line follows each size: one row at the bottom, as wide as
// the window allows, the total shown. Once asession is done, what the
// terminal holds is every finished file's line and the summary, whole,
// and no trace of the live line.
func TestLiveLineFollowsResizes(t *testing.T) {
	t.Parallel()
	const files = 8
	command, doneLines := paced(t, files, 500_000)
	tm := startTmux(t, 120, 30, command, "")

	bottomLive := func(cols, rows int) func([]string) bool {
		return func(screen []string) bool {
			if len(screen) != rows {
				return false
			}
			bottom := screen[rows-1]
			return strings.Contains(bottom, "% ") && strings.Contains(bottom, "ETA") &&
				strings.Contains(bottom, " of 3.8 MiB") && len(bottom) < cols
		}
	}
	tm.waitFor("the live line on the bottom row", bottomLive(120, 30))
	tm.waitFor("two files done", func(s []string) bool { return countRows(s, "done ") >= 2 })
	tm.resize(60, 15)
	screen := tm.waitFor("the live line redrawn for 60×15", bottomLive(60, 15))
	if n := countRows(tm.everything(), "done "); n >= files {
		t.Fatalf("every file was done before the window shrank (%d): the test proves nothing", n)
	}
	for _, row := range screen[:len(screen)-1] {
		if liveRow.MatchString(row) {
			t.Errorf("60×15: the live line above the bottom row: %q\n%s", row, strings.Join(screen, "\n"))
		}
	}
	tm.waitFor("five files done", func(s []string) bool { return countRows(tm.everything(), "done ") >= 5 })
	tm.resize(100, 20)
	tm.waitFor("the live line redrawn for 100×20", bottomLive(100, 20))
	if n := countRows(tm.everything(), "done "); n >= files {
		t.Fatalf("every file was done before the window grew (%d): the test proves nothing", n)
	}

	code, rows := tm.exitStatus()
	if code != 0 {
		t.Fatalf("asession exited %d; the terminal:\n%s", code, strings.Join(rows, "\n"))
	}
	want := map[string]int{}
	for _, line := range doneLines {
		want[line] = 1
	}
	summary := regexp.MustCompile(`^Completed: 8 transferred, 0 skipped, 0 failed; 3\.8 MiB in 0:\d\d, average \d+\.\d Mb/s$`)
	job := regexp.MustCompile(`^  job asession-[0-9a-f]+, exit code 0$`)
	var sawSummary, sawDest, sawJob bool
	for _, row := range rows {
		switch {
		case row == "":
		case want[row] > 0:
			want[row]--
		case summary.MatchString(row) && !sawSummary:
			sawSummary = true
		case row == "  sent to u@h:/up" && !sawDest:
			sawDest = true
		case job.MatchString(row) && !sawJob:
			sawJob = true
		default:
			t.Errorf("a row that is neither a finished file nor the summary: %q", row)
		}
	}
	for line, missing := range want {
		if missing > 0 {
			t.Errorf("missing or broken: %q", line)
		}
	}
	if !sawSummary || !sawDest || !sawJob {
		t.Errorf("the summary is not whole (summary %v, destination %v, job %v)", sawSummary, sawDest, sawJob)
	}
	if t.Failed() {
		t.Logf("the terminal:\n%s", strings.Join(rows, "\n"))
	}
}

// Cancelled by a signal, asession still takes its live line off the
// terminal and gives the bottom row back: the summary says cancelled, and
// what the shell prints next scrolls the whole window again.
func TestLiveLineClearedOnSignals(t *testing.T) {
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		code int
	}{
		{"Ctrl-C", syscall.SIGINT, 130},
		{"SIGTERM", syscall.SIGTERM, 143},
		{"SIGHUP", syscall.SIGHUP, 129},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			command, _ := paced(t, 4, 500_000)
			const rows = 12
			// After asession, more lines than the window holds: with the
			// scroll region left behind, the last ("end") would stop a
			// row short of the bottom.
			tm := startTmux(t, 100, rows, command, `i=0; while [ $i -lt 20 ]; do i=$((i+1)); echo "after $i"; done; printf end; `)
			tm.waitFor("a file done and the live line", func(s []string) bool {
				return countRows(s, "done ") >= 1 && strings.Contains(s[len(s)-1], "ETA")
			})
			if tc.sig == syscall.SIGINT {
				tm.run("send-keys", "-t", "t", "C-c") // as a person would
			} else {
				asession := childOf(t, tm.panePID())
				if err := syscall.Kill(asession, tc.sig); err != nil {
					t.Fatal(err)
				}
			}
			code, all := tm.exitStatus()
			text := strings.Join(all, "\n")
			if code != tc.code {
				t.Errorf("asession exited %d, want %d:\n%s", code, tc.code, text)
			}
			screen := tm.waitFor("the shell's lines after asession", func(s []string) bool {
				return slices.Contains(s, "end")
			})
			if !regexp.MustCompile(`(?m)^Cancelled: \d transferred, 0 skipped, \d failed; `).MatchString(text) ||
				!regexp.MustCompile(`(?m)^  job asession-[0-9a-f]+, exit code `+strconv.Itoa(tc.code)+`$`).MatchString(text) {
				t.Errorf("no whole cancelled summary:\n%s", text)
			}
			for _, row := range all {
				if liveRow.MatchString(row) {
					t.Errorf("a trace of the live line: %q", row)
				}
			}
			if screen[rows-1] != "end" {
				t.Errorf("the bottom row is %q, not the last line written: the scroll region was left behind\n%s",
					screen[rows-1], strings.Join(screen, "\n"))
			}
		})
	}
}

// childOf is the one child process of pid (the shell's asession), read
// from /proc.
func childOf(t *testing.T, pid int) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		if err != nil {
			t.Fatalf("children of the pane's shell: %v", err)
		}
		if fields := strings.Fields(string(data)); len(fields) == 1 {
			child, _ := strconv.Atoi(fields[0])
			return child
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pane's shell has children %q, want asession alone", data)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
