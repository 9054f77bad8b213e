//go:build linux

package session

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/testns"
)

// A summary file that cannot be written fails the job, whose transfer
// completed: an error line (source output), exit 1, and the summary line
// saying so. An older run's summary at the path is removed rather than
// left to be read as this job's. The full disk is a 8 KiB tmpfs, mounted
// where only this test sees it (root; CI runs as root).
func TestSummaryFileCannotBeWritten(t *testing.T) {
	expect := func(t *testing.T, res *hostileResult, desc string) {
		t.Helper()
		if res.outcome.ExitCode != ExitFailed || res.outcome.Err == nil || res.outcome.Err.Origin != events.FromOutput ||
			!strings.Contains(res.outcome.Err.Description, desc) {
			t.Errorf("exit %d, error %+v; want 1, output: ...%s...", res.outcome.ExitCode, res.outcome.Err, desc)
		}
		last := gjson.Parse(res.sink.last())
		if last.Get("exit_code").Int() != ExitFailed || last.Get("status").Str != "failed" || last.Get("files.completed").Int() != 1 {
			t.Errorf("summary line %s, want exit_code 1, failed, the file completed", res.sink.last())
		}
		if len(res.sink.errors) != 1 {
			t.Errorf("error lines %q, want the summary file's", res.sink.errors)
		}
	}
	t.Run("missing_folder", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "gone", "summary.json")
		expect(t, hostileRun{scenario: "good", summaryFile: path}.run(t), "cannot write the summary file")
	})
	t.Run("full_disk_with_an_older_summary", func(t *testing.T) {
		if !testns.Enter(t, syscall.CLONE_NEWNS) {
			return
		}
		dir := testns.Tmpfs(t, 8<<10)
		path := filepath.Join(dir, "summary.json")
		if err := os.WriteFile(path, []byte(`{"type":"summary","status":"completed","exit_code":0,"job_id":"an-older-job"}`+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		fill(t, filepath.Join(dir, "filler"))
		res := hostileRun{scenario: "good", summaryFile: path}.run(t)
		expect(t, res, "no space left on device; the file an earlier run left there was removed")
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the older summary is still there (%v)", err)
		}
	})
}

// fill writes path until its file system is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}
