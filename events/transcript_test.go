package events

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/internal/framejson"
)

var update = flag.Bool("update", false, "rewrite golden files from the current output")

// TestTranscripts decodes every management transcript in testdata/frames
// and compares the JSON lines with the golden .jsonl beside it. The last
// golden line records how the stream ended and what the reader discarded.
func TestTranscripts(t *testing.T) {
	transcripts, err := filepath.Glob("../testdata/frames/*.txt")
	if err != nil || len(transcripts) == 0 {
		t.Fatalf("no transcripts found: %v", err)
	}
	for _, path := range transcripts {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		t.Run(name, func(t *testing.T) {
			input, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := decodeTranscript(t, input, false)
			// The relay's single pass must give the very same lines.
			if one := decodeTranscript(t, input, true); !bytes.Equal(one, got) {
				t.Errorf("the Transcoder's lines differ from the encoder's (-encoder +transcoder):\n%s", cmp.Diff(string(got), string(one)))
			}
			goldenPath := strings.TrimSuffix(path, ".txt") + ".jsonl"
			if *update {
				if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("golden file: %v (run go test ./events -update and review it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("events differ from %s (-want +got):\n%s", goldenPath, diff)
			}
			ended := strings.HasPrefix(name, "good_")
			if ended != bytes.Contains(got, []byte(`"end":"EOF"`)) {
				t.Errorf("a good_ transcript must end cleanly and a fail_ one must not")
			}
		})
	}
}

// decodeTranscript writes input's frames as the Writer's lines, each
// encoded from a frame of Reader.Next, or made by a Transcoder (onePass).
func decodeTranscript(t *testing.T, input []byte, onePass bool) []byte {
	t.Helper()
	var out bytes.Buffer
	w := NewWriter(&out)
	r := mgmt.NewReader(bytes.NewReader(input))
	tr := framejson.NewTranscoder(r, nil)
	var end error
	for {
		var err error
		if onePass {
			var lines []byte
			if _, lines, err = tr.AppendNext(nil); err == nil {
				err = w.Lines(lines)
			}
		} else if f, nextErr := r.Next(); nextErr != nil {
			err = nextErr
		} else if err = w.Frame(f, nil); err != nil {
			t.Fatal(err)
		}
		if err != nil {
			end = err
			break
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n")) {
		if len(line) > 0 && !json.Valid(line) {
			t.Errorf("invalid JSON line: %s", line)
		}
	}
	endName := end.Error()
	if end.Error() == "EOF" {
		endName = "EOF"
	}
	fmt.Fprintf(&out, `{"end":%q,"discarded_frames":%d,"stray_lines":%d,"malformed_lines":%d}`+"\n",
		endName, r.Stats.DiscardedFrames, r.Stats.StrayLines, r.Stats.MalformedLines)
	return out.Bytes()
}
