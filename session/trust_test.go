package session

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

// The library refuses what the job description may not choose even for a
// caller that parsed the input itself (schema.ParseInput, then Run or
// DryRun), before anything exists: the program's folder (sdk), asession's
// folder (file_list_folder), raw ascp arguments (agent.ascp_args,
// EX_ascp_args). Options.AllowInputOverrides lets them through.
func TestInputOverridesNeedTheCaller(t *testing.T) {
	dir := t.TempDir()
	lists := filepath.Join(dir, "lists")
	input, _ := json.Marshal(map[string]any{
		"spec": map[string]any{"remote_host": "h", "remote_user": "u", "remote_password": "pw", "direction": "send",
			"paths": []map[string]string{{"source": "/a"}}, "EX_ascp_args": []string{"--x"}},
		"agent": map[string]any{"ascp_args": []string{"-L", "/tmp"}}, "sdk": filepath.Join(dir, "sdk"), "file_list_folder": lists,
	})
	in, problems := schema.ParseInput(input, "")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	want := []string{"/sdk", "/file_list_folder", "/agent/ascp_args", "/spec/EX_ascp_args"}
	pointers := func(err error) []string {
		var e *events.Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v, want an input error", err)
		}
		var got []string
		for _, p := range e.Problems {
			got = append(got, p.Pointer)
		}
		return got
	}
	o := Run(context.Background(), in, Options{Ascp: "/nonexistent/ascp"})
	if o.ExitCode != ExitUsage || !slices.Equal(pointers(o.Err), want) {
		t.Errorf("Run: exit %d, error %v; want exit 2 naming %v", o.ExitCode, o.Err, want)
	}
	if _, err := os.Stat(lists); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file_list_folder was created (%v) though the input was refused", err)
	}
	_, err := DryRun(in, PrepareOptions{Ascp: "/nonexistent/ascp"}, "JOB")
	if !slices.Equal(pointers(err), want) {
		t.Errorf("DryRun: %v, want %v refused", err, want)
	}
	if _, e := CheckInput(input, CheckOptions{}); e == nil || !slices.Equal(pointers(e), want) {
		t.Errorf("CheckInput: %v, want %v refused", e, want)
	}
	// Allowed, they are taken: the missing ascp is the only complaint left.
	_, err = DryRun(in, PrepareOptions{Ascp: "/nonexistent/ascp", AllowInputOverrides: true}, "JOB")
	var e *events.Error
	if !errors.As(err, &e) || e.Origin != events.FromLocate || !strings.Contains(e.Description, "/nonexistent/ascp") {
		t.Errorf("allowed: %v, want only ascp not found", err)
	}
}
