package ascpsim

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// This file is the whole of the test faults: their table, their parsing and
// what each does. The rest of ascpsim only calls the hook of each moment a
// fault may strike (atStart, atAuth, atSource, budget/strike, corrupt).

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
	used  bool  // nofile has struck (it strikes once)
}

// loadFault reads ASCPSIM_FAIL, and no fault when ASCPSIM_FAIL_TIMES says
// this run is past the count.
func loadFault(dr *docroot) (fault, error) {
	spec := os.Getenv("ASCPSIM_FAIL")
	f, err := parseFault(spec)
	if err != nil || f.kind == faultNone {
		return f, err
	}
	applies, err := faultApplies(dr, spec)
	if err != nil || !applies {
		return fault{}, err
	}
	return f, nil
}

// atStart: hang wedges the process before it even reaches the management
// port.
func (f *fault) atStart() {
	if f.kind == faultHang {
		for {
			time.Sleep(time.Hour)
		}
	}
}

// atAuth: auth fails the login whatever the credentials.
func (f *fault) atAuth() error {
	if f.kind == faultAuth {
		return sessionErr(codeAuthFailed, "Authentication failed")
	}
	return nil
}

// atSource: nofile reports the first source argument missing.
func (f *fault) atSource(raw string) *sessionError {
	if f.kind != faultNoFile || f.used {
		return nil
	}
	f.used = true
	e := sessionErr(codeNoSuchFile, "No such file or directory")
	e.file = raw
	return e
}

// budget is how many bytes are written before a byte-count fault strikes
// (session.strike); active is false for the other faults.
func (f *fault) budget() (limit int64, active bool) {
	switch f.kind {
	case faultLost, faultCrash, faultDisk, faultStall:
		return f.bytes, true
	}
	return 0, false
}

// corrupt flips the byte at corrupt's offset when buf, read from offset
// off, holds it: bad data reaches the disk, and the checksum the receiver
// reports is of what it wrote.
func (f *fault) corrupt(buf []byte, off int64) {
	if c := f.bytes; f.kind == faultCorrupt && c >= off && c < off+int64(len(buf)) {
		buf[c-off] ^= 0xff
	}
}

// strike carries out a byte-count fault once its budget is written.
func (s *faspSession) strike(e *entry) error {
	if s.flt.kind != faultCrash && s.cur != nil {
		s.recordResume(s.cur.startOff + s.cur.sent)
	}
	switch s.flt.kind {
	case faultCrash:
		// No final frame, no cleanup: the process just dies.
		os.Exit(1)
	case faultDisk:
		return &sessionError{code: codeNoSpace, desc: "No space left on device", file: e.dstShown}
	case faultStall:
		// A wedged ascp: the connection stays open, nothing more is
		// written or said, commands go unanswered, until it is killed.
		for {
			time.Sleep(time.Hour)
		}
	}
	return &sessionError{code: codeConnectionLost, desc: "Connection lost: data transfer timed out", file: e.dstShown}
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
