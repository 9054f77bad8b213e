package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// legacyConsole opens the console's screen buffer with VT processing off,
// as a classic console has it, and gives its mode back after the test. It
// skips where the process has no console: Wine gives a program one only
// when it runs on a terminal, so make test-windows runs these tests a
// second time under script(1).
func legacyConsole(t *testing.T) (con *os.File, legacy uint32) {
	t.Helper()
	name, _ := windows.UTF16PtrFromString("CONOUT$")
	h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
	var mode uint32
	if err == nil && windows.GetConsoleMode(h, &mode) != nil {
		windows.CloseHandle(h)
		err = windows.ERROR_INVALID_HANDLE
	}
	if err != nil {
		t.Skipf("this process has no console (%v): Wine gives one only to a program run on a terminal", err)
	}
	con = os.NewFile(uintptr(h), "CONOUT$")
	legacy = mode &^ windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING
	if err := windows.SetConsoleMode(h, legacy); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = windows.SetConsoleMode(h, mode)
		con.Close()
	})
	return con, legacy
}

func consoleMode(t *testing.T, con *os.File) uint32 {
	t.Helper()
	var mode uint32
	if err := windows.GetConsoleMode(windows.Handle(con.Fd()), &mode); err != nil {
		t.Fatal(err)
	}
	return mode
}

// The live line on a console turns VT processing on, so that its escape
// sequences act instead of printing as garbage, and gives the console its
// mode back when it is done.
func TestVirtualTerminalForTheLiveLine(t *testing.T) {
	con, legacy := legacyConsole(t)
	c := newCLI(strings.NewReader(""), &bytes.Buffer{}, con)
	display := c.progressDisplay()
	if _, live := display.(*liveLine); !live {
		t.Fatalf("progress on a console is a %T, want the live line", display)
	}
	if mode := consoleMode(t, con); mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING == 0 {
		t.Errorf("console mode %#x while the live line shows: VT processing is off", mode)
	}
	display.Done()
	if mode := consoleMode(t, con); mode != legacy {
		t.Errorf("console mode %#x after the live line, want %#x as before", mode, legacy)
	}
}

// A console that cannot turn VT processing on (before Windows 10, or in
// legacy mode) gets log lines, which need no escape sequence, and keeps
// its mode.
func TestVirtualTerminalRefusedFallsBackToLogLines(t *testing.T) {
	con, legacy := legacyConsole(t)
	setConsoleMode = func(h windows.Handle, mode uint32) error {
		if mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0 {
			return windows.ERROR_INVALID_PARAMETER
		}
		return windows.SetConsoleMode(h, mode)
	}
	defer func() { setConsoleMode = windows.SetConsoleMode }()
	c := newCLI(strings.NewReader(""), &bytes.Buffer{}, con)
	display := c.progressDisplay()
	if _, live := display.(*liveLine); live || display == nil {
		t.Fatalf("progress on a console without VT processing is a %T, want log lines", display)
	}
	display.Done()
	if mode := consoleMode(t, con); mode != legacy {
		t.Errorf("console mode %#x, want %#x as before", mode, legacy)
	}
}
