package batch

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// noFollow has os.OpenFile (which passes the flag's high bits to
// CreateFile) open a symbolic link or junction itself rather than what it
// points to; ownRegularFile then refuses it.
const noFollow = windows.FILE_FLAG_OPEN_REPARSE_POINT

// ownRegularFile: f is a regular file, not a reparse point (a symbolic
// link or junction opened as itself). A file's owner is a security
// descriptor's business on Windows, and the user's profile folders are
// private already.
func ownRegularFile(f *os.File) error {
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(windows.Handle(f.Fd()), &info); err != nil {
		return err
	}
	if info.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0 {
		return errors.New("a symbolic link or other reparse point")
	}
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
