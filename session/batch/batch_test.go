package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/jsonschema"
	"github.com/faspkit/asession/session"
)

// world is a test's "server" (ASCPSIM_ROOT) and local files.
type world struct {
	t           *testing.T
	dir, server string
}

func newWorld(t *testing.T) *world {
	dir := t.TempDir()
	w := &world{t: t, dir: dir, server: filepath.Join(dir, "server")}
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(w.server, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ASCPSIM_ROOT", w.server)
	t.Setenv("ASCPSIM_PASSWORD", "pw")
	t.Setenv("ASCPSIM_FAIL", "")
	t.Setenv("ASCPSIM_FAIL_TIMES", "")
	return w
}

// file writes a source file of size bytes, its content seeded by its name.
func (w *world) file(name string, size int) []byte {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i*7 + len(name)*31 + int(name[0]))
	}
	if err := os.WriteFile(filepath.Join(w.dir, "src", name), data, 0o644); err != nil {
		w.t.Fatal(err)
	}
	return data
}

// job uploads src/name to /up on host; set adds or replaces spec members.
func (w *world) job(id, host, name string, set map[string]any) Job {
	spec := map[string]any{"id": id, "remote_host": host, "remote_user": "u", "remote_password": "pw", "direction": "send",
		"create_dir": true, "paths": []any{map[string]any{"source": filepath.Join(w.dir, "src", name)}}, "destination_root": "/up"}
	for k, v := range set {
		spec[k] = v
	}
	line, _ := json.Marshal(spec)
	j, err := ParseJob(line, 1, session.CheckOptions{})
	if err != nil {
		w.t.Fatalf("%s: %v", line, err)
	}
	return j
}

func (w *world) arrived(name string, want []byte) bool {
	got, err := os.ReadFile(filepath.Join(w.server, "up", name))
	return err == nil && bytes.Equal(got, want)
}

func testOptions(out *events.Writer) Options {
	o := DefaultOptions()
	o.Session.Ascp = ascpBin
	o.Session.RetryDelay = 10 * time.Millisecond
	o.Stagger = 0
	o.Out = out
	return o
}

// lines parses output lines, checking each against the events schema.
func lines(t *testing.T, out []byte) []map[string]any {
	data, err := os.ReadFile("../../schema/events.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := jsonschema.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var all []map[string]any
	for _, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		if errs := schema.Validate(line); len(errs) > 0 {
			t.Errorf("line breaks events.schema.json: %v\n%s", errs, line)
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("not JSON: %s", line)
		}
		all = append(all, m)
	}
	return all
}

// The library over a slice: every job runs, every line but the last is
// tagged with its job, the last is the batch summary, and the result and
// OnJobEnd agree with it.
func TestRunJobs(t *testing.T) {
	w := newWorld(t)
	var jobs []Job
	contents := map[string][]byte{}
	for i := range 5 {
		name := fmt.Sprintf("f%d.bin", i)
		contents[name] = w.file(name, 50_000+i)
		jobs = append(jobs, w.job(fmt.Sprintf("j%d", i), []string{"localhost", "127.0.0.1"}[i%2], name, nil))
	}
	var out safeBuffer
	opts := testOptions(events.NewWriter(&out))
	opts.Parallel, opts.PerHost = 2, 1
	var ended []string
	opts.OnJobEnd = func(r JobResult) { ended = append(ended, r.ID+":"+r.Status) }
	res := RunJobs(context.Background(), jobs, opts)
	if res.ExitCode != session.ExitOK || res.Err != nil {
		t.Fatalf("exit %d, %v\n%s", res.ExitCode, res.Err, out.String())
	}
	for name, data := range contents {
		if !w.arrived(name, data) {
			t.Errorf("%s did not arrive whole", name)
		}
	}
	all := lines(t, out.Bytes())
	last := all[len(all)-1]
	if last["type"] != "batch_summary" || last["status"] != "completed" ||
		!reflect.DeepEqual(last["jobs"], map[string]any{"total": 5.0, "completed": 5.0, "skipped": 0.0, "failed": 0.0, "cancelled": 0.0}) ||
		last["bytes_written"] != float64(5*50_000+10) {
		t.Errorf("batch summary %v", last)
	}
	summaries := map[any]int{}
	for _, l := range all[:len(all)-1] {
		if l["job"] == nil || l["attempt"] != 1.0 {
			t.Fatalf("untagged line %v", l)
		}
		if l["type"] == "summary" {
			summaries[l["job"]]++
		}
	}
	if len(summaries) != 5 {
		t.Errorf("job summaries %v", summaries)
	}
	slices.Sort(ended)
	if want := []string{"j0:completed", "j1:completed", "j2:completed", "j3:completed", "j4:completed"}; !slices.Equal(ended, want) {
		t.Errorf("OnJobEnd saw %v", ended)
	}
	if len(res.Jobs) != 5 || res.Jobs[3].ID != "j3" || res.Jobs[3].Summary == nil || res.Jobs[3].Summary.BytesWritten != 50_003 {
		t.Errorf("results %+v", res.Jobs)
	}
}

// A job that fails with a retryable error goes back to the queue, starts
// again after its backoff (a new ascp, resuming the file) and completes.
func TestRetryFromTheQueue(t *testing.T) {
	w := newWorld(t)
	data := w.file("big.bin", 600_000)
	t.Setenv("ASCPSIM_FAIL", "lost:200000")
	t.Setenv("ASCPSIM_FAIL_TIMES", "1")
	var out safeBuffer
	opts := testOptions(events.NewWriter(&out))
	res := RunJobs(context.Background(), []Job{w.job("only", "localhost", "big.bin", nil)}, opts)
	if res.ExitCode != 0 || res.Summary.Requeued != 1 || res.Jobs[0].Attempts != 2 {
		t.Fatalf("exit %d, summary %+v, jobs %+v\n%s", res.ExitCode, res.Summary, res.Jobs, out.String())
	}
	if !w.arrived("big.bin", data) {
		t.Error("big.bin did not arrive whole")
	}
	var first, second []map[string]any
	for _, l := range lines(t, out.Bytes()) {
		switch l["attempt"] {
		case 1.0:
			first = append(first, l)
		case 2.0:
			second = append(second, l)
		}
	}
	// The first attempt failed on its own (no retry in place), the second
	// resumed where it stopped.
	if s := first[len(first)-1]; s["type"] != "summary" || s["exit_code"] != float64(session.ExitTempFail) || s["retries"] != 0.0 {
		t.Errorf("first attempt ended with %v", s)
	}
	resumed := false
	for _, l := range second {
		if l["type"] == "START" {
			resumed = l["start_byte"].(float64) > 0
		}
	}
	if !resumed {
		t.Errorf("the second attempt did not resume the file")
	}
}

func TestExitCodes(t *testing.T) {
	for _, c := range []struct {
		name   string
		fail   string
		wrong  bool // one job with a wrong password
		want   int
		status string
	}{
		{"every failure retryable", "lost:1000", false, session.ExitTempFail, "failed"},
		{"a failure a retry cannot mend", "", true, session.ExitFailed, "failed"},
		{"both", "lost:1000", true, session.ExitFailed, "failed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			w.file("a.bin", 50_000)
			w.file("b.bin", 50_000)
			t.Setenv("ASCPSIM_FAIL", c.fail)
			jobs := []Job{w.job("a", "localhost", "a.bin", nil)}
			if c.wrong {
				jobs = append(jobs, w.job("b", "localhost", "b.bin", map[string]any{"remote_password": "wrong"}))
			}
			var out safeBuffer
			opts := testOptions(events.NewWriter(&out))
			opts.Session.Retries = 1
			res := RunJobs(context.Background(), jobs, opts)
			if res.ExitCode != c.want || res.Summary.Status != c.status || res.Summary.ExitCode != c.want {
				t.Fatalf("exit %d, summary %+v\n%s", res.ExitCode, res.Summary, out.String())
			}
			failures := 0
			if c.fail != "" {
				failures++
			}
			if c.wrong {
				failures++
			}
			if len(res.Summary.Failed) != failures {
				t.Fatalf("failed %+v", res.Summary.Failed)
			}
			for _, f := range res.Summary.Failed {
				if f.Error == nil || f.Error.Retryable != (c.fail != "" && f.Job == "a") {
					t.Errorf("failure %+v, error %+v", f, f.Error)
				}
				if f.Job == "a" && c.fail != "" && f.Attempts != 2 {
					t.Errorf("%s: %d attempts, want 2 (one retry from the queue)", f.Job, f.Attempts)
				}
			}
			lines(t, out.Bytes())
		})
	}
}

// Jobs may keep coming on the channel while others run; a repeated id
// fails without running; cancelling ends the running jobs (ascp gets
// CANCEL), counts those not started, and leaves the journal to resume.
func TestRunChannelAndCancel(t *testing.T) {
	w := newWorld(t)
	for i := range 4 {
		w.file(fmt.Sprintf("f%d.bin", i), 400_000)
	}
	journal := filepath.Join(w.dir, "journal")
	var out safeBuffer
	opts := testOptions(events.NewWriter(&out))
	opts.Parallel = 1
	opts.Journal = journal
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(chan Job)
	go func() {
		ch <- w.job("slow", "localhost", "f0.bin", map[string]any{"target_rate_kbps": 800})
		ch <- w.job("slow", "localhost", "f1.bin", nil)
		ch <- w.job("next", "localhost", "f2.bin", nil)
		// The first job is running: cancel the batch.
		for !strings.Contains(out.String(), `"type":"STATS"`) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	res := Run(ctx, ch, opts)
	if res.ExitCode != session.ExitFailed || res.Summary.Status != events.StatusCancelled {
		t.Fatalf("exit %d, summary %+v\n%s", res.ExitCode, res.Summary, out.String())
	}
	if len(res.Jobs) != 3 || res.Jobs[0].Status != events.StatusCancelled || res.Jobs[0].Attempts != 1 ||
		res.Jobs[1].Status != events.StatusFailed || res.Jobs[1].ExitCode != session.ExitUsage ||
		res.Jobs[2].Status != events.StatusCancelled || res.Jobs[2].Attempts != 0 {
		t.Errorf("jobs %+v", res.Jobs)
	}
	if !strings.Contains(out.String(), `{"job":"slow","type":"error","source":"input","description":"invalid input: /id: expected an id no other job of the batch has`) {
		t.Errorf("no error line for the repeated id:\n%s", out.String())
	}
	// The journal: the cancelled job is unfinished, to run again.
	j, err := openJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	if r, _ := j.state("slow"); r.State != StateCancelled || r.Attempt != 1 {
		t.Errorf("journal has slow %+v", r)
	}
	if r, _ := j.state("next"); r.State != StateQueued {
		t.Errorf("journal has next %+v", r)
	}
}

// A re-run with the journal runs only what is unfinished: a job done
// before is skipped, unless it now transfers something else.
func TestJournalSkipsDoneJobs(t *testing.T) {
	w := newWorld(t)
	w.file("a.bin", 10_000)
	w.file("b.bin", 10_000)
	journal := filepath.Join(w.dir, "journal")
	opts := testOptions(nil)
	opts.Journal = journal
	jobs := []Job{w.job("a", "localhost", "a.bin", nil), w.job("b", "localhost", "b.bin", nil)}
	if res := RunJobs(context.Background(), jobs, opts); res.ExitCode != 0 {
		t.Fatalf("first run: %+v", res.Summary)
	}
	changed := w.job("b", "localhost", "b.bin", map[string]any{"destination_root": "/elsewhere"})
	var out safeBuffer
	opts.Out = events.NewWriter(&out)
	res := RunJobs(context.Background(), []Job{jobs[0], changed, w.job("c", "localhost", "a.bin", nil)}, opts)
	if res.ExitCode != 0 || res.Summary.Jobs.Skipped != 1 || res.Summary.Jobs.Completed != 2 {
		t.Fatalf("second run: %+v", res.Summary)
	}
	if strings.Contains(out.String(), `"job":"a"`) {
		t.Errorf("job a ran again:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(w.server, "elsewhere", "b.bin")); err != nil {
		t.Errorf("the changed job b did not run: %v", err)
	}
}

// Two batches sharing a journal never run one job at once: each job runs
// in one of them, and the other counts it skipped.
func TestTwoBatchesShareAJournal(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		t.Skip("POSIX record locks belong to the process: two batches of one process do not exclude each other (two processes do)")
	}
	w := newWorld(t)
	var jobs []Job
	for i := range 6 {
		name := fmt.Sprintf("f%d.bin", i)
		w.file(name, 100_000)
		jobs = append(jobs, w.job(fmt.Sprintf("j%d", i), "localhost", name, map[string]any{"target_rate_kbps": 4000}))
	}
	journal := filepath.Join(w.dir, "journal")
	results := make([]*Result, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			opts := testOptions(nil)
			opts.Journal = journal
			opts.Parallel, opts.PerHost = 2, 2
			results[i] = RunJobs(context.Background(), jobs, opts)
		})
	}
	wg.Wait()
	ran := map[string]int{}
	for _, res := range results {
		if res.ExitCode != 0 {
			t.Fatalf("a batch exited %d: %+v", res.ExitCode, res.Summary)
		}
		for _, r := range res.Jobs {
			switch r.Status {
			case events.StatusCompleted:
				ran[r.ID]++
			case events.StatusSkipped:
			default:
				t.Errorf("job %+v", r)
			}
		}
	}
	for _, j := range jobs {
		if ran[j.ID] != 1 {
			t.Errorf("job %s ran %d times", j.ID, ran[j.ID])
		}
	}
}

func TestRefusedBeforeStart(t *testing.T) {
	w := newWorld(t)
	w.file("a.bin", 10)
	for _, c := range []struct {
		name string
		jobs []Job
		opts func(*Options)
		want string
	}{
		{"repeated id", []Job{w.job("a", "h", "a.bin", nil), w.job("a", "h", "a.bin", nil)}, nil, `"pointer":"/1/id"`},
		{"budget under a kbps a job", []Job{w.job("a", "h", "a.bin", nil)}, func(o *Options) { o.RateBudget = 3 }, `"pointer":"--rate-budget"`},
		{"negative stagger", []Job{w.job("a", "h", "a.bin", nil)}, func(o *Options) { o.Stagger = -time.Second }, `"pointer":"--stagger"`},
		{"journal in a missing folder", []Job{w.job("a", "h", "a.bin", nil)}, func(o *Options) { o.Journal = filepath.Join(w.dir, "no", "j") }, `"pointer":"--journal"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out safeBuffer
			opts := testOptions(events.NewWriter(&out))
			if c.opts != nil {
				c.opts(&opts)
			}
			res := RunJobs(context.Background(), c.jobs, opts)
			if res.ExitCode != session.ExitUsage || res.Summary != nil || !strings.Contains(out.String(), c.want) {
				t.Errorf("exit %d, summary %v, output %s", res.ExitCode, res.Summary, out.String())
			}
			if _, err := os.Stat(filepath.Join(w.server, "up")); err == nil {
				t.Error("a job ran")
			}
		})
	}
}

// safeBuffer is a bytes.Buffer a test reads while the batch writes it.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *safeBuffer) Bytes() []byte { return []byte(b.String()) }

// A job another batch holds is looked at again until it is free, even
// when nothing else happens meanwhile; then it runs, or is skipped when
// the other batch finished it.
func TestClaimedJobWaitsItsTurn(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		t.Skip("POSIX record locks belong to the process: a second journal of this process cannot hold the job")
	}
	for _, doneByOther := range []bool{false, true} {
		w := newWorld(t)
		w.file("a.bin", 10_000)
		job := w.job("a", "localhost", "a.bin", nil)
		path := filepath.Join(w.dir, "journal")
		other, err := openJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := other.claim("a"); err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(1500 * time.Millisecond)
			if doneByOther {
				code := 0
				_ = other.append(record{Job: "a", State: StateDone, Attempt: 1, Digest: digest(job.Input), ExitCode: &code})
			}
			other.release("a")
		}()
		opts := testOptions(nil)
		opts.Journal = path
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		res := RunJobs(ctx, []Job{job}, opts)
		cancel()
		other.close()
		want := events.StatusCompleted
		if doneByOther {
			want = events.StatusSkipped
		}
		if res.ExitCode != 0 || res.Jobs[0].Status != want {
			t.Errorf("done by the other batch %v: exit %d, job %+v, want %s", doneByOther, res.ExitCode, res.Jobs[0], want)
		}
	}
}
