//go:build !windows

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// scriptPids lists the live processes whose environment holds marker.
func scriptPids(marker []byte) []procInfo {
	var found []procInfo
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmdline, env, err := processArgsEnv(e.Name())
		if err != nil || !bytes.Contains(env, marker) {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if fields := strings.Fields(string(stat)); len(fields) > 2 && fields[2] == "Z" {
			continue // a zombie is gone, only not yet reaped by its parent
		}
		found = append(found, procInfo{e.Name(), strings.ReplaceAll(string(cmdline), "\x00", " ")})
	}
	return found
}

// processArgsEnv reads a process's command line and environment, each
// entry ended by NUL.
func processArgsEnv(pid string) (cmdline, environ []byte, err error) {
	if environ, err = os.ReadFile(filepath.Join("/proc", pid, "environ")); err != nil {
		return nil, nil, err
	}
	cmdline, err = os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
	return cmdline, environ, err
}

// programName is the name a command line's program runs by.
func programName(cmdline string) string {
	return filepath.Base(strings.Fields(cmdline + " x")[0])
}

// tempEnvName is the variable that names a program's temporary folder.
const tempEnvName = "TMPDIR"

// tempEnv points a child's temporary folder at dir, in an environment
// built from nothing.
func tempEnv(dir string) []string { return []string{"TMPDIR=" + dir} }

// platformEnvNames are the variables, besides PATH and the temporary
// folder's, that a program needs to run at all.
var platformEnvNames []string
