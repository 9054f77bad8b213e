//go:build !windows

package session

import "syscall"

// processExists reports whether pid names a process (a zombie counts).
func processExists(pid int) bool { return syscall.Kill(pid, 0) == nil }

func killPid(pid int) { _ = syscall.Kill(pid, syscall.SIGKILL) }

// newSessionAttr starts a process in a session of its own, as a child of
// ascp that escapes its process group would.
func newSessionAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
