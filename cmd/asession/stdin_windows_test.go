package main

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// The command line with a spec and then an open, silent pipe on stdin (a
// client that keeps its end open after the job): Windows reads the pipe
// synchronously, with no deadline to interrupt it, yet the command reader
// is ended and joined before run returns.
func TestCLIJoinsTheCommandReaderOnAPipe(t *testing.T) {
	spec := libraryWork(t, 1000, 0)
	stdin, feed, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	defer feed.Close()
	if _, err := io.WriteString(feed, spec+"\n"); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--ascp", ascpsimBin}, stdin, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	checkJoined(t, "run", 1000)
}
