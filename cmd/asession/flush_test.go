//go:build !windows

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faspkit/asession/ascp/mgmt"
)

// A lone management frame must reach stdout without waiting for more input:
// the relay buffers its output and flushes when its input goes idle. ascpsim
// replays a FIFO (ASCPSIM_REPLAY), and the test sends frame N+1 only once
// the line of frame N has been read from asession's stdout. A relay that
// waited for more input (or for its buffer to fill) would never show the
// line; the deadline only keeps such a failure from hanging the test.
func TestLoneFrameIsFlushedAtOnce(t *testing.T) {
	const frames = 5
	const deadline = 30 * time.Second // a bound against hanging, not a timing
	dir := t.TempDir()
	fifo := filepath.Join(dir, "frames")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	spec := filepath.Join(dir, "job.json")
	if err := os.WriteFile(spec, []byte(`{"remote_host":"h","remote_user":"u","remote_password":"pw",`+
		`"direction":"send","paths":[{"source":"/src/a"}],"destination_root":"/dst"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(asessionBin, "--ascp", ascpsimBin, "@file:"+spec)
	cmd.Env = append(os.Environ(), "ASCPSIM_REPLAY="+fifo)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// O_RDWR does not wait for ascpsim to open the FIFO; closing it is
	// the end of the transcript.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	send := func(frameType string, pairs ...string) {
		if _, err := w.Write(mgmt.AppendFrame(nil, frameType, pairs...)); err != nil {
			t.Fatal(err)
		}
	}
	await := func(want string) {
		timeout := time.After(deadline)
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("stdout ended before a line with %s; stderr:\n%s", want, stderr.String())
				}
				if strings.Contains(line, want) {
					return
				}
			case <-timeout:
				t.Fatalf("no line with %s on stdout after the frame was sent (waited %s)", want, deadline)
			}
		}
	}

	send("INIT", "SessionId", "s-1")
	await(`"type":"INIT"`)
	for i := 0; i < frames; i++ {
		file := fmt.Sprintf("/dst/file-%d", i)
		send("STATS", "SessionId", "s-1", "File", file, "Bytescont", fmt.Sprint(i))
		await(`"file":"` + file + `"`)
	}
	send("DONE", "SessionId", "s-1")
	await(`"type":"DONE"`)
	w.Close()
	await(`"type":"summary"`)
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("asession: %v; stderr:\n%s", err, stderr.String())
	}
}
