package session

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

// Hostile management streams, end to end: the test binary plays ascp
// (hostile_ascp_test.go), connects to the relay's management port and
// misbehaves. Whatever it does, asession must keep its memory bounded, end
// with a clear error line and the right exit code, leave no process
// behind, and never hang.

// hostileRun is one run against a hostile ascp.
type hostileRun struct {
	scenario       string
	stall          time.Duration  // Options.StallTimeout
	slowOut        bool           // stdout is a pipe read slowly
	commands       io.Reader      // the command channel
	cancelAfter    time.Duration  // cancel the run's context after this long
	cancelOnFile   string         // cancel the run's context once this file exists
	cancelAtAccept bool           // cancel the run's context as ascp's connection is accepted
	env            []string       // NAME=value for the hostile ascp
	spec           map[string]any // spec fields added to the default ones
	agent          map[string]any // the aspera-cli envelope's agent, if any
	secrets        []string       // must never appear on stdout
	jobID          string         // Options.JobID (empty: a random one)
	ascpsim        string         // not a hostile scenario: ascpsim, with this ASCPSIM_ROOT
	summaryFile    string         // Options.SummaryFile
}

type hostileResult struct {
	outcome  *Outcome
	sink     *lineSink
	heapRise uint64 // peak heap during the run over the heap before it
	elapsed  time.Duration
	pidfile  string
}

const hostileDeadline = 60 * time.Second

func (h hostileRun) run(t *testing.T) *hostileResult {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "ascp.pid")
	t.Cleanup(func() {
		// A failed test must not leave its hostile processes behind.
		for _, f := range []string{pidfile, pidfile + ".child", pidfile + ".setsid"} {
			if pid, ok := alive(f); ok {
				killPid(pid)
			}
		}
	})
	fields := map[string]any{
		"remote_host": "localhost", "remote_user": "u", "remote_password": "hostile-password-1234",
		"direction": "send", "paths": []map[string]string{{"source": "/x"}},
		"EX_ascp_args": []string{"--hostile=" + h.scenario, "--pidfile=" + pidfile},
	}
	if h.ascpsim != "" {
		// The test binary is then ascpsim (TestMain), moving real files.
		delete(fields, "EX_ascp_args")
		t.Setenv(ascpsimEnv, "1")
		t.Setenv("ASCPSIM_ROOT", h.ascpsim)
	}
	for k, v := range h.spec {
		fields[k] = v
	}
	var input any = fields
	if h.agent != nil {
		input = map[string]any{"spec": fields, "agent": h.agent}
	}
	spec, _ := json.Marshal(input)
	in, problems := schema.ParseInput(spec, "")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	in.FileListFolder = dir
	// The stand-in ascp holds its connection until asession has looked
	// up the connection's owner, as a real one does for at least its SSH
	// handshake: a stand-in that wrote everything and exited within
	// microseconds could not be told from a stranger that closed at once.
	vetted := filepath.Join(dir, "vetted")
	if err := os.Mkdir(vetted, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOSTILE_VETTED_DIR", vetted)
	testHookVetted = func(c net.Conn, _ peer) {
		if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
			_ = os.WriteFile(filepath.Join(vetted, strconv.Itoa(a.Port)), nil, 0o600)
		}
	}
	defer func() { testHookVetted = nil }()
	for _, kv := range h.env {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}

	sink := &lineSink{}
	for _, s := range h.secrets {
		sink.watch = append(sink.watch, []byte(s))
	}
	var out io.Writer = sink
	var pipeDone chan struct{}
	var pw *os.File
	if h.slowOut {
		pr, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		pw, out = w, w
		pipeDone = make(chan struct{})
		go func() {
			defer close(pipeDone)
			defer pr.Close()
			buf := make([]byte, 2048)
			for {
				n, err := pr.Read(buf)
				sink.Write(buf[:n])
				if err != nil {
					return
				}
				time.Sleep(100 * time.Microsecond)
			}
		}()
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if h.cancelAfter > 0 {
		time.AfterFunc(h.cancelAfter, cancel)
	}
	if h.cancelOnFile != "" {
		go func() {
			// Polled, not timed: a loaded machine takes its time.
			for ctx.Err() == nil {
				if _, err := os.Stat(h.cancelOnFile); err == nil {
					cancel()
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	if h.cancelAtAccept {
		// The cancellation is seen before the connection is handed over.
		testHookAccepted = func() { cancel(); time.Sleep(100 * time.Millisecond) }
		defer func() { testHookAccepted = nil }()
	}
	sampler := startHeapSampler()
	start := time.Now()
	done := make(chan *Outcome, 1)
	go func() {
		done <- Run(ctx, in, Options{
			Ascp:           exe,
			JobID:          h.jobID,
			ConnectTimeout: 20 * time.Second,
			CancelGrace:    time.Second,
			StallTimeout:   h.stall,
			Commands:       h.commands,
			SummaryFile:    h.summaryFile,
			// The scenario is given as EX_ascp_args: a trusted test input.
			AllowInputOverrides: true,
			Out:                 events.NewWriter(out),
			Log:                 hostileLog(t),
		})
	}()
	var o *Outcome
	select {
	case o = <-done:
	case <-time.After(hostileDeadline):
		if pid, ok := alive(pidfile); ok {
			t.Logf("hostile ascp %d still running", pid)
		}
		t.Fatalf("%s: asession still running after %s", h.scenario, hostileDeadline)
	}
	elapsed := time.Since(start)
	rise := sampler.stop()
	if pw != nil {
		pw.Close()
		<-pipeDone
	}
	res := &hostileResult{outcome: o, sink: sink, heapRise: rise, elapsed: elapsed, pidfile: pidfile}
	t.Logf("%s: exit %d in %s, heap rise %d KiB, lines %v", h.scenario, o.ExitCode, elapsed.Round(time.Millisecond), rise>>10, sink.counts)
	if o.Err != nil {
		t.Logf("error line: %s: %s", o.Err.Origin, o.Err.Description)
	}
	if sink.leaks > 0 {
		t.Errorf("%d stdout lines hold a secret", sink.leaks)
	}
	if sink.invalid > 0 {
		t.Errorf("%d stdout lines are not JSON objects with a type, each key once", sink.invalid)
	}
	if got := sink.last(); gjson.Get(got, "type").Str != "summary" {
		t.Errorf("last line is not the summary: %.200s", got)
	}
	if pid, ok := alive(pidfile); ok {
		t.Errorf("the hostile ascp (pid %d) is still running", pid)
	}
	return res
}

// hostileLog logs at debug level with -v and HOSTILE_DEBUG=1.
func hostileLog(t *testing.T) zerolog.Logger {
	if os.Getenv("HOSTILE_DEBUG") == "" {
		return zerolog.Nop()
	}
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.DebugLevel).With().Timestamp().Logger()
}

// expectFailure checks the error line, the exit code and the bounds.
func (r *hostileResult) expectFailure(t *testing.T, origin events.Origin, descPart string, exit int) {
	t.Helper()
	if r.outcome.ExitCode != exit {
		t.Errorf("exit code %d, want %d", r.outcome.ExitCode, exit)
	}
	if r.outcome.Err == nil {
		t.Fatalf("no error line, want one from %s", origin)
	}
	if r.outcome.Err.Origin != origin || !strings.Contains(r.outcome.Err.Description, descPart) {
		t.Errorf("error %s: %q, want %s: ...%s...", r.outcome.Err.Origin, r.outcome.Err.Description, origin, descPart)
	}
	if r.sink.counts["error"] != 1 {
		t.Errorf("%d error lines on stdout, want 1: %q", r.sink.counts["error"], r.sink.errors)
	}
}

func (r *hostileResult) expectHeapBelow(t *testing.T, limit uint64) {
	t.Helper()
	if r.heapRise > limit {
		t.Errorf("heap rose by %d MiB during the run, limit %d MiB", r.heapRise>>20, limit>>20)
	}
}

const heapLimit = 48 << 20

func TestHostileLongLine(t *testing.T) {
	r := hostileRun{scenario: "long-line"}.run(t)
	r.expectFailure(t, events.FromStream, "line too long", ExitFailed)
	r.expectHeapBelow(t, heapLimit)
}

func TestHostileBinaryGarbage(t *testing.T) {
	r := hostileRun{scenario: "binary-garbage"}.run(t)
	r.expectFailure(t, events.FromStream, "no management message", ExitFailed)
	r.expectHeapBelow(t, heapLimit)
}

func TestHostileMissingHeader(t *testing.T) {
	r := hostileRun{scenario: "missing-header"}.run(t)
	r.expectFailure(t, events.FromStream, "no management message", ExitFailed)
	r.expectHeapBelow(t, heapLimit)

	// A short stream of headerless frames from an ascp that then exits 0
	// is no success: the error line says what was wrong with the stream.
	r = hostileRun{scenario: "missing-header-then-exit"}.run(t)
	r.expectFailure(t, events.FromAscpExit, "not management messages", ExitFailed)
}

func TestHostileMillionFields(t *testing.T) {
	r := hostileRun{scenario: "million-fields"}.run(t)
	r.expectFailure(t, events.FromStream, "too many fields", ExitFailed)
	r.expectHeapBelow(t, heapLimit)
}

func TestHostileNeverBlankLine(t *testing.T) {
	r := hostileRun{scenario: "never-blank"}.run(t)
	r.expectFailure(t, events.FromStream, "no management message", ExitFailed)
	r.expectHeapBelow(t, heapLimit)
}

// A peer that trickles bytes but never completes a message has stalled:
// the stall timeout counts messages, not bytes.
func TestHostileTrickle(t *testing.T) {
	r := hostileRun{scenario: "trickle", stall: time.Second}.run(t)
	r.expectFailure(t, events.FromStall, "no management message for 1s", ExitTempFail)
	if r.elapsed > 15*time.Second {
		t.Errorf("stall noticed after %s, timeout 1s", r.elapsed)
	}
}

// A flood of frames into a slowly read stdout: the relay stops reading
// when stdout is full (TCP pushes back on ascp), so memory stays flat and
// every frame arrives.
func TestHostileFloodSlowStdout(t *testing.T) {
	const frames = 30000
	r := hostileRun{scenario: "flood", slowOut: true, env: []string{fmt.Sprintf("HOSTILE_FLOOD_FRAMES=%d", frames)}}.run(t)
	if r.outcome.ExitCode != ExitOK || r.outcome.Err != nil {
		t.Errorf("exit %d, error %v; want a completed transfer", r.outcome.ExitCode, r.outcome.Err)
	}
	if got := r.sink.counts["STATS"]; got != frames {
		t.Errorf("%d STATS lines, want %d", got, frames)
	}
	r.expectHeapBelow(t, heapLimit)
}

// FILEERROR frames are remembered for the summary: a peer sending huge
// ones must not make asession keep them whole.
func TestHostileHugeFileErrors(t *testing.T) {
	r := hostileRun{scenario: "huge-fileerrors"}.run(t)
	r.expectFailure(t, events.FromAscpError, "some files failed", ExitFailed)
	r.expectHeapBelow(t, heapLimit)
	if n := len(r.sink.lastLines); n > 0 && len(r.sink.lastLines[n-1]) > 16<<20 {
		t.Errorf("summary line of %d MiB", len(r.sink.lastLines[n-1])>>20)
	}
}

// Field names are cached for speed: a peer inventing long names must not
// grow the cache without bound.
func TestHostileInventedFieldNames(t *testing.T) {
	r := hostileRun{scenario: "invented-names"}.run(t)
	if r.outcome.ExitCode != ExitOK {
		t.Errorf("exit %d, want 0", r.outcome.ExitCode)
	}
	r.expectHeapBelow(t, heapLimit)
}

// ascp exits after DONE but a child of it keeps the management connection
// open: the relay must not wait for ever, and the child must not outlive
// the run.
func TestHostileOrphanHoldsSocket(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows cannot hand a child a socket as an extra file (TCPConn.File, ExtraFiles), so the hostile ascp cannot leave this orphan")
	}
	r := hostileRun{scenario: "orphan-holds-socket"}.run(t)
	if r.outcome.ExitCode != ExitOK {
		t.Errorf("exit %d (%v), want 0", r.outcome.ExitCode, r.outcome.Err)
	}
	if r.elapsed > 15*time.Second {
		t.Errorf("took %s", r.elapsed)
	}
	if data, err := os.ReadFile(r.pidfile + ".child"); err != nil {
		t.Errorf("the child never started: %v", err)
	} else {
		t.Logf("child %s", data)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		pid, ok := alive(r.pidfile + ".child")
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the child holding the connection (pid %d) is still running", pid)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// An ascp that never reads its management port, while the client sends
// commands without end: cancelling must still stop it within the grace
// period, not block on a full socket.
func TestHostileDeafPeer(t *testing.T) {
	r := hostileRun{scenario: "deaf", commands: endlessCommands{}, cancelAfter: time.Second}.run(t)
	if r.outcome.Err == nil || r.outcome.Err.Origin != events.FromCancel {
		t.Errorf("error %v, want a cancel", r.outcome.Err)
	}
	if r.elapsed > 15*time.Second {
		t.Errorf("cancel took %s", r.elapsed)
	}
}

// An ascp that repeats its secrets in its messages: the relay redacts
// them (the cookie by name, as it is marked secret; the others wherever
// they appear), on stdout and in the error line.
func TestHostileEchoesSecrets(t *testing.T) {
	const pass, token, cookie = "echo-password-5f1e", "Bearer echo-token-8c2d", "ck"
	r := hostileRun{
		scenario: "echo-secrets",
		spec:     map[string]any{"remote_password": pass, "token": token, "cookie": cookie},
		agent:    map[string]any{"secret_cookie": true},
		secrets:  []string{pass, token, `"cookie":"ck"`},
	}.run(t)
	r.expectFailure(t, events.FromAscpError, "password *** refused", ExitFailed)
	if r.sink.counts["SESSION"] != 1 {
		t.Errorf("SESSION lines: %d", r.sink.counts["SESSION"])
	}
	// The field named by the password keeps its value under "***" (the
	// second such name is dropped: one key once), and of the two User
	// fields the first, redacted, is the one written.
	if got := r.sink.first["SESSION"]; gjson.Get(got, `\*\*\*`).Str != "named by the password" ||
		gjson.Get(got, "user").Str != "u:***@h" {
		t.Errorf("SESSION line %s", got)
	}
}

// endlessCommands is a command channel of RATE commands that never ends.
type endlessCommands struct{}

func (endlessCommands) Read(p []byte) (int, error) {
	line := []byte(`{"type":"RATE","rate":1000,"min_rate":0}` + "\n")
	n := 0
	for n+len(line) <= len(p) {
		n += copy(p[n:], line)
	}
	if n == 0 {
		time.Sleep(time.Millisecond)
	}
	return n, nil
}

// lineSink checks and counts stdout lines as they arrive, keeping only the
// last few, so that a run producing gigabytes does not fill the test's
// own memory.
type lineSink struct {
	mu        sync.Mutex
	partial   []byte
	cut       bool // the partial line outgrew maxKept
	counts    map[string]int
	invalid   int
	lastLines []string
	watch     [][]byte // strings that must not appear
	leaks     int
	errors    []string          // the first error lines
	first     map[string]string // the first line of each type
}

const maxKept = 64 << 10

func (s *lineSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts == nil {
		s.counts = map[string]int{}
	}
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if room := maxKept - len(s.partial); len(chunk) > room {
			s.partial = append(s.partial, chunk[:room]...)
			s.cut = true
		} else {
			s.partial = append(s.partial, chunk...)
		}
		if i < 0 {
			break
		}
		s.line()
		p = p[i+1:]
	}
	return n, nil
}

func (s *lineSink) line() {
	line, cut := string(s.partial), s.cut
	s.partial, s.cut = s.partial[:0], false
	typ := gjson.Get(line, "type").Str
	// A cut line can only be checked for its type.
	if cut && !strings.HasPrefix(line, `{"type":"`) || !cut && !json.Valid([]byte(line)) {
		s.invalid++
	} else if !cut {
		// Each key once: consumers disagree on which duplicate wins.
		keys := map[string]bool{}
		gjson.Parse(line).ForEach(func(k, _ gjson.Result) bool {
			if keys[k.Str] {
				s.invalid++
				return false
			}
			keys[k.Str] = true
			return true
		})
	}
	for _, w := range s.watch {
		if strings.Contains(line, string(w)) {
			s.leaks++
		}
	}
	if typ == "" {
		typ = "?"
	}
	s.counts[typ]++
	if s.first == nil {
		s.first = map[string]string{}
	}
	if _, seen := s.first[typ]; !seen && len(line) < 64<<10 {
		s.first[typ] = line
	}
	if typ == "error" && len(s.errors) < 16 {
		s.errors = append(s.errors, line)
	}
	s.lastLines = append(s.lastLines, line)
	if len(s.lastLines) > 4 {
		s.lastLines = s.lastLines[1:]
	}
}

func (s *lineSink) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lastLines) == 0 {
		return ""
	}
	return s.lastLines[len(s.lastLines)-1]
}

// heapSampler records the peak of the live heap while a run goes on.
type heapSampler struct {
	base, peak uint64
	stopCh     chan struct{}
	done       chan struct{}
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func heapNow() uint64 {
	metrics.Read(heapSample)
	return heapSample[0].Value.Uint64()
}

func startHeapSampler() *heapSampler {
	runtime.GC()
	s := &heapSampler{base: heapNow(), stopCh: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			if h := heapNow(); h > s.peak {
				s.peak = h
			}
			select {
			case <-s.stopCh:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *heapSampler) stop() uint64 {
	close(s.stopCh)
	<-s.done
	if s.peak < s.base {
		return 0
	}
	return s.peak - s.base
}

// A job cancelled just as ascp connects still stops ascp with CANCEL over
// its port, and relays what ascp said before: the connection is there,
// so "cancelled before ascp connected" would be untrue.
func TestCancelAsAscpConnects(t *testing.T) {
	r := hostileRun{scenario: "cancel-aware", cancelAtAccept: true}.run(t)
	if e := r.outcome.Err; e == nil || e.Code != events.CodeUserCancel || strings.Contains(e.Description, "before ascp connected") {
		t.Errorf("outcome error %+v, want ascp's cancellation (code %d)", e, events.CodeUserCancel)
	}
	if r.sink.counts["SESSION"] != 1 || r.sink.counts["ERROR"] != 1 {
		t.Errorf("lines %v, want ascp's SESSION and its ERROR for the CANCEL it was sent", r.sink.counts)
	}
}

// A session of several that could not find a source another session
// delivered (and removed) a moment later must not fail the job, whether
// it ended before that delivery (split-race: the other sessions finish,
// and the job then finds nothing undelivered) or after it (split-late:
// the session learns at its end that the file was delivered).
func TestSessionLosesTheRaceForARemovedSource(t *testing.T) {
	for _, scenario := range []string{"split-race", "split-late"} {
		t.Run(scenario, func(t *testing.T) {
			r := hostileRun{scenario: scenario, spec: map[string]any{"multi_session": 2, "remove_after_transfer": true}}.run(t)
			if r.outcome.ExitCode != ExitOK || r.outcome.Err != nil {
				t.Errorf("exit %d, error %v; want 0: the one file was delivered", r.outcome.ExitCode, r.outcome.Err)
			}
			if s := r.outcome.Summary; s == nil || s.Files.Completed != 1 || s.Files.Failed != 0 {
				t.Errorf("summary files %+v, want 1 completed and none failed", s)
			}
		})
	}
}

// The same job where no session delivers the source: the job fails with
// the file among its failed ones, after one look at what is undelivered.
func TestSessionsMissingASourceFail(t *testing.T) {
	r := hostileRun{scenario: "split-missing", spec: map[string]any{"multi_session": 2, "remove_after_transfer": true}}.run(t)
	r.expectFailure(t, events.FromAscpError, "No such file or directory", ExitFailed)
	if s := r.outcome.Summary; s == nil || s.Files.Failed == 0 || len(s.FailedFiles) == 0 || s.FailedFiles[0].File != "/x" {
		t.Errorf("summary %+v, want /x among the failed files", s)
	}
}
