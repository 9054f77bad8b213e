//go:build !linux

package ascpsim

import (
	"net"
	"os"
	"time"
)

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func withoutEcho(f *os.File, fn func()) { fn() }

func accessTime(fi os.FileInfo) time.Time { return fi.ModTime() }

// stillListening cannot probe a port without connecting to it here: no
// wait (see awaitTaken).
func stillListening(*net.TCPAddr) bool { return false }
