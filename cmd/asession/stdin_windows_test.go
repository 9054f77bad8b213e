package main

import (
	"os"
	"testing"
)

// blockingPipe is a pipe as a shell hands one to a program's stdin; on
// Windows every anonymous pipe is read synchronously.
func blockingPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// stdinRestored: on Windows nothing about stdin was changed.
func stdinRestored(*testing.T, *os.File) {}
