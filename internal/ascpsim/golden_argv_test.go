package ascpsim

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldenDryRunArgvParse: every command line asession's dry-run goldens
// show (testdata/specs/good_*.golden.json) must be one the stand-in's
// option parser takes, so that a builder change the stand-in would refuse
// shows here first. The placeholders of a dry run become ordinary values.
func TestGoldenDryRunArgvParse(t *testing.T) {
	goldens, err := filepath.Glob("../../testdata/specs/good_*.golden.json")
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no goldens: %v", err)
	}
	replacer := strings.NewReplacer("<management-port>", "33333", "<private-temp-dir>", "/tmp/private", "$INSTALL", "/opt/aspera")
	checked := 0
	for _, golden := range goldens {
		data, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		var report struct {
			Sessions []struct{ Argv []string }
		}
		if err := json.Unmarshal(data, &report); err != nil {
			t.Fatalf("%s: %v", golden, err)
		}
		if len(report.Sessions) == 0 {
			t.Errorf("%s: no sessions", golden)
		}
		for i, s := range report.Sessions {
			args := make([]string, len(s.Argv)-1)
			for j, a := range s.Argv[1:] {
				args[j] = replacer.Replace(a)
			}
			if _, err := parseArgs(args); err != nil {
				t.Errorf("%s session %d: the stand-in refuses %q: %v", filepath.Base(golden), i+1, args, err)
			}
			checked++
		}
	}
	t.Logf("%d command lines parsed", checked)
}
