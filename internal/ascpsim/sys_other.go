//go:build !linux

package ascpsim

import (
	"os"
	"time"
)

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func withoutEcho(f *os.File, fn func()) { fn() }

func accessTime(fi os.FileInfo) time.Time { return fi.ModTime() }
