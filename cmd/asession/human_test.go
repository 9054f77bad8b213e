package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files: testdata/human, and the summaries of testdata/transcripts")

// TestHumanRendering renders every JSON-lines file of testdata/human as a
// terminal shows it and compares with the golden .txt beside it. The input
// arrives in small pieces, as writes cut lines anywhere.
func TestHumanRendering(t *testing.T) {
	inputs, err := filepath.Glob("../../testdata/human/*.jsonl")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, path := range inputs {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".jsonl"), func(t *testing.T) {
			input, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			r := newHumanRenderer(&out)
			for len(input) > 0 {
				n := min(7, len(input))
				if _, err := r.Write(input[:n]); err != nil {
					t.Fatal(err)
				}
				input = input[n:]
			}
			golden := strings.TrimSuffix(path, ".jsonl") + ".txt"
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("golden file: %v (run make generate and review it)", err)
			}
			if diff := cmp.Diff(string(want), out.String()); diff != "" {
				t.Errorf("rendering differs from %s (-want +got):\n%s", golden, diff)
			}
			for _, c := range out.String() {
				if c < 0x20 && c != '\n' || c == 0x7f {
					t.Errorf("a control character reached the terminal: %q", out.String())
					break
				}
			}
		})
	}
}
