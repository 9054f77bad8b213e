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
	// Any other answer (ERROR_IO_PENDING would be a request still in
	// the system's hands) is an error: a lock granted later behind the
	// batch's back would hold the job from both batches for ever.
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
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
