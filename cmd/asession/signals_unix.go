//go:build !windows

package main

import (
	"os"
	"syscall"
	"time"
)

// notifiedSignals are caught by handleSignals: SIGINT, SIGTERM and SIGHUP
// cancel the transfer; SIGPIPE is caught only so that it cannot kill us.
var notifiedSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE}

// endingGrace: no Unix signal we catch comes with a deadline of its own,
// so ascp always gets --cancel-grace to stop.
func endingGrace(os.Signal) (time.Duration, bool) { return 0, false }
