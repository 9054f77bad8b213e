//go:build !windows

package main

import (
	"os"
	"syscall"
)

// notifiedSignals are caught by handleSignals: SIGINT, SIGTERM and SIGHUP
// cancel the transfer; SIGPIPE is caught only so that it cannot kill us.
var notifiedSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE}
