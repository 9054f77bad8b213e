//go:build unix && !linux

package batch

import (
	"errors"
	"os"
	"syscall"
)

// lockByte locks one byte of f for writing, without waiting. These are
// POSIX record locks, which belong to the process: they keep another
// batch process off the job, not another batch of this process, and
// closing any descriptor of the journal in this process releases them,
// which the batch never does while it runs.
func lockByte(f *os.File, off int64) error {
	return fcntlLock(f, off, syscall.F_WRLCK)
}

func unlockByte(f *os.File, off int64) { _ = fcntlLock(f, off, syscall.F_UNLCK) }

func fcntlLock(f *os.File, off int64, typ int16) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	lk := syscall.Flock_t{Type: typ, Whence: 0, Start: off, Len: 1}
	var lockErr error
	if err := conn.Control(func(fd uintptr) {
		lockErr = syscall.FcntlFlock(fd, syscall.F_SETLK, &lk)
	}); err != nil {
		return err
	}
	if errors.Is(lockErr, syscall.EAGAIN) || errors.Is(lockErr, syscall.EACCES) {
		return errClaimed
	}
	return lockErr
}
