package main

import (
	"bytes"
	"io"
	"testing"
)

// The command line with a spec and then an open, silent pipe on stdin (a
// client that keeps its end open after the job): the transfer ends by
// itself, its command reader is interrupted (on Windows, which reads a
// pipe synchronously, its blocked read is cancelled) and joined before run
// returns, and stdin is left as the shell gave it.
func TestCLIJoinsTheCommandReaderOnAPipe(t *testing.T) {
	spec := libraryWork(t, 1000, 0)
	stdin, feed := blockingPipe(t)
	if _, err := io.WriteString(feed, spec+"\n"); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--ascp", ascpsimBin}, stdin, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	checkJoined(t, "run", 1000)
	stdinRestored(t, stdin)
}
