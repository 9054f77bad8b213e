package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf16"
	"unsafe"

	"golang.org/x/sys/windows"
)

// scriptPids lists the live processes whose environment holds marker.
// Windows keeps a process's command line and environment in its own
// memory (its PEB's process parameters), read here as a debugger does.
func scriptPids(marker []byte) []procInfo {
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPPROCESS, 0)
	if err != nil {
		return nil
	}
	defer windows.CloseHandle(snap)
	var found []procInfo
	entry := windows.ProcessEntry32{Size: uint32(unsafe.Sizeof(windows.ProcessEntry32{}))}
	for err := windows.Process32First(snap, &entry); err == nil; err = windows.Process32Next(snap, &entry) {
		pid := strconv.Itoa(int(entry.ProcessID))
		cmdline, environ, err := processArgsEnv(pid)
		if err != nil || !bytes.Contains(environ, marker) {
			continue
		}
		found = append(found, procInfo{pid, string(cmdline)})
	}
	return found
}

// processArgsEnv reads a running process's command line and its
// environment (NAME=value entries, each ended by NUL) from its memory. An
// exited process counts as gone, though its object may linger.
func processArgsEnv(pid string) (cmdline, environ []byte, err error) {
	n, err := strconv.Atoi(pid)
	if err != nil {
		return nil, nil, err
	}
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_INFORMATION|windows.PROCESS_VM_READ|windows.SYNCHRONIZE, false, uint32(n))
	if err != nil {
		return nil, nil, err
	}
	defer windows.CloseHandle(h)
	if ev, err := windows.WaitForSingleObject(h, 0); err != nil || ev != uint32(windows.WAIT_TIMEOUT) {
		return nil, nil, windows.ERROR_PROCESS_ABORTED
	}
	var info windows.PROCESS_BASIC_INFORMATION
	if err := windows.NtQueryInformationProcess(h, windows.ProcessBasicInformation, unsafe.Pointer(&info), uint32(unsafe.Sizeof(info)), nil); err != nil {
		return nil, nil, err
	}
	var peb windows.PEB
	if err := readMemory(h, uintptr(unsafe.Pointer(info.PebBaseAddress)), unsafe.Pointer(&peb), unsafe.Sizeof(peb)); err != nil {
		return nil, nil, err
	}
	var params windows.RTL_USER_PROCESS_PARAMETERS
	if err := readMemory(h, uintptr(unsafe.Pointer(peb.ProcessParameters)), unsafe.Pointer(&params), unsafe.Sizeof(params)); err != nil {
		return nil, nil, err
	}
	args := make([]uint16, params.CommandLine.Length/2)
	if len(args) > 0 {
		if err := readMemory(h, uintptr(unsafe.Pointer(params.CommandLine.Buffer)), unsafe.Pointer(&args[0]), uintptr(params.CommandLine.Length)); err != nil {
			return nil, nil, err
		}
	}
	env := make([]uint16, params.EnvironmentSize/2)
	if len(env) > 0 {
		if err := readMemory(h, uintptr(params.Environment), unsafe.Pointer(&env[0]), params.EnvironmentSize); err != nil {
			return nil, nil, err
		}
	}
	return []byte(string(utf16.Decode(args))), []byte(string(utf16.Decode(env))), nil
}

func readMemory(h windows.Handle, addr uintptr, into unsafe.Pointer, size uintptr) error {
	return windows.ReadProcessMemory(h, addr, (*byte)(into), size, nil)
}

// programName is the name a command line's program runs by: its first
// word, quoted or not, without folder or .exe.
func programName(cmdline string) string {
	prog := strings.Fields(cmdline + " x")[0]
	if strings.HasPrefix(cmdline, `"`) {
		prog, _, _ = strings.Cut(cmdline[1:], `"`)
	}
	return strings.TrimSuffix(filepath.Base(prog), ".exe")
}

// tempEnvName is the variable that names a program's temporary folder:
// Windows programs read TMP, then TEMP, never TMPDIR.
const tempEnvName = "TMP"

// tempEnv points a child's temporary folder at dir, in an environment
// built from nothing: TMP and TEMP, and SYSTEMROOT, without which a
// Windows program cannot even open a socket.
func tempEnv(dir string) []string {
	return []string{"TMP=" + dir, "TEMP=" + dir, "SYSTEMROOT=" + os.Getenv("SYSTEMROOT")}
}

// platformEnvNames are the variables, besides PATH and the temporary
// folder's, that a program needs to run at all.
var platformEnvNames = []string{"TEMP", "SYSTEMROOT"}
