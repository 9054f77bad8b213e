package main

import (
	"bytes"
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sendSignal fails: Windows cannot send a process a Unix signal, so the
// scenarios that signal asession run on Unix only.
func sendSignal(int, syscall.Signal) error { return errors.New("no signals on Windows") }

// Closing the console (or logging off, or shutting down) reaches asession
// as SIGTERM, and Windows ends the process about 5 s later. Even with an
// ascp that no longer answers CANCEL and the default --cancel-grace of
// 5 s, the summary line and --summary-file are written within 2 s of the
// event. A test cannot close the console it runs in, so it hands the
// signal to asession's handler as the runtime would.
func TestConsoleCloseWritesTheSummaryInTime(t *testing.T) {
	spec := libraryWork(t, 1_000_000, 0)
	t.Setenv("ASCPSIM_FAIL", "stall:1000") // wedged after 1000 bytes
	handlers := make(chan chan<- os.Signal, 1)
	notifySignals = func(c chan<- os.Signal, _ ...os.Signal) { handlers <- c }
	defer func() { notifySignals = signal.Notify }()

	summaryFile := filepath.Join(t.TempDir(), "summary.json")
	var stdout, stderr bytes.Buffer
	exit := make(chan int, 1)
	go func() {
		exit <- run([]string{"--ascp", ascpsimBin, "--summary-file", summaryFile}, strings.NewReader(spec), &stdout, &stderr)
	}()
	handler := <-handlers
	partial := filepath.Join(os.Getenv("ASCPSIM_ROOT"), "lib", "src.bin.partial")
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		if fi, err := os.Stat(partial); err == nil && fi.Size() >= 1000 {
			break
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("ascpsim wrote no 1000 bytes to %s in 30s", partial)
		}
	}

	sent := time.Now()
	handler <- syscall.SIGTERM
	var code int
	select {
	case code = <-exit:
	case <-time.After(30 * time.Second):
		t.Fatal("asession still running 30s after the console closed")
	}
	took := time.Since(sent)
	t.Logf("summary written %v after the console closed", took.Round(time.Millisecond))
	if code != 143 {
		t.Errorf("exit %d, want 143\nstderr:\n%s", code, stderr.String())
	}
	out := stdout.String()
	last := out[strings.LastIndex(strings.TrimSuffix(out, "\n"), "\n")+1:]
	if !strings.HasPrefix(last, `{"type":"summary"`) {
		t.Fatalf("the last line is not the summary: %q", last)
	}
	if got, err := os.ReadFile(summaryFile); err != nil || string(got) != last {
		t.Errorf("--summary-file holds %q (%v), want the summary line", got, err)
	}
	if took > 2*time.Second {
		t.Errorf("the summary came %v after the console closed; Windows may end asession from 5s on, and it must come within 2s", took)
	}
}
