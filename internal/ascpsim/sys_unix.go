//go:build !windows

package ascpsim

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on f, waiting for it: concurrent
// sessions of one job count their runs in the same state file.
func lockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }

func unlockFile(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// openTerminal opens the controlling terminal, where ssh asks for a
// password.
func openTerminal() (*os.File, error) { return os.OpenFile("/dev/tty", os.O_RDWR, 0) }
