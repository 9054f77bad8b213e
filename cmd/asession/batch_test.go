package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/faspkit/asession/internal/jsonschema"
	"github.com/faspkit/asession/session"
)

// The tests of `asession batch` run the real binaries: asession as a
// process (it is killed in one of them), ascpsim as its ascp.

// batchWorld is one test's server (ASCPSIM_ROOT), sources and journal.
type batchWorld struct {
	t                 *testing.T
	dir, root, tmp    string
	env               []string
	sources           map[string][]byte // by job id
	hosts             map[string]string // by job id
	commandLog, jobsF string
}

func newBatchWorld(t *testing.T) *batchWorld {
	dir := t.TempDir()
	w := &batchWorld{t: t, dir: dir, root: filepath.Join(dir, "server"), tmp: filepath.Join(dir, "tmp"),
		sources: map[string][]byte{}, hosts: map[string]string{}, commandLog: filepath.Join(dir, "commands.log"),
		jobsF: filepath.Join(dir, "jobs.jsonl")}
	for _, d := range []string{w.root, w.tmp, filepath.Join(dir, "src")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	w.env = append(os.Environ(), "ASCPSIM_ROOT="+w.root, "ASCPSIM_PASSWORD=secret-pw", "ASESSION_ASCP="+ascpsimBin,
		"TMPDIR="+w.tmp, "GORACE=atexit_sleep_ms=0", "ASCPSIM_COMMAND_LOG="+w.commandLog, "ASCPSIM_FAIL=", "ASCPSIM_FAIL_TIMES=")
	return w
}

// addJob writes a source of size bytes and a job uploading it to host,
// with extra spec members.
func (w *batchWorld) addJob(id, host string, size int, extra map[string]any) {
	rng := rand.New(rand.NewPCG(uint64(len(w.sources)), uint64(size)))
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	src := filepath.Join(w.dir, "src", id+".bin")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		w.t.Fatal(err)
	}
	w.sources[id], w.hosts[id] = data, host
	spec := map[string]any{"id": id, "remote_host": host, "remote_user": "u", "remote_password": "secret-pw",
		"direction": "send", "create_dir": true, "paths": []any{map[string]any{"source": src}}, "destination_root": "/up"}
	for k, v := range extra {
		spec[k] = v
	}
	line, _ := json.Marshal(spec)
	f, err := os.OpenFile(w.jobsF, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		w.t.Fatal(err)
	}
}

func (w *batchWorld) command(args ...string) *exec.Cmd {
	cmd := exec.Command(asessionBin, append([]string{"batch"}, append(args, w.jobsF)...)...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	return cmd
}

// run runs a batch to its end: its exit status, stdout and stderr.
func (w *batchWorld) run(args ...string) (int, string, string) {
	cmd := w.command(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		w.t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

// delivered: every job's file is on the server, byte for byte.
func (w *batchWorld) delivered() {
	for id, data := range w.sources {
		got, err := os.ReadFile(filepath.Join(w.root, "up", id+".bin"))
		if err != nil || !bytes.Equal(got, data) {
			w.t.Errorf("%s.bin did not arrive whole: %v", id, err)
		}
	}
}

// noProcesses: nothing started for this test still runs.
func (w *batchWorld) noProcesses() {
	marker := []byte("ASCPSIM_ROOT=" + w.root + "\x00")
	deadline := time.Now().Add(10 * time.Second)
	for left := scriptProcesses(marker); len(left) > 0; left = scriptProcesses(marker) {
		if time.Now().After(deadline) {
			w.t.Fatalf("processes left running: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type outLine struct {
	Job       string  `json:"job"`
	Attempt   int     `json:"attempt"`
	Type      string  `json:"type"`
	Status    string  `json:"status"`
	JobID     string  `json:"job_id"`
	File      string  `json:"file"`
	StartByte *int64  `json:"start_byte"`
	ExitCode  int     `json:"exit_code"`
	Jobs      jobsNum `json:"jobs"`
	Requeued  int     `json:"requeued"`
}

type jobsNum struct{ Total, Completed, Skipped, Failed, Cancelled int }

// parse reads stdout, every line checked against the events schema; the
// last must be the batch summary.
func (w *batchWorld) parse(stdout string) (lines []outLine, summary outLine) {
	w.t.Helper()
	checkEventSchema(w.t, stdout)
	for _, text := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		var l outLine
		if err := json.Unmarshal([]byte(text), &l); err != nil {
			w.t.Fatalf("not a JSON line: %s", text)
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 || lines[len(lines)-1].Type != "batch_summary" {
		w.t.Fatalf("the last line is not the batch summary:\n%s", tail(stdout, 5))
	}
	return lines[:len(lines)-1], lines[len(lines)-1]
}

type journalRecord struct {
	Time    string `json:"time"`
	Job     string `json:"job"`
	State   string `json:"state"`
	Attempt int    `json:"attempt"`
}

func readJournal(t *testing.T, path string) []journalRecord {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Whole lines only: the batch may be writing the next.
	data = data[:bytes.LastIndexByte(data, '\n')+1]
	var recs []journalRecord
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if line == "" {
			continue
		}
		var r journalRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("journal line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

func lastStates(recs []journalRecord) map[string]string {
	m := map[string]string{}
	for _, r := range recs {
		m[r.Job] = r.State
	}
	return m
}

// 12 jobs over three hosts with --parallel 4 --per-host 2: the process
// table, sampled all along, never holds more than 2 ascp transferring to
// one host nor 4 in all (and does hold that many: the limits are reached,
// not merely kept), and the starts to one host are at least the stagger
// apart.
func TestBatchLimitsInTheProcessTable(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		t.Skip("scriptPids reads the process table from /proc (Linux) or a process snapshot (Windows); this system has neither")
	}
	w := newBatchWorld(t)
	hosts := []string{"localhost", "127.0.0.1", "127.0.0.2"}
	for i := range 12 {
		// About a second each at 2,000 kbps.
		w.addJob(fmt.Sprintf("j%02d", i), hosts[i%3], 250_000, map[string]any{"target_rate_kbps": 2000})
	}
	journal := filepath.Join(w.dir, "journal")
	const stagger = 300 * time.Millisecond
	cmd := w.command("--parallel", "4", "--per-host", "2", "--stagger", stagger.String(), "--journal", journal, "--events", "progress")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	marker := []byte("ASCPSIM_ROOT=" + w.root + "\x00")
	maxHost := map[string]int{}
	maxAll, samples := 0, 0
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("batch: %v\n%s\n%s", err, stderr.String(), tail(stdout.String(), 5))
			}
			running = false
		case <-time.After(5 * time.Millisecond):
		}
		perHost := map[string]int{}
		all := 0
		for _, p := range scriptPids(marker) {
			// A transferring ascp names its host; asession's `ascp -A`
			// probe of the version does not.
			for _, host := range hosts {
				if strings.Contains(p.cmdline, " --host="+host+" ") {
					perHost[host]++
					all++
				}
			}
		}
		samples++
		maxAll = max(maxAll, all)
		for h, n := range perHost {
			maxHost[h] = max(maxHost[h], n)
		}
	}
	t.Logf("%d samples; most ascp at once: %d in all, %v by host", samples, maxAll, maxHost)
	if maxAll > 4 {
		t.Errorf("%d ascp ran at once, --parallel 4", maxAll)
	}
	for _, h := range hosts {
		if maxHost[h] > 2 {
			t.Errorf("%d ascp ran at once against %s, --per-host 2", maxHost[h], h)
		}
	}
	if maxAll < 4 || slices.Max(slices.Collect(mapValues(maxHost))) < 2 {
		t.Errorf("the limits were never reached (%d in all, %v by host): the sampling proves nothing", maxAll, maxHost)
	}
	_, summary := w.parse(stdout.String())
	if summary.Jobs != (jobsNum{Total: 12, Completed: 12}) || summary.ExitCode != 0 {
		t.Errorf("batch summary %+v", summary)
	}
	w.delivered()

	// Starts to one host, as the journal has them, the stagger apart.
	starts := map[string][]time.Time{}
	for _, r := range readJournal(t, journal) {
		if r.State == "running" {
			at, err := time.Parse(time.RFC3339Nano, r.Time)
			if err != nil {
				t.Fatal(err)
			}
			starts[w.hosts[r.Job]] = append(starts[w.hosts[r.Job]], at)
		}
	}
	for host, ts := range starts {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		if len(ts) != 4 {
			t.Errorf("%d starts to %s, want 4", len(ts), host)
		}
		for i := 1; i < len(ts); i++ {
			if gap := ts[i].Sub(ts[i-1]); gap < stagger {
				t.Errorf("two starts to %s %v apart, --stagger %v", host, gap, stagger)
			}
		}
	}
	w.noProcesses()
}

func mapValues[K comparable, V any](m map[K]V) func(func(V) bool) {
	return func(yield func(V) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// kill -9 of the batch mid-way, then the same command again: the second
// run runs only the jobs the first did not finish, resumes the file the
// killed one had half written, and every file arrives byte-identical.
func TestBatchKilledThenResumedWithItsJournal(t *testing.T) {
	w := newBatchWorld(t)
	for i := range 6 {
		// About 1.5 s each at 3,200 kbps.
		w.addJob(fmt.Sprintf("j%d", i), "localhost", 600_000, map[string]any{"target_rate_kbps": 3200})
	}
	journal := filepath.Join(w.dir, "journal")
	args := []string{"--parallel", "2", "--stagger", "0s", "--journal", journal}
	cmd := w.command(args...)
	var stdout1 bytes.Buffer
	cmd.Stdout = &stdout1
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once two jobs are done and another has half its file.
	var partial string
	deadline := time.Now().Add(60 * time.Second)
	for partial == "" {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("no moment to kill: journal %v", readJournal(t, journal))
		}
		time.Sleep(20 * time.Millisecond)
		if _, err := os.Stat(journal); err != nil {
			continue
		}
		states := lastStates(readJournal(t, journal))
		done := 0
		for _, s := range states {
			if s == "done" {
				done++
			}
		}
		if done < 2 {
			continue
		}
		for id, s := range states {
			info, err := os.Stat(filepath.Join(w.root, "up", id+".bin.partial"))
			if s == "running" && err == nil && info.Size() > 100_000 && info.Size() < 500_000 {
				partial = id
			}
		}
	}
	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	// Its ascp see their management connection close and stop.
	w.noProcesses()
	before := lastStates(readJournal(t, journal))
	var doneBefore []string
	for id, s := range before {
		if s == "done" {
			doneBefore = append(doneBefore, id)
		}
	}
	t.Logf("killed with %v; %s half written", before, partial)
	if before[partial] != "running" {
		t.Fatalf("journal: %v", before)
	}

	exit, stdout, stderr := w.run(args...)
	if exit != 0 {
		t.Fatalf("re-run exited %d\n%s\n%s", exit, stderr, tail(stdout, 5))
	}
	lines, summary := w.parse(stdout)
	if summary.Jobs != (jobsNum{Total: 6, Completed: 6 - len(doneBefore), Skipped: len(doneBefore)}) {
		t.Errorf("re-run summary %+v, %d done before", summary, len(doneBefore))
	}
	resumed := false
	for _, l := range lines {
		if slices.Contains(doneBefore, l.Job) {
			t.Errorf("job %s, done before the kill, ran again: %+v", l.Job, l)
		}
		if l.Job == partial && l.Type == "START" {
			resumed = l.StartByte != nil && *l.StartByte > 0
			if l.Attempt != 2 {
				t.Errorf("%s: attempt %d, want 2 (its first was killed)", partial, l.Attempt)
			}
		}
	}
	if !resumed {
		t.Errorf("job %s started its half-written file from byte 0", partial)
	}
	w.delivered()
	for id, s := range lastStates(readJournal(t, journal)) {
		if s != "done" {
			t.Errorf("journal: %s %s", id, s)
		}
	}
	w.noProcesses()
}

// commandLogEntry is a line of ascpsim's ASCPSIM_COMMAND_LOG.
type commandLogEntry struct {
	Time    string            `json:"time"`
	PID     int               `json:"pid"`
	UserStr string            `json:"user_str"`
	Event   string            `json:"event"`
	Rate    int64             `json:"rate"`
	Type    string            `json:"type"`
	Fields  map[string]string `json:"fields"`
}

// --rate-budget: read from what every ascp was told (its -l when it
// connected, then each RATE it received), the running jobs' target rates
// never sum to more than the budget, none is above its job's own
// target_rate_kbps, and the budget is used, not merely kept.
func TestBatchRateBudgetAsAscpReceivesIt(t *testing.T) {
	w := newBatchWorld(t)
	caps := map[string]int64{}
	for i := range 6 {
		id := fmt.Sprintf("j%d", i)
		caps[id] = 8000
		if i == 1 {
			caps[id] = 400 // a job slower than its share: the others get the rest
		}
		w.addJob(id, []string{"localhost", "127.0.0.2"}[i%2], 300_000, map[string]any{"target_rate_kbps": caps[id]})
	}
	const budget = 3000
	exit, stdout, stderr := w.run("--parallel", "3", "--per-host", "2", "--stagger", "100ms", "--rate-budget", fmt.Sprint(budget))
	if exit != 0 {
		t.Fatalf("exit %d\n%s\n%s", exit, stderr, tail(stdout, 5))
	}
	lines, summary := w.parse(stdout)
	if summary.Jobs.Completed != 6 {
		t.Fatalf("summary %+v", summary)
	}
	w.delivered()
	jobOf := map[string]string{} // asession's job_id (ascp's -u) to the batch's job
	for _, l := range lines {
		if l.Type == "summary" {
			jobOf[l.JobID] = l.Job
		}
	}

	data, err := os.ReadFile(w.commandLog)
	if err != nil {
		t.Fatal(err)
	}
	var log []commandLogEntry
	for _, text := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var e commandLogEntry
		if err := json.Unmarshal([]byte(text), &e); err != nil {
			t.Fatal(err)
		}
		log = append(log, e)
	}
	// By time, not as text: the log's lines are appended by several
	// processes, and a time's text need not sort (RFC3339Nano drops
	// trailing zeros, so ".5Z" follows ".45Z").
	at := func(e commandLogEntry) time.Time {
		ts, err := time.Parse(time.RFC3339Nano, e.Time)
		if err != nil {
			t.Fatalf("command log time %q: %v", e.Time, err)
		}
		return ts
	}
	sort.SliceStable(log, func(i, j int) bool { return at(log[i]).Before(at(log[j])) })
	rate := map[int]int64{}
	job := map[int]string{}
	rates, most := 0, int64(0)
	for _, e := range log {
		switch e.Event {
		case "start":
			job[e.PID] = jobOf[e.UserStr]
			rate[e.PID] = e.Rate
		case "command":
			if e.Type != "RATE" {
				t.Errorf("ascp got a %s command", e.Type)
				continue
			}
			var n int64
			fmt.Sscan(e.Fields["Rate"], &n)
			rate[e.PID] = n
			rates++
		case "end":
			delete(rate, e.PID)
			continue
		}
		var sum int64
		for _, r := range rate {
			sum += r
		}
		most = max(most, sum)
		if sum > budget {
			t.Errorf("at %s the running jobs' target rates sum to %d kbps: %v", e.Time, sum, rate)
		}
		if r := rate[e.PID]; r < 1 || r > caps[job[e.PID]] {
			t.Errorf("at %s job %s runs at %d kbps, its own target rate is %d", e.Time, job[e.PID], r, caps[job[e.PID]])
		}
	}
	t.Logf("%d RATE commands; the rates summed to at most %d kbps", rates, most)
	if rates == 0 || most < budget*8/10 {
		t.Errorf("%d RATE commands, rates summed to at most %d kbps of %d: the budget was not shared", rates, most, budget)
	}
	w.noProcesses()
}

// checkEventSchema: every line of out conforms to the events schema.
func checkEventSchema(t *testing.T, out string) {
	t.Helper()
	data, err := os.ReadFile("../../schema/events.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := jsonschema.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		if errs := schema.Validate(sc.Bytes()); len(errs) > 0 {
			t.Fatalf("line breaks events.schema.json: %v\n%s", errs, sc.Text())
		}
	}
}

// The batch's exit codes, in its help and the README, are the exit-code
// table's Batch column, meaning for meaning.
func TestBatchExitCodesDocumented(t *testing.T) {
	want := map[int]string{}
	for _, c := range session.ExitCodes {
		if c.Batch != "" {
			want[c.Code] = c.Batch
		}
	}
	var stdout bytes.Buffer
	if code := run([]string{"help", "batch"}, strings.NewReader(""), &stdout, &bytes.Buffer{}); code != 0 {
		t.Fatalf("help batch exited %d", code)
	}
	_, help, _ := strings.Cut(stdout.String(), "Exit codes:\n")
	got := map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(help), "\n") {
		var code int
		if _, err := fmt.Sscan(line, &code); err != nil {
			t.Fatalf("help batch line %q", line)
		}
		got[code] = strings.TrimSpace(strings.TrimSpace(line)[len(fmt.Sprint(code)):])
	}
	if !maps.Equal(got, want) {
		t.Errorf("help batch lists %v, the table %v", got, want)
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "<!-- batch exit codes: tested against session.ExitCodes -->\n")
	section, _, _ = strings.Cut(section, "\n\n")
	if !ok {
		t.Fatal("README.md has no batch exit-code table")
	}
	got = map[int]string{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 4 || !strings.ContainsAny(cells[1], "0123456789") {
			continue
		}
		codes := codesIn(cells[1])
		meanings := []string{strings.TrimSpace(cells[2])}
		if len(codes) > 1 {
			// 129, 130, 143: cancelled by SIGHUP, SIGINT, SIGTERM: ...
			meanings = nil
			for _, c := range codes {
				meanings = append(meanings, want[c])
			}
			if m := strings.TrimSpace(cells[2]); m != "cancelled by SIGHUP, SIGINT, SIGTERM: the journal is ready for a re-run" {
				t.Errorf("README batch row %q", line)
			}
		}
		for i, c := range codes {
			got[c] = meanings[i]
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("README's batch exit codes %v, the table's %v", got, want)
	}
}
