//go:build !windows

package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// blockingPipe is a pipe as a shell hands one to a program's stdin: its
// descriptors are blocking, so Go does not poll them.
func blockingPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		t.Fatal(err)
	}
	r, w = os.NewFile(uintptr(fds[0]), "stdin"), os.NewFile(uintptr(fds[1]), "feed")
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

func nonblocking(t *testing.T, f *os.File) bool {
	t.Helper()
	flags, err := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	return flags&unix.O_NONBLOCK != 0
}

// stdinRestored: stdin is blocking again, as the shell gave it.
func stdinRestored(t *testing.T, stdin *os.File) {
	t.Helper()
	if nonblocking(t, stdin) {
		t.Errorf("stdin was left non-blocking")
	}
}

// Only a pipe is made pollable: a regular file never blocks, and a
// terminal's flags are the shell's too.
func TestInterruptibleStdinTouchesOnlyPipes(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if in, _ := interruptibleStdin(file); in != io.Reader(file) {
		t.Errorf("a regular file was replaced")
	}
	if tty, err := os.Open("/dev/tty"); err == nil {
		defer tty.Close()
		if in, _ := interruptibleStdin(tty); in != io.Reader(tty) || nonblocking(t, tty) {
			t.Errorf("the terminal was touched")
		}
	}

	stdin, _ := blockingPipe(t)
	in, restore := interruptibleStdin(stdin)
	d, ok := in.(interface{ SetReadDeadline(t time.Time) error })
	if !ok || d.SetReadDeadline(time.Unix(1, 0)) != nil {
		t.Fatalf("the pipe cannot take a deadline: %T", in)
	}
	if _, err := in.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read past the deadline: %v", err)
	}
	if !nonblocking(t, stdin) {
		t.Errorf("the shared description is not non-blocking while in use")
	}
	restore()
	if nonblocking(t, stdin) {
		t.Errorf("restore left the pipe non-blocking")
	}
}
