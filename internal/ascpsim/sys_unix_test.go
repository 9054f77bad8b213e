//go:build !windows

package ascpsim

import (
	"os/exec"
	"syscall"
)

// detachFromTerminal starts cmd in a new session: it has no controlling
// terminal, so a password prompt cannot open one.
func detachFromTerminal(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }
