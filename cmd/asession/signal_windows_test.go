package main

import (
	"errors"
	"syscall"
)

// sendSignal fails: Windows cannot send a process a Unix signal, so the
// scenarios that signal asession run on Unix only.
func sendSignal(int, syscall.Signal) error { return errors.New("no signals on Windows") }
