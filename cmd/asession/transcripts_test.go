package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/faspkit/asession/internal/jsonschema"
)

// volatileSummary are the summary members that change from run to run.
var volatileSummary = []string{"job_id", "start_time", "end_time", "elapsed_usec", "avg_rate_kbps",
	"ascp_version", "ascp_version_error", "ascp_session_ids"}

// TestReplayedTranscripts runs asession over each management transcript of
// testdata/transcripts: frames in the shapes IBM's own code shows real ascp
// sending (aspera-cli's "excerpts of actual transfers", the COS and FASP
// Manager SDK fixtures), replayed by ascpsim as the ascp of a job (one
// transcript per session), which then exits as the archive says. The
// summary, less what changes from run to run, must be the golden one, its
// exit code asession's, and every line must add up and follow the events
// schema. An archive holds:
//
//	spec.json    the job (stdin)
//	flags        asession's flags, one per line (optional)
//	exit         ascp's exit status (optional, 0)
//	session-N    the frames of session N
//	summary.json the golden summary (go test -run TestReplayedTranscripts -update)
func TestReplayedTranscripts(t *testing.T) {
	archives, err := filepath.Glob("../../testdata/transcripts/*.txtar")
	if err != nil || len(archives) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	schemaText, err := os.ReadFile("../../schema/events.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := jsonschema.Parse(schemaText)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range archives {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			frames := filepath.Join(dir, "frames")
			files := map[string][]byte{}
			for _, f := range ar.Files {
				files[f.Name] = f.Data
				if strings.HasPrefix(f.Name, "session-") {
					if err := os.MkdirAll(frames, 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(frames, f.Name), f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			args := strings.Fields(string(files["flags"]))
			cmd := exec.Command(asessionBin, append([]string{"--retry-delay", "10ms"}, args...)...)
			cmd.Dir = dir
			cmd.Stdin = bytes.NewReader(files["spec.json"])
			cmd.Env = append(os.Environ(), "ASESSION_ASCP="+ascpsimBin, "ASCPSIM_REPLAY="+frames,
				"ASCPSIM_REPLAY_EXIT="+strings.TrimSpace(string(files["exit"])), "GORACE=atexit_sleep_ms=0", "TMPDIR="+dir)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			exit := 0
			var ee *exec.ExitError
			if err := cmd.Run(); errors.As(err, &ee) {
				exit = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			report := func(format string, a ...any) {
				t.Helper()
				t.Fatalf(format+"\nexit %d\nstdout:\n%s\nstderr:\n%s", append(a, exit, stdout.String(), stderr.String())...)
			}
			if err := checkCounters(stdout.String()); err != nil {
				report("%v", err)
			}
			var summary map[string]any
			sc := bufio.NewScanner(bytes.NewReader(stdout.Bytes()))
			sc.Buffer(nil, 16<<20)
			for n := 1; sc.Scan(); n++ {
				if errs := schema.Validate(sc.Bytes()); len(errs) > 0 {
					report("line %d breaks events.schema.json: %v", n, errs)
				}
				var line map[string]any
				if json.Unmarshal(sc.Bytes(), &line) == nil && line["type"] == "summary" {
					summary = line
				}
			}
			if summary == nil {
				report("no summary")
			}
			if code, _ := summary["exit_code"].(float64); int(code) != exit {
				report("summary exit_code %v, asession exited %d", summary["exit_code"], exit)
			}
			if good := strings.HasPrefix(name, "good_"); good != (exit == 0) {
				report("a good_ transcript must complete and a fail_ one must not")
			}
			for _, key := range volatileSummary {
				delete(summary, key)
			}
			got, err := json.MarshalIndent(summary, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			if *update {
				for i := range ar.Files {
					if ar.Files[i].Name == "summary.json" {
						ar.Files[i].Data = got
					}
				}
				if files["summary.json"] == nil {
					ar.Files = append(ar.Files, txtar.File{Name: "summary.json", Data: got})
				}
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(string(files["summary.json"]), string(got)); diff != "" {
				report("summary differs from the golden one (-want +got):\n%s", diff)
			}
		})
	}
}
