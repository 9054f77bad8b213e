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

// terminalWidth is w's width in columns, 80 when it has none.
func terminalWidth(w io.Writer) int {
	if cols, ok := windowWidth(w); ok && cols > 0 {
		return cols
	}
	return 80
}

// terminalRows is the height of the terminal w, 0 when unknown.
func terminalRows(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if _, rows, ok := fileSize(f); ok {
			return rows
		}
	}
	return 0
}

func windowWidth(w io.Writer) (int, bool) {
	f, ok := w.(*os.File)
	if !ok {
		return 0, false
	}
	cols, _, ok := fileSize(f)
	return cols, ok
}
