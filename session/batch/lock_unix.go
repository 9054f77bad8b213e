//go:build unix

package batch

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockByte locks one byte of f for writing, without waiting (see
// setLockCmd for whom the lock belongs to).
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
		lockErr = unix.FcntlFlock(fd, setLockCmd, &lk)
	}); err != nil {
		return err
	}
	if errors.Is(lockErr, unix.EAGAIN) || errors.Is(lockErr, unix.EACCES) {
		return errClaimed
	}
	return lockErr
}
