package session

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/faspkit/asession/ascp/install"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

// Prepare's error is the job's error line, wraps its cause, and maps to the
// exit code the command returns.
func TestPrepareErrorWrapsItsCause(t *testing.T) {
	in, problems := schema.ParseInput([]byte(`{"remote_host":"h","direction":"send","paths":[{"source":"/a"}]}`), "")
	if problems != nil {
		t.Fatal(problems)
	}
	_, err := Prepare(in, PrepareOptions{Ascp: filepath.Join(t.TempDir(), "missing-ascp"), ListDir: ListDirPlaceholder})
	var line *events.Error
	var nf *install.NotFoundError
	if !errors.As(err, &line) || line.Origin != events.FromLocate || !errors.As(err, &nf) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Prepare with a missing ascp: %#v", err)
	}
	for err, want := range map[error]int{
		nil: ExitOK,
		err: ExitNoAscp,
		InputError(schema.Problems{{Pointer: "/x", Expected: "y"}}): ExitUsage,
		events.NewError(events.FromSetup, 0, "disk full"):           ExitFailed,
		errors.New("plain"): ExitFailed,
	} {
		if got := ExitCodeOf(err); got != want {
			t.Errorf("ExitCodeOf(%v) = %d, want %d", err, got, want)
		}
	}
}
