package main

import (
	"os"
	"syscall"
)

// notifiedSignals are caught by handleSignals. Windows has no SIGHUP or
// SIGPIPE to deliver: Go reports Ctrl-C and Ctrl-Break as os.Interrupt, and
// the console closing, logoff and shutdown as SIGTERM; each cancels the
// transfer (exit 130 or 143 as on Unix). ascp, detached from the console,
// gets none of them: asession sends CANCEL and then ends its job object.
var notifiedSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}
