package ascpsim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A source another program holds open (without sharing deletion) cannot
// be removed on Windows: the transfer still succeeds, the source stays,
// and ascpsim says so on stderr, as ascp does in its log, rather than
// failing without a word.
func TestRemoveAfterTransferReportsASourceItCannotRemove(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	src := filepath.Join(local, "held")
	writeFile(t, src, []byte("held open"))
	held, err := os.Open(src) // Go shares reading and writing, not deletion
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	run := startSim(t, root, simOpts{}, send("--remove-after-transfer", src, "/")...)
	run.mustSucceed()
	if _, err := os.Stat(src); err != nil {
		t.Fatalf("the held source is gone: %v", err)
	}
	if got := run.stderr.String(); !strings.Contains(got, "cannot remove source "+src+" after transfer") {
		t.Errorf("stderr %q does not say that the source was not removed", got)
	}
}
