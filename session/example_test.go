package session_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
	"github.com/faspkit/asession/session"
)

// Run a transfer from a Go worker: typed callbacks for frames and progress,
// the summary as the result. (Not run by go test: it needs an ascp.)
func ExampleTransfer() {
	spec := []byte(`{"remote_host":"demo.example.com","remote_user":"aspera","remote_password":"…",
		"direction":"receive","paths":[{"source":"/aspera-test-dir-tiny/200KB.1"}],"destination_root":"/tmp/down"}`)
	// DefaultOptions is what the asession command does: three retries,
	// a five-minute stall timeout, ascp from ASESSION_ASCP or a search.
	opts := session.DefaultOptions()
	opts.Log = zerolog.New(os.Stderr).Level(zerolog.WarnLevel)
	opts.OnFrame = func(i int, f *mgmt.Frame) {
		if string(f.Type()) == "STOP" {
			file, _ := f.GetString("File")
			fmt.Println("received", file)
		}
	}
	opts.OnProgress = func(p events.Snapshot) {
		fmt.Printf("%3.0f%% %d kbps\n", p.Percentage*100, p.RateKbps)
	}
	summary, err := session.Transfer(context.Background(), spec, opts)
	if err != nil {
		fmt.Println("failed:", err)
		return
	}
	fmt.Println(summary.Status, summary.Files.Completed, "files", summary.BytesWritten, "bytes")
}

// Check a spec and see what would run, without starting anything.
func ExampleDryRun() {
	in, inputErr := session.CheckInput([]byte(`{"spec":{"remote_host":"h","direction":"send",
		"token":"Bearer abc","paths":[{"source":"/a"}]}}`), session.CheckOptions{Strict: true})
	if inputErr != nil {
		panic(inputErr)
	}
	report, e := session.DryRun(in, session.PrepareOptions{Ascp: "/bin/sh"}, "job-1")
	if e != nil {
		panic(e)
	}
	// The list file's path with / whatever the system, for one output.
	argv := strings.Split(filepath.ToSlash(strings.Join(report.Sessions[0].Argv[5:], "\x00")), "\x00")
	fmt.Println(report.Envelope, argv, report.Sessions[0].Env)
	// Output: session [-k 3 -q --mode=send --host=h --file-list=<private-temp-dir>/paths.txt --dest64 Lw==] map[ASPERA_SCP_TOKEN:*** ASPERA_TEST_REDIS_DISABLE:true]
}

// The defaults the command uses, and what the zero Options leaves out.
func ExampleDefaultOptions() {
	d := session.DefaultOptions()
	fmt.Println("retries:", d.Retries, "stall timeout:", d.StallTimeout, "connect timeout:", d.ConnectTimeout)
	var zero session.Options
	fmt.Println("zero value - retries:", zero.Retries, "stall timeout:", zero.StallTimeout)
	// Output:
	// retries: 3 stall timeout: 5m0s connect timeout: 30s
	// zero value - retries: 0 stall timeout: 0s
}

// Input problems come back as a list, reachable with errors.As, before
// anything starts.
func ExampleTransfer_inputProblems() {
	_, err := session.Transfer(context.Background(), []byte(`{"direction":"up","remote_host":"h"}`), session.DefaultOptions())
	var problems schema.Problems
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Println(p.Pointer, "is wrong")
		}
	}
	var e *events.Error
	fmt.Println(errors.As(err, &e), e.Origin)
	// Output:
	// /direction is wrong
	// /paths is wrong
	// true input
}

// A deadline or a cancellation is reachable with errors.Is, together with
// the *events.Error that the output line carried. (Not run by go test: it
// needs an ascp.)
func ExampleTransfer_deadline() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	spec := []byte(`{"remote_host":"h","remote_user":"u","remote_password":"…","direction":"send",
		"paths":[{"source":"/data/big.bin"}],"destination_root":"/up"}`)
	_, err := session.Transfer(ctx, spec, session.DefaultOptions())
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Println("took longer than a minute")
	case err != nil:
		fmt.Println("failed:", err)
	}
}
