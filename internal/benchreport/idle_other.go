//go:build !linux

package main

import "time"

// idleCost needs Linux's /proc and a FIFO: elsewhere the table says so.
func idleCost(t *table, _, _, _, _ string, _ []int, _ time.Duration) {
	t.section("idle cost: measured on Linux only")
}

// cpuNS needs Linux's /proc: elsewhere it is unknown.
func cpuNS(int) int64 { return 0 }
