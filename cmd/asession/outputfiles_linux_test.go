package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/internal/testns"
)

// An --events-file whose disk fills up stops the job, which ends on stdout
// as any failed job does: an error line saying what happened and the
// summary (exit 1). Before, the tee failed stdout with the file: exit 1
// with neither. The disk is a 16 KiB tmpfs mounted where only this test
// sees it (root; CI runs as root); ascpsim replays 3000 frames.
func TestEventsFileFillsUp(t *testing.T) {
	if !testns.Enter(t, syscall.CLONE_NEWNS) {
		return
	}
	full := testns.Tmpfs(t, 16<<10)
	dir := t.TempDir()
	var frames []byte
	for i := range 3000 {
		frames = mgmt.AppendFrame(frames, "STATS", "SessionId", "fill", "File", "/dst/a.bin", "Bytescont", strconv.Itoa(i),
			"TransferBytes", strconv.Itoa(i), "Elapsedusec", strconv.Itoa(i*10))
	}
	frames = mgmt.AppendFrame(frames, "DONE", "SessionId", "fill", "FilesComplete", "1")
	transcript := filepath.Join(dir, "frames")
	spec := filepath.Join(dir, "job.json")
	if err := errors.Join(os.WriteFile(transcript, frames, 0o600), os.WriteFile(spec, []byte(`{"remote_host":"h","remote_user":"u",`+
		`"remote_password":"pw","direction":"send","paths":[{"source":"/src/a.bin"}],"destination_root":"/dst"}`), 0o600)); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(asessionBin, "--ascp", ascpsimBin, "--events-file", filepath.Join(full, "events.jsonl"), "@file:"+spec)
	cmd.Env = append(os.Environ(), "ASCPSIM_REPLAY="+transcript)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("asession: %v, want exit 1\nstderr:\n%s", err, stderr.String())
	}
	var last string
	errorLines := 0
	for sc := bufio.NewScanner(&stdout); sc.Scan(); {
		last = sc.Text()
		if gjson.Get(last, "type").Str == "error" && strings.Contains(last, "cannot write the events file") &&
			strings.Contains(last, "no space left on device") && gjson.Get(last, "source").Str == "output" {
			errorLines++
		}
	}
	if errorLines != 1 {
		t.Errorf("%d error lines about the events file on stdout, want 1", errorLines)
	}
	if s := gjson.Parse(last); s.Get("type").Str != "summary" || s.Get("exit_code").Int() != 1 || s.Get("status").Str != "failed" {
		t.Errorf("last line %s, want the summary of a failed job", last)
	}
}
