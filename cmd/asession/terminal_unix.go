//go:build !windows

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// fileSize asks f's window size, which every Unix answers for terminals
// only, unlike the termios requests whose names differ between Linux and
// the BSDs.
func fileSize(f *os.File) (cols, rows int, ok bool) {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0, 0, false
	}
	return int(ws.Col), int(ws.Row), true
}
