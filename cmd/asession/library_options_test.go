package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
	"github.com/faspkit/asession/session"
)

// libraryWork makes a docroot and a source file of size bytes; the spec
// uploads it at rateKbps.
func libraryWork(t *testing.T, size, rateKbps int) (spec string) {
	t.Helper()
	work := t.TempDir()
	root := filepath.Join(work, "server")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(work, "src.bin")
	if err := os.WriteFile(src, bytes.Repeat([]byte{3}, size), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ASCPSIM_ROOT", root)
	t.Setenv("ASCPSIM_PASSWORD", "pw")
	return `{"remote_host":"h","remote_user":"u","remote_password":"pw","direction":"send","create_dir":true,` +
		`"target_rate_kbps":` + strconv.Itoa(rateKbps) + `,"paths":[{"source":` + strconv.Quote(src) + `}],"destination_root":"/lib"}`
}

// A Go program tells a deadline from a cancellation, and its own cause
// from either, with errors.Is; errors.As still finds the *events.Error.
func TestLibraryErrorsWrapTheirCause(t *testing.T) {
	spec := libraryWork(t, 2_000_000, 1000) // 16 s: cut short below
	opts := session.Options{Ascp: ascpsimBin}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := session.Transfer(ctx, []byte(spec), opts)
	var e *events.Error
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || !errors.As(err, &e) || e.Origin != events.FromCancel {
		t.Errorf("after the deadline: %v (Is DeadlineExceeded %v)", err, errors.Is(err, context.DeadlineExceeded))
	}

	stop := errors.New("the operator stopped it")
	ctx2, cancel2 := context.WithCancelCause(context.Background())
	time.AfterFunc(300*time.Millisecond, func() { cancel2(stop) })
	_, err = session.Transfer(ctx2, []byte(spec), opts)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, stop) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("after cancel(cause): %v", err)
	}

	// Input problems come back as a list.
	_, err = session.Transfer(context.Background(), []byte(`{"direction":"up","remote_host":7}`), opts)
	var problems schema.Problems
	if !errors.As(err, &problems) || len(problems) < 3 {
		t.Fatalf("input error %v: problems %v", err, problems)
	}
	pointers := map[string]bool{}
	for _, p := range problems {
		pointers[p.Pointer] = true
	}
	if !pointers["/direction"] || !pointers["/remote_host"] || !pointers["/paths"] {
		t.Errorf("problems %v", problems)
	}

	// A failure of the job's own set-up keeps the system's error: the
	// aspera-cli envelope's file_list_folder is a file, not a folder.
	notFolder := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notFolder, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var job map[string]any
	if err := json.Unmarshal([]byte(spec), &job); err != nil {
		t.Fatal(err)
	}
	object, _ := json.Marshal(map[string]any{"spec": job, "file_list_folder": filepath.Join(notFolder, "lists")})
	opts.AllowInputOverrides = true // the input may choose the folder
	_, err = session.Transfer(context.Background(), object, opts)
	var pathErr *fs.PathError
	if !errors.As(err, &e) || e.Origin != events.FromSetup || !errors.As(err, &pathErr) {
		t.Errorf("set-up error %v does not wrap the system's error", err)
	}
}

// The library finds ascp through ASESSION_ASCP as the command does.
func TestLibraryHonoursAsessionAscp(t *testing.T) {
	spec := libraryWork(t, 10_000, 0)
	t.Setenv("PATH", t.TempDir()) // no ascp to find by searching
	t.Setenv(session.EnvAscp, ascpsimBin)
	summary, err := session.Transfer(context.Background(), []byte(spec), session.Options{})
	if err != nil || summary.Status != events.StatusCompleted {
		t.Fatalf("transfer with ASESSION_ASCP: %v %+v", err, summary)
	}
}

// Kill stops one job's ascp at once and leaves another job of the same
// process alone: nothing is process-global.
func TestLibraryKillIsPerJob(t *testing.T) {
	spec := libraryWork(t, 1_000_000, 4000) // 2 s
	kill := make(chan struct{})
	var wg sync.WaitGroup
	var killedErr error
	var other *events.Summary
	var otherErr error
	wg.Add(2)
	start := time.Now()
	go func() {
		defer wg.Done()
		_, killedErr = session.Transfer(context.Background(), []byte(spec), session.Options{
			Ascp: ascpsimBin, Kill: kill})
	}()
	go func() {
		defer wg.Done()
		other, otherErr = session.Transfer(context.Background(), []byte(strings.Replace(spec, `"/lib"`, `"/other"`, 1)),
			session.Options{Ascp: ascpsimBin})
	}()
	time.Sleep(500 * time.Millisecond)
	close(kill)
	wg.Wait()
	if killedErr == nil {
		t.Errorf("the killed job completed")
	}
	if otherErr != nil || other.Status != events.StatusCompleted {
		t.Errorf("the other job: %v %+v", otherErr, other)
	}
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Errorf("the other job ended after %v: it was killed too", elapsed)
	}
}

// A keepalive session waiting for commands changes nothing, yet with a
// heartbeat it still writes a progress line at least that often.
func TestLibraryHeartbeat(t *testing.T) {
	libraryWork(t, 1, 0)
	spec := `{"remote_host":"h","remote_user":"u","remote_password":"pw","direction":"send","keepalive":true,"create_dir":true,"destination_root":"/idle"}`
	count := func(heartbeat time.Duration) int {
		commands, feed := io.Pipe()
		time.AfterFunc(1200*time.Millisecond, func() { feed.Close() })
		var out bytes.Buffer
		_, err := session.Transfer(context.Background(), []byte(spec), session.Options{
			Ascp: ascpsimBin, Heartbeat: heartbeat, Commands: commands, Out: events.NewWriter(&out)})
		if err != nil {
			t.Fatalf("keepalive session: %v\n%s", err, out.String())
		}
		return strings.Count(out.String(), `"type":"progress"`)
	}
	quiet, beating := count(0), count(200*time.Millisecond)
	if beating < quiet+3 {
		t.Errorf("progress lines over 1.2 s idle: %d without heartbeat, %d with a 200ms one", quiet, beating)
	}
}
