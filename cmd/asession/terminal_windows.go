package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// fileSize is the size of the console's visible window (not of its
// usually far wider screen buffer); only consoles have one.
func fileSize(f *os.File) (cols, rows int, ok bool) {
	var info windows.ConsoleScreenBufferInfo
	if windows.GetConsoleScreenBufferInfo(windows.Handle(f.Fd()), &info) != nil {
		return 0, 0, false
	}
	return int(info.Window.Right-info.Window.Left) + 1, int(info.Window.Bottom-info.Window.Top) + 1, true
}
