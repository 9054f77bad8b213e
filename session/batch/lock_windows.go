package batch

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockByte locks one byte of f, without waiting. Windows' locks belong to
// the handle: two batches in one process exclude each other too.
func lockByte(f *os.File, off int64) error {
	ol := overlappedAt(off)
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return errClaimed
	}
	return err
}

func unlockByte(f *os.File, off int64) {
	_ = windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, overlappedAt(off))
}

func overlappedAt(off int64) *windows.Overlapped {
	return &windows.Overlapped{Offset: uint32(off), OffsetHigh: uint32(off >> 32)}
}
