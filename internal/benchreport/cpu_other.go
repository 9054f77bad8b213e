//go:build !linux

package main

import "time"

// ownCPU is measured on Linux only (/proc).
func ownCPU() (time.Duration, bool) { return 0, false }
