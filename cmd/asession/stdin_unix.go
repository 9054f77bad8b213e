//go:build !windows

package main

import (
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// interruptibleStdin returns stdin as a file whose blocked Read can be
// interrupted (SetReadDeadline), so that the job, once over, ends its
// command reader and joins it before the summary, even while whoever feeds
// the pipe keeps it open. restore undoes what it did; call it when the job
// is over.
//
// Go polls a file, and so honours deadlines, only if its descriptor was
// non-blocking when the file was made; a pipe inherited as stdin is
// blocking. For a pipe or FIFO, and only those, stdin is duplicated and the
// duplicate made non-blocking. That flag lives on the open file
// description, which the duplicate shares with descriptor 0 and with any
// other process holding the same end of the pipe: restore clears it again.
// A terminal is never touched, since its description is the shell's too
// and a crash before restore would leave the shell a non-blocking
// terminal; a regular file needs nothing, since reading one never blocks.
func interruptibleStdin(stdin io.Reader) (in io.Reader, restore func()) {
	none := func() {}
	f, ok := stdin.(*os.File)
	if !ok {
		return stdin, none
	}
	if f.SetReadDeadline(time.Time{}) == nil {
		return f, none // already polled: nothing to do
	}
	info, err := f.Stat()
	if err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		return stdin, none
	}
	fd := int(f.Fd()) // f is not polled, so Fd leaves its mode alone
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return stdin, none
	}
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return stdin, none
	}
	if err := unix.SetNonblock(dup, true); err != nil {
		_ = unix.Close(dup)
		return stdin, none
	}
	polled := os.NewFile(uintptr(dup), f.Name())
	return polled, func() {
		_ = polled.Close()
		if flags&unix.O_NONBLOCK == 0 {
			_ = unix.SetNonblock(fd, false)
		}
	}
}
