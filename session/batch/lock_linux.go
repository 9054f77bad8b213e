package batch

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockByte locks one byte of f for writing, without waiting. Linux's
// open file description locks belong to this open file, not the process:
// two batches in one process exclude each other too, and no other open
// of the file releases them.
func lockByte(f *os.File, off int64) error {
	return fcntlLock(f, off, unix.F_WRLCK)
}

func unlockByte(f *os.File, off int64) { _ = fcntlLock(f, off, unix.F_UNLCK) }

func fcntlLock(f *os.File, off int64, typ int16) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	lk := unix.Flock_t{Type: typ, Whence: 0, Start: off, Len: 1}
	var lockErr error
	if err := conn.Control(func(fd uintptr) {
		lockErr = unix.FcntlFlock(fd, unix.F_OFD_SETLK, &lk)
	}); err != nil {
		return err
	}
	if errors.Is(lockErr, unix.EAGAIN) || errors.Is(lockErr, unix.EACCES) {
		return errClaimed
	}
	return lockErr
}
