package framejson

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/faspkit/asession/ascp/mgmt"
)

// FuzzFrameJSON runs whatever a management stream holds through the
// reader and the JSON encoder, as the relay does (the account has its own
// fuzz target):
// every line must be one valid JSON object whose type is the frame's, and
// nothing may panic. Seeds: ../testdata/frames and testdata/fuzz/FuzzFrameJSON.
func FuzzFrameJSON(f *testing.F) {
	paths, _ := filepath.Glob("../../testdata/frames/*.txt")
	if len(paths) == 0 {
		f.Fatal("no transcripts in ../testdata/frames")
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(mgmt.AppendFrame(nil, "STATS", "Bytescont", "-0", "Rate", "0007", "Size", "99999999999999999999", "Remote", "Yes",
		"\xff\"\\Key", "\x00\x1f\x7f\u2028", "TransfersAttempted", "-", "FILEERROR", "x"))
	f.Add(mgmt.AppendFrame(nil, "FILEERROR", "File", "\xe2\x82", "Code", "-9223372036854775808", "Description", "d"))
	f.Add(mgmt.AppendFrame(nil, "NOTIFICATION", "PreTransferBytes", "-5", "TransferBytes", "999999999999999999"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := mgmt.NewReader(bytes.NewReader(data))
		enc := NewFrameEncoder()
		var line []byte
		for {
			fr, err := r.Next()
			if err != nil {
				break
			}
			line = enc.AppendFrame(line[:0], fr, []byte(`"session":2`))
			var obj map[string]any
			if err := json.Unmarshal(line, &obj); err != nil {
				t.Fatalf("line %q is not a JSON object: %v", line, err)
			}
			// asession's own members cannot be overridden by a field: a
			// consumer where the last duplicate key wins sees them too.
			if typ, _ := obj["type"].(string); typ != validUTF8(fr.Type()) {
				t.Fatalf("type %q, frame type %q in %s", typ, fr.Type(), line)
			}
			if obj["session"] != 2.0 {
				t.Fatalf("session %v in %s", obj["session"], line)
			}
			// Each key once: consumers disagree on which duplicate wins.
			if n := topLevelMembers(t, line); n != len(obj) {
				t.Fatalf("%d members but %d keys in %s", n, len(obj), line)
			}
		}
	})
}

// validUTF8 is s as encoding/json reads it back: invalid bytes as U+FFFD.
func validUTF8(b []byte) string {
	var out []rune
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		out = append(out, r)
		b = b[n:]
	}
	return string(out)
}

// topLevelMembers counts the members of the JSON object line, repeated
// keys included.
func topLevelMembers(t *testing.T, line []byte) int {
	dec := json.NewDecoder(bytes.NewReader(line))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	n := 0
	for dec.More() {
		if _, err := dec.Token(); err != nil { // the key
			t.Fatal(err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}
