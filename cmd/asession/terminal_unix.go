//go:build !windows

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// fileWidth asks f's window size, which every Unix answers for terminals
// only, unlike the termios requests whose names differ between Linux and
// the BSDs.
func fileWidth(f *os.File) (int, bool) {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0, false
	}
	return int(ws.Col), true
}
