package main

import (
	"io"
	"os"

	"golang.org/x/sys/windows"
)

// virtualTerminal turns on VT processing for the console w writes to, so
// that the live line's escape sequences (erase line, save and restore the
// cursor, the scroll region) act rather than print as text. ok is false
// when the console cannot take them (Windows before 10, or a console in
// legacy mode): the caller then shows log lines instead. restore puts the
// console's mode back, as the shell had it. A w that is not a console has
// nothing to turn on.
func virtualTerminal(w io.Writer) (restore func(), ok bool) {
	f, isFile := w.(*os.File)
	if !isFile {
		return func() {}, true
	}
	h := windows.Handle(f.Fd())
	var mode uint32
	if windows.GetConsoleMode(h, &mode) != nil {
		return func() {}, true // not a console
	}
	if mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0 {
		return func() {}, true
	}
	if setConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) != nil {
		return nil, false
	}
	// A console that takes the flag without acting on it reads back
	// without it.
	var now uint32
	if windows.GetConsoleMode(h, &now) != nil || now&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING == 0 {
		_ = setConsoleMode(h, mode)
		return nil, false
	}
	return func() { _ = setConsoleMode(h, mode) }, true
}

// setConsoleMode is windows.SetConsoleMode; a test stands in for a
// console that refuses VT processing, which Wine's never does.
var setConsoleMode = windows.SetConsoleMode
