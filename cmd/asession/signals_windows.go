package main

import (
	"os"
	"syscall"
	"time"
)

// notifiedSignals are caught by handleSignals. Windows has no SIGHUP or
// SIGPIPE to deliver: Go reports Ctrl-C and Ctrl-Break as os.Interrupt, and
// the console closing, logoff and shutdown as SIGTERM; each cancels the
// transfer (exit 130 or 143 as on Unix). ascp, detached from the console,
// gets none of them: asession sends CANCEL and then ends its job object.
var notifiedSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// closingGrace is how long ascp has to stop after CANCEL when the console
// closes, the user logs off or Windows shuts down, instead of
// --cancel-grace (5 s by default). Windows ends a process about 5 s after
// sending it one of those events, whatever it is doing; the summary line
// and --summary-file must be written before that, within 2 s of the event,
// so ascp is killed after one second and the summary follows at once.
const closingGrace = time.Second

// endingGrace says whether sig means that Windows is about to end this
// process (SIGTERM is only ever those three events here), and how long
// ascp then has to stop.
func endingGrace(sig os.Signal) (time.Duration, bool) {
	return closingGrace, sig == syscall.SIGTERM
}
