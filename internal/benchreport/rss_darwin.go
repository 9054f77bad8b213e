package main

import (
	"os"
	"syscall"
)

// peakRSSMB is the exited process's peak resident set in MB; macOS counts
// Maxrss in bytes.
func peakRSSMB(ps *os.ProcessState) float64 {
	return float64(ps.SysUsage().(*syscall.Rusage).Maxrss) / (1 << 20)
}
