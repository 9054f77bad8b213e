//go:build unix && !linux

package batch

import "golang.org/x/sys/unix"

// setLockCmd takes POSIX record locks, which belong to the process: they
// keep another batch process off the job, not another batch of this
// process, and closing any descriptor of the journal in this process
// releases them, which the batch never does while it runs.
const setLockCmd = unix.F_SETLK
