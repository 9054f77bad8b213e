//go:build unix

package batch

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// noFollow makes opening a symbolic link fail.
const noFollow = unix.O_NOFOLLOW

// ownRegularFile: f is a regular file of this process's user.
func ownRegularFile(f *os.File) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return errors.New("not a regular file")
	}
	if int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("owned by uid %d, not this user's", st.Uid)
	}
	return nil
}

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
