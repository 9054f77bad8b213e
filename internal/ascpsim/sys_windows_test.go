package ascpsim

import (
	"errors"
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

// detachFromTerminal starts cmd without a console, as asession starts ascp.
func detachFromTerminal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.DETACHED_PROCESS}
}

// mkfifo fails: Windows has no named pipes in the file system, so the
// special-file test cannot make its special file.
func mkfifo(string) error { return errors.New("no FIFOs on Windows") }
