//go:build !windows

package proc

import (
	"os"
	"os/exec"
	"syscall"

	"github.com/creack/pty"
)

// procSys needs no state on Unix: pty.Start makes ascp the leader of a new
// session, so its process id names the group that holds its children.
type procSys struct{}

// startProcess runs cmd on a new pseudo-terminal, wide enough that ascp's
// lines are not wrapped, and returns the terminal's master side.
func startProcess(cmd *exec.Cmd) (*os.File, *procSys, error) {
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 132})
	return tty, &procSys{}, err
}

// kill sends SIGKILL to ascp's whole process group.
func (*procSys) kill(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

func (*procSys) release() {}
