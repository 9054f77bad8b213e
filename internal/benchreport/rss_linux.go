package main

import (
	"os"
	"syscall"
)

// peakRSSMB is the exited process's peak resident set in MB; Linux counts
// Maxrss in kilobytes.
func peakRSSMB(ps *os.ProcessState) float64 {
	return float64(ps.SysUsage().(*syscall.Rusage).Maxrss) / 1024
}
