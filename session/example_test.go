package session_test

import (
	"context"
	"fmt"
	"os"

	"github.com/rs/zerolog"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/session"
)

// Run a transfer from a Go worker: typed callbacks for frames and progress,
// the summary as the result. (Not run by go test: it needs an ascp.)
func ExampleTransfer() {
	spec := []byte(`{"remote_host":"demo.example.com","remote_user":"aspera","remote_password":"…",
		"direction":"receive","paths":[{"source":"/aspera-test-dir-tiny/200KB.1"}],"destination_root":"/tmp/down"}`)
	summary, err := session.Transfer(context.Background(), spec, session.Options{
		Retries: 3,
		Log:     zerolog.New(os.Stderr).Level(zerolog.WarnLevel),
		OnFrame: func(i int, f *ascp.Frame) {
			if string(f.Type()) == "STOP" {
				file, _ := f.GetString("File")
				fmt.Println("received", file)
			}
		},
		OnProgress: func(p events.Snapshot) {
			fmt.Printf("%3.0f%% %d kbps\n", p.Percentage*100, p.RateKbps)
		},
	})
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
	report, e, _ := session.DryRun(in, session.PrepareOptions{Ascp: "/bin/sh"}, "job-1")
	if e != nil {
		panic(e)
	}
	fmt.Println(report.Envelope, report.Sessions[0].Argv[5:], report.Sessions[0].Env)
	// Output: session [-q --mode=send --host=h --file-list=<private-temp-dir>/paths.txt --dest64 Lw==] map[ASPERA_SCP_TOKEN:*** ASPERA_TEST_REDIS_DISABLE:true]
}
