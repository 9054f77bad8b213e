package main

import (
	"io"
	"os"
)

// isTerminal reports whether w is a terminal (a console on Windows): only
// those answer the window-size request.
func isTerminal(w io.Writer) bool {
	_, ok := windowWidth(w)
	return ok
}

// terminalWidth is w's width in columns, 80 when it has none.
func terminalWidth(w io.Writer) int {
	if cols, ok := windowWidth(w); ok && cols > 0 {
		return cols
	}
	return 80
}

func windowWidth(w io.Writer) (int, bool) {
	f, ok := w.(*os.File)
	if !ok {
		return 0, false
	}
	return fileWidth(f)
}
