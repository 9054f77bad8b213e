package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/session"
)

// The Go API a worker uses: session.Transfer with typed callbacks, against
// the real ascpsim.
func TestLibraryTransfer(t *testing.T) {
	work := t.TempDir()
	root := filepath.Join(work, "server")
	if err := os.MkdirAll(filepath.Join(work, "src", "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte{7, 1, 2}, 400_000)
	for _, name := range []string{"src/a.bin", "src/d/b.bin"} {
		if err := os.WriteFile(filepath.Join(work, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("ASCPSIM_ROOT", root)
	t.Setenv("ASCPSIM_PASSWORD", "pw")
	spec := `{"remote_host":"h","remote_user":"u","remote_password":"pw","direction":"send","create_dir":true,` +
		`"paths":[{"source":` + strconv.Quote(filepath.Join(work, "src")) + `}],"destination_root":"/lib"}`

	var stops, progress atomic.Int32
	var out bytes.Buffer
	summary, err := session.Transfer(context.Background(), []byte(spec), session.Options{
		Ascp: ascpsimBin,
		Out:  events.NewWriter(&out),
		OnFrame: func(i int, f *mgmt.Frame) {
			if string(f.Type()) == "STOP" {
				stops.Add(1)
			}
		},
		OnProgress: func(events.Snapshot) { progress.Add(1) },
	})
	if err != nil {
		t.Fatalf("transfer failed: %v\n%s", err, out.String())
	}
	if summary.Status != events.StatusCompleted || summary.Files.Completed != 2 || summary.BytesWritten != int64(2*len(content)) {
		t.Errorf("summary %+v", summary)
	}
	if stops.Load() != 2 || progress.Load() == 0 {
		t.Errorf("callbacks: %d STOP frames, %d progress snapshots", stops.Load(), progress.Load())
	}
	got, err := os.ReadFile(filepath.Join(root, "lib", "src", "d", "b.bin"))
	if err != nil || !bytes.Equal(got, content) {
		t.Errorf("uploaded file differs: %v", err)
	}

	// Bad input comes back as an error naming the field, with no summary.
	summary, err = session.Transfer(context.Background(), []byte(`{"direction":"up"}`), session.Options{})
	var e *events.Error
	if summary != nil || err == nil || !asError(err, &e) || e.Origin != events.FromInput || len(e.Problems) == 0 {
		t.Errorf("bad input: summary %v, error %v", summary, err)
	}
}

func asError(err error, target **events.Error) bool {
	e, ok := err.(*events.Error)
	*target = e
	return ok
}
