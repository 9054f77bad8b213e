package asessiontemporal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/faspkit/asession/events"
)

// ascpsim is the stand-in ascp, built from the main module once.
var ascpsim string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "asession-temporal-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ascpsim = filepath.Join(dir, "ascpsim")
	build := exec.Command("go", "build", "-o", ascpsim, "../../cmd/ascpsim")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building ascpsim:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// world is one test's server docroot and local files.
type world struct {
	root, local string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{root: t.TempDir(), local: t.TempDir()}
	t.Setenv("ASCPSIM_ROOT", w.root)
	t.Setenv("ASCPSIM_PASSWORD", "secret-pw")
	t.Setenv("ASCPSIM_FAIL", "")
	t.Setenv("ASCPSIM_FAIL_TIMES", "")
	return w
}

// file writes size pseudo-random bytes to a local file.
func (w *world) file(t *testing.T, name string, size int) string {
	t.Helper()
	data := make([]byte, size)
	r := rand.New(rand.NewPCG(uint64(size), 17))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	path := filepath.Join(w.local, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// upload is a job sending src to /up at rateKbps (0: unlimited).
func upload(src, password string, rateKbps int) TransferInput {
	spec := map[string]any{
		"remote_host": "h", "remote_user": "u", "remote_password": password, "direction": "send",
		"create_dir": true, "paths": []any{map[string]any{"source": src}}, "destination_root": "/up",
	}
	if rateKbps > 0 {
		spec["target_rate_kbps"] = rateKbps
	}
	job, _ := json.Marshal(spec)
	return TransferInput{Job: job}
}

// env is a workflow test environment running TransferWorkflow's shape with
// short intervals, recording what the activity reported.
type env struct {
	*testsuite.TestWorkflowEnvironment
	mu         sync.Mutex
	heartbeats []Progress
	starts     []int32
}

func newEnv(t *testing.T, s *testsuite.WorkflowTestSuite) *env {
	// The SDK logs every heartbeat at debug level: warnings and up only.
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	e := &env{TestWorkflowEnvironment: s.NewTestWorkflowEnvironment()}
	a := &Activities{Ascp: ascpsim, HeartbeatInterval: 100 * time.Millisecond}
	e.RegisterActivityWithOptions(a.Transfer, activity.RegisterOptions{Name: TransferName})
	e.RegisterWorkflow(testWorkflow)
	e.SetTestTimeout(2 * time.Minute)
	e.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		e.mu.Lock()
		e.starts = append(e.starts, info.Attempt)
		e.mu.Unlock()
	})
	e.SetOnActivityHeartbeatListener(func(_ *activity.Info, details converter.EncodedValues) {
		var p Progress
		if err := details.Get(&p); err != nil {
			t.Errorf("heartbeat details: %v", err)
			return
		}
		e.mu.Lock()
		e.heartbeats = append(e.heartbeats, p)
		e.mu.Unlock()
	})
	return e
}

func (e *env) recorded() ([]Progress, []int32) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Progress(nil), e.heartbeats...), append([]int32(nil), e.starts...)
}

// testWorkflow is TransferWorkflow with test-sized timeouts and backoff.
func testWorkflow(ctx workflow.Context, in TransferInput) (*events.Summary, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		HeartbeatTimeout:    time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 10 * time.Millisecond, MaximumAttempts: 3},
	})
	var summary events.Summary
	if err := workflow.ExecuteActivity(ctx, TransferName, in).Get(ctx, &summary); err != nil {
		return nil, err
	}
	return &summary, nil
}

// TestTransferWorkflowCompletes runs the example workflow itself: the file
// arrives byte-identical and the result is the completed summary.
func TestTransferWorkflowCompletes(t *testing.T) {
	w := newWorld(t)
	src := w.file(t, "small.bin", 300_000)
	var s testsuite.WorkflowTestSuite
	e := newEnv(t, &s)
	e.RegisterWorkflow(TransferWorkflow)
	e.ExecuteWorkflow(TransferWorkflow, upload(src, "secret-pw", 0))
	summary := completed(t, e)
	if summary.BytesWritten != 300_000 || summary.Files.Completed != 1 || summary.ExitCode != 0 {
		t.Errorf("summary %+v, want 300000 bytes in 1 file, exit code 0", summary)
	}
	sameFile(t, src, filepath.Join(w.root, "up", "small.bin"))
}

// TestHeartbeatsCarryProgress: a transfer that takes a few seconds
// heartbeats its progress, rising to the whole file.
func TestHeartbeatsCarryProgress(t *testing.T) {
	w := newWorld(t)
	const size = 2_000_000
	src := w.file(t, "big.bin", size)
	var s testsuite.WorkflowTestSuite
	e := newEnv(t, &s)
	e.ExecuteWorkflow(testWorkflow, upload(src, "secret-pw", 8000))
	summary := completed(t, e)
	if summary.BytesWritten != size {
		t.Errorf("summary bytes_written %d, want %d", summary.BytesWritten, size)
	}
	sameFile(t, src, filepath.Join(w.root, "up", "big.bin"))
	beats, _ := e.recorded()
	var partial bool
	var last int64
	for _, p := range beats {
		if p.BytesWritten < last {
			t.Errorf("heartbeat bytes went back from %d to %d", last, p.BytesWritten)
		}
		last = p.BytesWritten
		if p.BytesWritten > 0 && p.BytesWritten < size && p.BytesExpected == size && p.Attempt == 1 {
			partial = true
		}
	}
	if !partial {
		t.Errorf("no heartbeat showed the transfer under way: %+v", beats)
	}
}

// TestTransientLossIsRetriedAndResumes: the connection is lost once after
// 1.5 MB; Temporal retries the activity, which reads the last heartbeat and
// resumes the file instead of sending it again.
func TestTransientLossIsRetriedAndResumes(t *testing.T) {
	w := newWorld(t)
	const size = 4_000_000
	src := w.file(t, "big.bin", size)
	t.Setenv("ASCPSIM_FAIL", "lost:1500000")
	t.Setenv("ASCPSIM_FAIL_TIMES", "1")
	var s testsuite.WorkflowTestSuite
	e := newEnv(t, &s)
	// Slow enough (2 s for the rest) for heartbeats past the SDK's
	// throttling (0.8 × HeartbeatTimeout) during the second attempt.
	e.ExecuteWorkflow(testWorkflow, upload(src, "secret-pw", 10000))
	summary := completed(t, e)
	sameFile(t, src, filepath.Join(w.root, "up", "big.bin"))
	if summary.BytesWritten != size || summary.Retries != 0 {
		t.Errorf("summary %+v, want %d bytes and no retries of asession's own", summary, size)
	}
	beats, starts := e.recorded()
	if len(starts) != 2 || starts[1] != 2 {
		t.Fatalf("activity attempts %v, want [1 2]", starts)
	}
	var second *Progress
	for i := range beats {
		if beats[i].Attempt == 2 {
			second = &beats[i]
		}
	}
	if second == nil {
		t.Fatalf("no heartbeat from the second attempt: %+v", beats)
	}
	if second.ResumedAfter < 1_000_000 {
		t.Errorf("second attempt read %d bytes from the last heartbeat, want the ~1.5 MB the first wrote", second.ResumedAfter)
	}
	if second.BytesSent <= 0 || second.BytesSent >= size-1_000_000 {
		t.Errorf("second attempt sent %d bytes of %d: it did not resume", second.BytesSent, size)
	}
}

// TestWrongPasswordIsNotRetried: authentication failure (ascp code 19) is
// a non-retryable application error, and the activity runs once.
func TestWrongPasswordIsNotRetried(t *testing.T) {
	w := newWorld(t)
	src := w.file(t, "small.bin", 1000)
	var s testsuite.WorkflowTestSuite
	e := newEnv(t, &s)
	e.ExecuteWorkflow(testWorkflow, upload(src, "wrong-pw", 0))
	ae := applicationError(t, e)
	if ae.Type() != ErrorType(19) || !ae.NonRetryable() {
		t.Errorf("error type %q non-retryable %v, want %q non-retryable", ae.Type(), ae.NonRetryable(), ErrorType(19))
	}
	var summary events.Summary
	if err := ae.Details(&summary); err != nil || summary.Error == nil || summary.Error.Mnemonic != "ERR_AUTH" {
		t.Errorf("error details %+v (%v), want the summary with ERR_AUTH", summary, err)
	}
	if _, starts := e.recorded(); len(starts) != 1 {
		t.Errorf("activity attempts %v, want 1", starts)
	}
	if _, err := os.Stat(filepath.Join(w.root, "up", "small.bin")); err == nil {
		t.Error("the file arrived despite the wrong password")
	}
}

// TestBadInputIsNotRetried: a spec that does not validate never reaches
// ascp and is not retried.
func TestBadInputIsNotRetried(t *testing.T) {
	newWorld(t)
	var s testsuite.WorkflowTestSuite
	e := newEnv(t, &s)
	e.ExecuteWorkflow(testWorkflow, TransferInput{Job: []byte(`{"remote_host":"h","direction":"sideways"}`)})
	ae := applicationError(t, e)
	if ae.Type() != ErrorTypeInput || !ae.NonRetryable() || !strings.Contains(ae.Error(), "/direction") {
		t.Errorf("error %q type %q non-retryable %v, want %s naming /direction", ae.Error(), ae.Type(), ae.NonRetryable(), ErrorTypeInput)
	}
	if _, starts := e.recorded(); len(starts) != 1 {
		t.Errorf("activity attempts %v, want 1", starts)
	}
}

// TestCancelStopsAscp: cancelling the workflow mid-transfer reaches the
// activity through its heartbeat; ascp is stopped and the file never
// completes.
func TestCancelStopsAscp(t *testing.T) {
	w := newWorld(t)
	const size = 8_000_000
	src := w.file(t, "big.bin", size)
	var s testsuite.WorkflowTestSuite
	e := newEnv(t, &s)
	var once sync.Once
	running := make(chan int, 1)
	e.SetOnActivityHeartbeatListener(func(_ *activity.Info, details converter.EncodedValues) {
		var p Progress
		if details.Get(&p) == nil && p.BytesWritten > 0 {
			once.Do(func() {
				running <- len(ascpProcesses(w.root))
				e.CancelWorkflow()
			})
		}
	})
	e.ExecuteWorkflow(testWorkflow, upload(src, "secret-pw", 8000))
	select {
	case n := <-running:
		if n == 0 {
			t.Fatal("no ascp was running while the transfer was under way")
		}
	default:
		t.Fatal("the workflow ended before any progress was seen")
	}
	if err := e.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Fatalf("workflow error %v, want cancelled", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(ascpProcesses(w.root)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("ascp still running after cancellation: %v", ascpProcesses(w.root))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(w.root, "up", "big.bin")); err == nil {
		t.Error("the file completed despite the cancellation")
	}
}

func completed(t *testing.T, e *env) *events.Summary {
	t.Helper()
	if !e.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := e.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	var summary events.Summary
	if err := e.GetWorkflowResult(&summary); err != nil {
		t.Fatal(err)
	}
	if summary.Status != events.StatusCompleted {
		t.Errorf("summary status %q", summary.Status)
	}
	return &summary
}

func applicationError(t *testing.T, e *env) *temporal.ApplicationError {
	t.Helper()
	err := e.GetWorkflowError()
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		t.Fatalf("workflow error %v, want an application error", err)
	}
	return ae
}

func sameFile(t *testing.T, a, b string) {
	t.Helper()
	da, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(b)
	if err != nil {
		t.Fatalf("destination: %v", err)
	}
	if !bytes.Equal(da, db) {
		t.Errorf("%s differs from %s (%d and %d bytes)", b, a, len(db), len(da))
	}
}

// ascpProcesses lists the live (not zombie) ascpsim processes serving root.
func ascpProcesses(root string) []string {
	marker := []byte("ASCPSIM_ROOT=" + root + "\x00")
	var found []string
	entries, _ := os.ReadDir("/proc")
	for _, d := range entries {
		exe, err := os.Readlink(filepath.Join("/proc", d.Name(), "exe"))
		if err != nil || exe != ascpsim {
			continue
		}
		env, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "environ"))
		stat, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if fields := strings.Fields(string(stat)); bytes.Contains(env, marker) && len(fields) > 2 && fields[2] != "Z" {
			found = append(found, d.Name())
		}
	}
	return found
}
