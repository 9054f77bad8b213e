package session

import (
	"os"
	"syscall"
)

// processExists reports whether pid names a running process: on Windows
// FindProcess opens it, which fails once it is gone.
func processExists(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}

func killPid(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}

// newSessionAttr: Windows has no sessions to escape into; the test that
// uses it runs on Unix.
func newSessionAttr() *syscall.SysProcAttr { return nil }
