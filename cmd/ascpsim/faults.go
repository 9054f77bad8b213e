package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// faultKind is a failure the tests ask for through ASCPSIM_FAIL.
type faultKind int

const (
	faultNone faultKind = iota
	faultAuth
	faultNoFile
	faultLost
	faultCrash
	faultHang
	faultDisk
	faultStall
	faultCorrupt
)

// faults is the ASCPSIM_FAIL table, each fault once: its name and what its
// argument is ("" for none). The usage message is built from it.
var faults = []struct {
	name string
	kind faultKind
	arg  string // BYTES: bytes written before it strikes; OFFSET: the byte it flips
}{
	{"auth", faultAuth, ""},
	{"nofile", faultNoFile, ""},
	{"hang", faultHang, ""},
	{"lost", faultLost, "BYTES"},
	{"crash", faultCrash, "BYTES"},
	{"disk", faultDisk, "BYTES"},
	{"stall", faultStall, "BYTES"},
	{"corrupt", faultCorrupt, "OFFSET"},
}

type fault struct {
	kind  faultKind
	bytes int64 // for lost, crash, disk, stall: bytes written before it strikes; corrupt: the offset of the byte it flips
}

func parseFault(v string) (fault, error) {
	if v == "" {
		return fault{}, nil
	}
	name, arg, hasArg := strings.Cut(v, ":")
	for _, row := range faults {
		if row.name != name || hasArg != (row.arg != "") {
			continue
		}
		f := fault{kind: row.kind}
		if hasArg {
			n, err := strconv.ParseInt(arg, 10, 64)
			if err != nil || n < 0 {
				return fault{}, fmt.Errorf("invalid ASCPSIM_FAIL %q: %s must be a non-negative integer", v, row.arg)
			}
			f.bytes = n
		}
		return f, nil
	}
	return fault{}, fmt.Errorf("invalid ASCPSIM_FAIL %q (expected %s)", v, faultUsage())
}

// faultUsage lists the faults as the usage message names them: "auth,
// nofile, ..., stall:BYTES or corrupt:OFFSET".
func faultUsage() string {
	var names []string
	for _, row := range faults {
		if row.arg != "" {
			names = append(names, row.name+":"+row.arg)
		} else {
			names = append(names, row.name)
		}
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// faultApplies counts this run against ASCPSIM_FAIL_TIMES. The counter
// lives in the docroot's state folder under an exclusive flock, so that
// concurrent runs (multi-session, retries racing) each take one number.
func faultApplies(dr *docroot, spec string) (bool, error) {
	timesStr := os.Getenv("ASCPSIM_FAIL_TIMES")
	if timesStr == "" {
		return true, nil
	}
	times, err := strconv.Atoi(timesStr)
	if err != nil || times < 0 {
		return false, fmt.Errorf("invalid ASCPSIM_FAIL_TIMES %q", timesStr)
	}
	name := "failcount-" + strings.Map(func(r rune) rune {
		if r == ':' || r == '/' {
			return '_'
		}
		return r
	}, spec)
	f, err := os.OpenFile(dr.stateFile(name), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if err := lockFile(f); err != nil {
		return false, err
	}
	defer unlockFile(f)
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	runs, _ := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err := f.Truncate(0); err != nil {
		return false, err
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(runs+1)+"\n"), 0); err != nil {
		return false, err
	}
	return runs < times, nil
}
