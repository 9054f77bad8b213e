package ascpsim

import (
	"errors"
	"math"
	"os"

	"golang.org/x/sys/windows"
)

// lockFile takes an exclusive lock on f, waiting for it: concurrent
// sessions of one job count their runs in the same state file.
func lockFile(f *os.File) error {
	var ol windows.Overlapped
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK, 0, math.MaxUint32, math.MaxUint32, &ol)
}

func unlockFile(f *os.File) {
	var ol windows.Overlapped
	_ = windows.UnlockFileEx(windows.Handle(f.Fd()), 0, math.MaxUint32, math.MaxUint32, &ol)
}

// openTerminal fails: asession starts ascp detached from any console, so
// there is nothing to prompt on, and ascpsim reports that it cannot ask
// for a password, as ascp does without a terminal. (ascpsim does not
// prompt on Windows even when run by hand.)
func openTerminal() (*os.File, error) {
	return nil, errors.New("no console to prompt on (ascpsim does not prompt on Windows)")
}
