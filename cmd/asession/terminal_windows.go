package main

import (
	"io"
	"os"

	"golang.org/x/sys/windows"
)

// isTerminal reports whether w is a console: only consoles have a mode.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	var mode uint32
	return windows.GetConsoleMode(windows.Handle(f.Fd()), &mode) == nil
}

// terminalWidth is the width of the console's visible window, not of its
// (usually far wider) screen buffer.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		var info windows.ConsoleScreenBufferInfo
		if windows.GetConsoleScreenBufferInfo(windows.Handle(f.Fd()), &info) == nil {
			if width := int(info.Window.Right-info.Window.Left) + 1; width > 0 {
				return width
			}
		}
	}
	return 80
}
