package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// fileWidth is the width of the console's visible window (not of its
// usually far wider screen buffer); only consoles have one.
func fileWidth(f *os.File) (int, bool) {
	var info windows.ConsoleScreenBufferInfo
	if windows.GetConsoleScreenBufferInfo(windows.Handle(f.Fd()), &info) != nil {
		return 0, false
	}
	return int(info.Window.Right-info.Window.Left) + 1, true
}
