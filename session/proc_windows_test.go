package session

import (
	"os"
	"syscall"

	"golang.org/x/sys/windows"
)

// processExists reports whether pid names a process that has not exited.
// A Windows process object outlives the process while any handle to it is
// open (asession's own, until it waits), so opening it is not enough: the
// object is signalled once the process has exited.
func processExists(pid int) bool {
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	ev, err := windows.WaitForSingleObject(h, 0)
	return err == nil && ev == uint32(windows.WAIT_TIMEOUT)
}

func killPid(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}

// newSessionAttr: Windows has no sessions to escape into; the test that
// uses it runs on Unix.
func newSessionAttr() *syscall.SysProcAttr { return nil }
