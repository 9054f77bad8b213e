//go:build !windows

package session

import "syscall"

// processExists reports whether pid names a process (a zombie counts).
func processExists(pid int) bool { return syscall.Kill(pid, 0) == nil }

func killPid(pid int) { _ = syscall.Kill(pid, syscall.SIGKILL) }
