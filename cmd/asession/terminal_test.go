//go:build !windows

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// terminalRun is what a person would have seen of one asession run on a
// pseudo-terminal, rendered by the vt emulator.
type terminalRun struct {
	stdout []string // stdout lines when stdout was a pipe
	screen []string // every row shown, scrolled-off rows first
	raw    string   // the bytes the terminal got
}

// runOnTerminal runs a 2 MB upload throttled to about two seconds with
// stderr on a pseudo-terminal of the given size (rows 0: size unknown,
// as under script(1)). With pipeStdout, stdout is a pipe whose lines the
// test writes to the same terminal as `asession | cat` would; otherwise
// stdout is the terminal too.
func runOnTerminal(t *testing.T, rows, cols int, pipeStdout bool, args ...string) terminalRun {
	t.Helper()
	work := t.TempDir()
	root := filepath.Join(work, "server")
	src := filepath.Join(work, "src.bin")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, bytes.Repeat([]byte("asession"), 250_000), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := `{"remote_host":"h","remote_user":"u","remote_password":"pw","direction":"send","create_dir":true,` +
		`"target_rate_kbps":8000,"paths":[{"source":"` + src + `"}],"destination_root":"/up"}`

	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(asessionBin, append([]string{"--ascp", ascpsimBin}, args...)...)
	cmd.Env = append(os.Environ(), "ASCPSIM_ROOT="+root, "ASCPSIM_PASSWORD=pw", raceNoExitSleep)
	cmd.Stdin = strings.NewReader(spec)
	cmd.Stderr = tty
	var stdout io.ReadCloser
	if pipeStdout {
		if stdout, err = cmd.StdoutPipe(); err != nil {
			t.Fatal(err)
		}
	} else {
		cmd.Stdout = tty
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	emuRows := rows
	if emuRows == 0 {
		emuRows = 500
	}
	screen := newVT(emuRows, cols)
	var raw bytes.Buffer
	var reading sync.WaitGroup
	reading.Add(1)
	go func() {
		defer reading.Done()
		_, _ = io.Copy(io.MultiWriter(screen, &raw), ptmx) // ends with EIO once the terminal is closed
	}()
	var run terminalRun
	if pipeStdout {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			run.stdout = append(run.stdout, sc.Text())
			_, _ = tty.Write(append(sc.Bytes(), '\n'))
		}
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("asession failed: %v\nterminal: %q", err, raw.String())
		}
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("asession did not finish")
	}
	tty.Close()
	reading.Wait()
	if len(screen.unknownCodes) > 0 {
		t.Errorf("escape sequences the emulator does not know: %v", screen.unknownCodes)
	}
	run.screen, run.raw = screen.lines(), raw.String()
	return run
}

// `asession | cat` on a terminal: stdout is JSON lines, unchanged, and the
// live progress line on stderr never shares a row with them. Every line
// the pipe carried shows as a row of its own, and once asession is done no
// trace of the progress line is left among them.
func TestLiveLineNeverSharesARowWithPipedOutput(t *testing.T) {
	for _, tc := range []struct {
		name       string
		rows       int
		wantMarker string // how the progress reached the terminal
	}{
		{"bottom row reserved", 30, "ETA"},
		{"terminal size unknown: log lines", 0, "running"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := runOnTerminal(t, tc.rows, 1500, true)
			if len(run.stdout) == 0 || !strings.Contains(run.stdout[len(run.stdout)-1], `"type":"summary"`) {
				t.Fatalf("stdout does not end with the summary: %v", run.stdout)
			}
			if n := strings.Count(run.raw, tc.wantMarker); n < 2 {
				t.Errorf("progress drawn %d times (%q), want several: %q", n, tc.wantMarker, run.raw)
			}
			rows := map[string]int{}
			for _, row := range run.screen {
				rows[row]++
				// Without a reserved row, progress comes as log lines,
				// each a row of its own that starts with its time.
				logLine := tc.rows == 0 && strings.HasPrefix(row, "20") && !strings.Contains(row, "{")
				if row != "" && !json.Valid([]byte(row)) && !logLine {
					t.Errorf("a row mixes output: %q", row)
				}
			}
			for _, line := range run.stdout {
				if !json.Valid([]byte(line)) {
					t.Errorf("stdout line is not JSON: %q", line)
				}
				if rows[line] == 0 {
					t.Errorf("stdout line not shown as a row of its own: %q", line)
				}
			}
		})
	}
}

// On a terminal stdout speaks to a person: a line per finished file and
// the summary in words, with the live line drawn alongside and gone at the
// end; --output json keeps JSON lines there.
func TestHumanOutputOnTerminal(t *testing.T) {
	for _, rows := range []int{30, 0} {
		run := runOnTerminal(t, rows, 200, false)
		text := strings.Join(run.screen, "\n")
		if strings.Contains(text, `"type"`) {
			t.Errorf("rows %d: JSON on a terminal that asked for words:\n%s", rows, text)
		}
		if n := strings.Count(run.raw, "ETA"); n < 2 {
			t.Errorf("rows %d: live line drawn %d times, want several", rows, n)
		}
		var done, summary bool
		for _, row := range run.screen {
			switch {
			case strings.Contains(row, "ETA") || strings.Contains(row, "[#"):
				t.Errorf("rows %d: the live line was left on the screen: %q", rows, row)
			case strings.HasPrefix(row, "done     /up/src.bin (1.9 MiB)"):
				done = row == "done     /up/src.bin (1.9 MiB)"
			case strings.HasPrefix(row, "Completed: 1 transferred, 0 skipped, 0 failed; 1.9 MiB in 0:0"):
				summary = true
			}
		}
		if !done || !summary || !strings.Contains(text, "  sent to u@h:/up") {
			t.Errorf("rows %d: want a row for the file and the summary in words:\n%s", rows, text)
		}
	}
	run := runOnTerminal(t, 30, 1500, false, "--output", "json")
	var lines int
	for _, row := range run.screen {
		if row == "" {
			continue
		}
		lines++
		if !json.Valid([]byte(row)) {
			t.Errorf("--output json: a row is not a JSON line: %q", row)
		}
	}
	if lines < 3 {
		t.Errorf("--output json: %d JSON rows", lines)
	}
}

// Started in a terminal with nothing to read, asession says what it waits
// for instead of waiting silently.
func TestHintWhenStdinIsATerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	cmd := exec.Command(asessionBin)
	cmd.Env = append(os.Environ(), raceNoExitSleep)
	cmd.Stdin = tty
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	go func() { _, _ = io.Copy(io.Discard, ptmx) }() // the echo
	// What a person would type: not JSON, then Ctrl-D.
	if _, err := ptmx.Write([]byte("hello\n\x04")); err != nil {
		t.Fatal(err)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case <-waitErr:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("asession did not finish")
	}
	if cmd.ProcessState.ExitCode() != 2 {
		t.Errorf("exit %d, want 2; stdout %s", cmd.ProcessState.ExitCode(), stdout.String())
	}
	if !strings.Contains(stderr.String(), "reading a transfer spec (JSON) from the terminal; end it with Ctrl-D") {
		t.Errorf("no hint on stderr: %q", stderr.String())
	}
}
