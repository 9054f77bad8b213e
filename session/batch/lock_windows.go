package batch

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// noFollow: Windows' os.OpenFile has no such flag; openJournal's Lstat
// and ownRegularFile's check of what was opened stand for it.
const noFollow = 0

// ownRegularFile: f is a regular file. (A file's owner is a security
// descriptor's business on Windows, and the user's profile folders are
// private already.)
func ownRegularFile(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	return nil
}

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
