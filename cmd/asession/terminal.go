package main

import (
	"io"
	"os"
)

// isTerminal reports whether w is a terminal (a console on Windows): only
// those answer the window-size request.
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	if !ok {
		return false
	}
	_, _, ok = fileSize(f)
	return ok
}

// terminalSize asks w's size each time it is called, 0 when w is not a
// terminal or does not know: a window may be resized at any time.
func terminalSize(w io.Writer) func() (cols, rows int) {
	f, ok := w.(*os.File)
	return func() (int, int) {
		if !ok {
			return 0, 0
		}
		cols, rows, _ := fileSize(f)
		return cols, rows
	}
}

// callOnEach calls fn for each value tick delivers, until stop, which
// returns once fn is no longer running.
func callOnEach[T any](tick <-chan T, fn func()) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-tick:
				fn()
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
