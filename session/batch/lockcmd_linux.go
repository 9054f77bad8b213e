package batch

import "golang.org/x/sys/unix"

// setLockCmd takes Linux's open file description locks: they belong to
// this open journal, not the process, so two batches in one process
// exclude each other too, and no other open of the file releases them.
const setLockCmd = unix.F_OFD_SETLK
