package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/faspkit/asession/internal/ascpsim"
	"github.com/faspkit/asession/internal/jsonschema"
)

// asessionBin and ascpsimBin are this test binary as testscript.Main puts
// it on PATH under each program's name; run by that name it is that program
// (with the race detector when the tests have it), so the CLI tests run the
// real binaries' code without building them.
var asessionBin, ascpsimBin string

func TestMain(m *testing.M) {
	// A copy installed under ascp's own name (an SDK folder laid out by a
	// script or the container test) is the stand-in too. testscript.Main
	// is not told of that name, so that no ascp is on every test's PATH.
	if name := strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe"); name == "ascp" {
		os.Exit(ascpsim.Main())
	}
	testscript.Main(findBins{m}, map[string]func(){
		"asession": main,
		"ascpsim":  func() { os.Exit(ascpsim.Main()) },
	})
}

// findBins looks the programs up once testscript.Main has put them on
// PATH, just before the tests run.
type findBins struct{ m *testing.M }

func (f findBins) Run() int {
	for name, bin := range map[string]*string{"asession": &asessionBin, "ascpsim": &ascpsimBin} {
		path, err := exec.LookPath(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s is not on PATH: %v\n", name, err)
			return 1
		}
		*bin = path
	}
	return f.m.Run()
}

// TestScripts runs the CLI scenarios in testdata/script: each is a txtar
// file whose name says the outcome (good_…, fail_…).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/script",
		Setup: func(env *testscript.Env) error {
			root := filepath.Join(env.WorkDir, "server")
			if err := os.Mkdir(root, 0o755); err != nil {
				return err
			}
			env.Setenv("ASCPSIM_ROOT", root)
			env.Setenv("ASCPSIM_PASSWORD", "secret-pw")
			env.Setenv("ASESSION_ASCP", ascpsimBin)
			env.Setenv("BIN", filepath.Dir(ascpsimBin))
			// Race-built binaries otherwise sleep a second at exit, which
			// a short --cancel-grace would take for a hung ascp.
			env.Setenv("GORACE", "atexit_sleep_ms=0")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exit":        cmdExit,
			"mkfile":      cmdMkfile,
			"sametree":    cmdSametree,
			"jsonl":       cmdJSONL,
			"noprocs":     cmdNoprocs,
			"notemp":      cmdNotemp,
			"waitfile":    cmdWaitfile,
			"readhead":    cmdReadhead,
			"signal":      cmdSignal,
			"eventschema": cmdEventSchema,
			"lastline":    cmdLastline,
			"perm":        cmdPerm,
			"stale":       cmdStale,
			"counters":    cmdCounters,
			"before":      cmdBefore,
			"port":        cmdPort,
			"sumfile":     cmdSumfile,
			"sumcheck":    cmdSumcheck,
			"dirnames":    cmdDirnames,
		},
	})
}

// exit N prog args...: runs prog and requires exit status N; stdout and
// stderr are then checked by the usual stdout/stderr commands.
func cmdExit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exit N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exit: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exit: %v", err)
	}
	if got != want {
		ts.Logf("stdout:\n%s\nstderr:\n%s", ts.ReadFile("stdout"), ts.ReadFile("stderr"))
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// mkfile PATH SIZE: a file of SIZE pseudo-random bytes (seeded by the path).
func cmdMkfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkfile path size")
	}
	size, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		ts.Fatalf("mkfile: %v", err)
	}
	path := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
	seed := uint64(len(path))
	for _, c := range path {
		seed = seed*31 + uint64(c)
	}
	rng := rand.New(rand.NewPCG(seed, uint64(size)))
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	ts.Check(os.WriteFile(path, buf, 0o644))
}

// stale SRC DST OFFSET N DAYS: DST becomes an older version of SRC: the
// same size, N bytes from OFFSET different, its mtime DAYS days earlier.
func cmdStale(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 5 {
		ts.Fatalf("usage: stale src dst offset n days")
	}
	var nums [3]int
	for i, a := range args[2:] {
		n, err := strconv.Atoi(a)
		ts.Check(err)
		nums[i] = n
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	for i := nums[0]; i < nums[0]+nums[1] && i < len(data); i++ {
		data[i] ^= 0xa5
	}
	dst := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(filepath.Dir(dst), 0o755))
	ts.Check(os.WriteFile(dst, data, 0o644))
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	old := fi.ModTime().Add(-time.Duration(nums[2]) * 24 * time.Hour)
	ts.Check(os.Chtimes(dst, old, old))
}

// counters: the progress and summary lines of stdout add up: attempted >=
// completed + failed and completed >= skipped in every line, neither the
// percentage nor the bytes written nor the files attempted ever go down
// (a retry included), only a completed job shows 100 %, and a completed
// one ends at 1.
func cmdCounters(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: counters")
	}
	if err := checkCounters(ts.ReadFile("stdout")); err != nil {
		ts.Fatalf("counters: %v", err)
	}
}

func checkCounters(stdout string) error {
	type counts struct{ Attempted, Completed, Failed, Skipped int64 }
	var line struct {
		Type         string
		Status       string
		Percentage   *float64
		BytesWritten *int64  `json:"bytes_written"`
		FileCounts   *counts `json:"file_counts"`
		Files        *counts
	}
	pct, last, sawSummary, sawFull := -1.0, -1.0, false, false
	var written, attempted int64
	for _, text := range strings.Split(stdout, "\n") {
		line.Percentage, line.BytesWritten, line.FileCounts, line.Files = nil, nil, nil, nil
		if json.Unmarshal([]byte(text), &line) != nil {
			continue
		}
		c := line.FileCounts
		if line.Type == "summary" {
			c, sawSummary = line.Files, true
		}
		if c == nil {
			continue
		}
		if c.Attempted < c.Completed+c.Failed || c.Completed < c.Skipped || c.Failed < 0 {
			return fmt.Errorf("counts do not add up in %s", text)
		}
		if c.Attempted < attempted {
			return fmt.Errorf("files attempted went down from %d: %s", attempted, text)
		}
		attempted = c.Attempted
		if line.BytesWritten != nil {
			if *line.BytesWritten < written {
				return fmt.Errorf("bytes written went down from %d: %s", written, text)
			}
			written = *line.BytesWritten
		}
		if line.Percentage != nil {
			if *line.Percentage < pct {
				return fmt.Errorf("percentage went down from %v: %s", pct, text)
			}
			pct, last = *line.Percentage, *line.Percentage
			sawFull = sawFull || pct >= 1
			if pct >= 1 && line.Status != "completed" {
				return fmt.Errorf("100 %% in a line of a job that has not completed: %s", text)
			}
		}
		if line.Type == "summary" && line.Status == "completed" && last != 1 {
			return fmt.Errorf("completed, but the last progress line says %v", last)
		}
		if line.Type == "summary" && line.Status != "completed" && sawFull {
			return fmt.Errorf("%s, but a progress line said 100 %%", line.Status)
		}
	}
	if !sawSummary {
		return errors.New("no summary line")
	}
	return nil
}

// sametree A B: both trees hold the same files with the same bytes.
func cmdSametree(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: sametree dirA dirB")
	}
	a, b := listTree(ts, ts.MkAbs(args[0])), listTree(ts, ts.MkAbs(args[1]))
	same := len(a) == len(b)
	for name, content := range a {
		if other, ok := b[name]; !ok || other != content {
			same = false
			if !neg {
				ts.Logf("differs or missing in %s: %s", args[1], name)
			}
		}
	}
	if same == neg {
		ts.Fatalf("sametree %s %s: same=%v", args[0], args[1], same)
	}
}

func listTree(ts *testscript.TestScript, root string) map[string]string {
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			files[rel+"/"] = "dir"
			return nil
		}
		data, err := os.ReadFile(p)
		files[rel] = string(data)
		return err
	})
	ts.Check(err)
	return files
}

// jsonl [-last TYPE] [-count TYPE N]...: every stdout line is a JSON object
// with a "type"; optionally the last line has TYPE, and TYPE occurs N times.
func cmdJSONL(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("jsonl does not support !")
	}
	var types []string
	sc := bufio.NewScanner(strings.NewReader(ts.ReadFile("stdout")))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var obj map[string]any
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			ts.Fatalf("stdout line is not a JSON object: %q", sc.Text())
		}
		typ, _ := obj["type"].(string)
		if typ == "" {
			ts.Fatalf("stdout line without a type: %q", sc.Text())
		}
		types = append(types, typ)
	}
	for len(args) > 0 {
		switch {
		case args[0] == "-last" && len(args) >= 2:
			if len(types) == 0 || types[len(types)-1] != args[1] {
				ts.Fatalf("last line type %v, want %s", last(types), args[1])
			}
			args = args[2:]
		case args[0] == "-count" && len(args) >= 3:
			n := 0
			for _, typ := range types {
				if typ == args[1] {
					n++
				}
			}
			if strconv.Itoa(n) != args[2] {
				ts.Fatalf("%d lines of type %s, want %s", n, args[1], args[2])
			}
			args = args[3:]
		default:
			ts.Fatalf("usage: jsonl [-last TYPE] [-count TYPE N]...")
		}
	}
}

func last(s []string) any {
	if len(s) == 0 {
		return "none"
	}
	return s[len(s)-1]
}

// noprocs: no process started for this script (recognised by its
// ASCPSIM_ROOT in the environment) is still running. Processes get a moment
// to be reaped, never more than a few seconds.
func cmdNoprocs(ts *testscript.TestScript, neg bool, args []string) {
	marker := []byte("ASCPSIM_ROOT=" + ts.Getenv("ASCPSIM_ROOT") + "\x00")
	deadline := time.Now().Add(3 * time.Second)
	for {
		left := scriptProcesses(marker)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("processes left running: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func scriptProcesses(marker []byte) []string {
	var found []string
	for _, p := range scriptPids(marker) {
		found = append(found, p.pid+":"+p.cmdline)
	}
	return found
}

type procInfo struct{ pid, cmdline string }

// signal TERM|INT|HUP PROGRAM: sends the signal to this script's running
// PROGRAM processes (testscript's kill knows only INT and KILL).
func cmdSignal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: signal TERM|INT|HUP program")
	}
	sig := map[string]syscall.Signal{"TERM": syscall.SIGTERM, "INT": syscall.SIGINT, "HUP": syscall.SIGHUP}[args[0]]
	if sig == 0 {
		ts.Fatalf("unknown signal %s", args[0])
	}
	marker := []byte("ASCPSIM_ROOT=" + ts.Getenv("ASCPSIM_ROOT") + "\x00")
	sent := 0
	for _, p := range scriptPids(marker) {
		if programName(p.cmdline) != args[1] {
			continue
		}
		pid, _ := strconv.Atoi(p.pid)
		if err := sendSignal(pid, sig); err == nil {
			sent++
		}
	}
	if sent == 0 {
		ts.Fatalf("no running %s to signal", args[1])
	}
}

// notemp: asession left nothing in the script's temporary folder.
func cmdNotemp(ts *testscript.TestScript, neg bool, args []string) {
	entries, err := os.ReadDir(ts.Getenv(tempEnvName))
	ts.Check(err)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "asession-") {
			ts.Fatalf("temporary left behind: %s", e.Name())
		}
	}
}

// waitfile PATH: wait (up to 20 s) until PATH exists, to act in the middle
// of a transfer rather than after an arbitrary sleep.
func cmdWaitfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile path")
	}
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not appear within 20s", args[0])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readhead N prog args...: runs prog, reads N lines of its stdout and closes
// the pipe, as `prog | head -N` does; prog must then exit non-zero within
// 20 s. Its stderr becomes the script's stderr.
func cmdReadhead(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: readhead N program [args...]")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	path, err := exec.LookPath(args[1])
	ts.Check(err)
	cmd := exec.Command(path, args[2:]...)
	cmd.Dir = ts.Getenv("WORK")
	for _, key := range append([]string{"PATH", "HOME", tempEnvName, "ASCPSIM_ROOT", "ASCPSIM_PASSWORD", "ASESSION_ASCP", "ASCPSIM_FAIL", "ASCPSIM_FAIL_TIMES"}, platformEnvNames...) {
		cmd.Env = append(cmd.Env, key+"="+ts.Getenv(key))
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	ts.Check(err)
	ts.Check(cmd.Start())
	br := bufio.NewReader(stdout)
	for i := 0; i < n; i++ {
		if _, err := br.ReadString('\n'); err != nil {
			ts.Fatalf("read line %d: %v", i+1, err)
		}
	}
	stdout.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		ts.Fatalf("%s still running 20s after its stdout was closed", args[1])
	}
	ts.Logf("stderr:\n%s", stderr.String())
	if err == nil {
		ts.Fatalf("%s exited 0 although its stdout was closed mid-transfer", args[1])
	}
}

// eventschema [FILE]: every line of stdout (or FILE) conforms to
// schema/events.schema.json.
func cmdEventSchema(ts *testscript.TestScript, neg bool, args []string) {
	data, err := os.ReadFile("../../schema/events.schema.json")
	ts.Check(err)
	schema, err := jsonschema.Parse(data)
	ts.Check(err)
	name := "stdout"
	if len(args) == 1 {
		name = args[0]
	}
	lines := strings.Split(strings.TrimSuffix(ts.ReadFile(name), "\n"), "\n")
	for i, line := range lines {
		if errs := schema.Validate([]byte(line)); len(errs) > 0 {
			ts.Fatalf("%s line %d breaks events.schema.json: %v\n%s", name, i+1, errs, line)
		}
	}
}

// lastline FILE: the last stdout line, newline included, is FILE's whole
// content, and no temporary file of its atomic write is left beside it.
func cmdLastline(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: lastline file")
	}
	out := ts.ReadFile("stdout")
	last := out[strings.LastIndex(strings.TrimSuffix(out, "\n"), "\n")+1:]
	if got := ts.ReadFile(args[0]); got != last {
		ts.Fatalf("%s holds %q, the last stdout line is %q", args[0], got, last)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(ts.MkAbs(args[0])), "."+filepath.Base(args[0])+".tmp-*"))
	if len(left) > 0 {
		ts.Fatalf("temporary files left: %v", left)
	}
}

// perm PATH MODE: the file's permission bits are MODE (octal).
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: perm path mode")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	info, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	if got := info.Mode().Perm(); got != fs.FileMode(want) {
		ts.Fatalf("%s has mode %o, want %o", args[0], got, want)
	}
}

// before RE1 RE2: a stdout line matches RE1, and the first one does come
// before the first line matching RE2, which must exist too.
func cmdBefore(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: before regexp1 regexp2")
	}
	first, second := regexp.MustCompile(args[0]), regexp.MustCompile(args[1])
	at := [2]int{-1, -1}
	for i, line := range strings.Split(ts.ReadFile("stdout"), "\n") {
		for k, re := range []*regexp.Regexp{first, second} {
			if at[k] < 0 && re.MatchString(line) {
				at[k] = i
			}
		}
	}
	if at[0] < 0 || at[1] < 0 || at[0] > at[1] {
		ts.Fatalf("want a line matching %q before one matching %q: lines %d and %d", args[0], args[1], at[0]+1, at[1]+1)
	}
}

// port open|closed VAR: VAR is the number of a local TCP port that
// accepts connections until the script ends (open), or that nothing
// listens on (closed: it was listened on, then closed).
func cmdPort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 || (args[0] != "open" && args[0] != "closed") {
		ts.Fatalf("usage: port open|closed VAR")
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	ts.Check(err)
	ts.Setenv(args[1], strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	if args[0] == "closed" {
		ln.Close()
		return
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	ts.Defer(func() { ln.Close() })
}
