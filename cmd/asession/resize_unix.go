//go:build !windows

package main

import (
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
)

// watchResize calls resized on each SIGWINCH, the signal a terminal sends
// its foreground processes when its window changes size, until stop.
func watchResize(resized func()) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, unix.SIGWINCH)
	stopCalls := callOnEach(ch, resized)
	return func() {
		signal.Stop(ch)
		stopCalls()
	}
}
