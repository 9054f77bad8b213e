package batch

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/session"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/lists")

// TestReadJobs walks testdata/lists: each NAME.jsonl is a job list, and
// NAME.golden what ReadJobs makes of it: the jobs it accepts, by id and
// envelope, then the error line of each line it refuses.
func TestReadJobs(t *testing.T) {
	lists, _ := filepath.Glob("testdata/lists/*.jsonl")
	if len(lists) == 0 {
		t.Fatal("no job lists in testdata/lists")
	}
	for _, path := range lists {
		name := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			jobs, refused := ReadJobs(f, ReadOptions{})
			var got bytes.Buffer
			for _, j := range jobs {
				fmt.Fprintf(&got, "job %q: %s to %s\n", j.ID, j.Input.Envelope, j.Input.Spec.String("remote_host"))
			}
			out := events.NewWriter(&got)
			for _, r := range refused {
				if err := r.WriteLine(out); err != nil {
					t.Fatal(err)
				}
			}
			golden := strings.TrimSuffix(path, ".jsonl") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("%s (-golden +got):\n%s", name, diff)
			}
			if strings.HasPrefix(name, "good_") != (len(refused) == 0) {
				t.Errorf("%s: %d lines refused", name, len(refused))
			}
		})
	}
}

// A line over the size limit is refused by itself, and the next is read.
func TestReadJobsLineTooLong(t *testing.T) {
	spec := `{"remote_host":"h","remote_user":"u","remote_password":"pw","direction":"send","paths":[{"source":"/a"}],"destination_root":"/up"}`
	long := `{"id":"long","remote_host":"` + strings.Repeat("h", 400) + `"}`
	for _, tail := range []string{"\n", ""} {
		in := spec + "\n" + long + "\n" + spec + "\n" + long + tail
		jobs, refused := ReadJobs(strings.NewReader(in), ReadOptions{Check: session.CheckOptions{MaxBytes: 200}})
		if len(jobs) != 2 || jobs[0].ID != "1" || jobs[1].ID != "3" {
			t.Errorf("jobs %+v", jobs)
		}
		if len(refused) != 2 || refused[0].Line != 2 || refused[1].Line != 4 ||
			!strings.Contains(refused[0].Err.Description, "line 2: invalid input: /: expected a JSON object, found the line is over 200 bytes") {
			t.Errorf("refused %+v", refused)
		}
	}
}

// The digest names what a job transfers, not its credentials: a renewed
// token leaves it the same job, another destination makes another.
func TestDigest(t *testing.T) {
	parse := func(line string) string {
		j, err := ParseJob([]byte(line), 1, session.CheckOptions{})
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return digest(j.Input)
	}
	base := parse(`{"remote_host":"h","remote_user":"u","token":"Bearer one","direction":"send","paths":[{"source":"/a"}],"destination_root":"/up"}`)
	if d := parse(`{"id":"x","remote_host":"h","remote_user":"u","token":"Bearer two","direction":"send","paths":[{"source":"/a"}],"destination_root":"/up"}`); d != base {
		t.Errorf("a new token changed the digest")
	}
	if d := parse(`{"remote_host":"h","remote_user":"u","token":"Bearer one","direction":"send","paths":[{"source":"/a"}],"destination_root":"/other"}`); d == base {
		t.Errorf("another destination kept the digest")
	}
}
