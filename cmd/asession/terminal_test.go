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

// With stderr on a terminal, asession draws a live progress line there,
// while stdout, a pipe, carries nothing but JSON lines.
func TestProgressLineOnTerminal(t *testing.T) {
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
	cmd := exec.Command(filepath.Join(binDir, "asession"), "--ascp", filepath.Join(binDir, "ascpsim"))
	cmd.Env = append(os.Environ(), "ASCPSIM_ROOT="+root, "ASCPSIM_PASSWORD=pw")
	cmd.Stdin = strings.NewReader(spec)
	cmd.Stderr = tty
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()

	var terminal bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = io.Copy(&terminal, ptmx) // ends with EIO when asession exits
	}()
	var lines []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("asession failed: %v\nterminal: %q", err, terminal.String())
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("asession did not finish")
	}
	wg.Wait()

	for _, line := range lines {
		if !json.Valid([]byte(line)) {
			t.Errorf("stdout line is not JSON: %q", line)
		}
	}
	if len(lines) == 0 || !strings.Contains(lines[len(lines)-1], `"type":"summary"`) {
		t.Fatalf("stdout does not end with the summary: %v", lines)
	}
	screen := terminal.String()
	if n := strings.Count(screen, "\r["); n < 2 {
		t.Errorf("expected the progress line to be redrawn several times, saw %d draws: %q", n, screen)
	}
	for _, want := range []string{"%", "ETA", "src.bin", "completed"} {
		if !strings.Contains(screen, want) {
			t.Errorf("terminal output lacks %q: %q", want, screen)
		}
	}
	if strings.Contains(screen, `"type"`) {
		t.Errorf("JSON leaked onto the terminal: %q", screen)
	}
}
