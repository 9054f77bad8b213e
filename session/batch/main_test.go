package batch

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faspkit/asession/internal/ascpsim"
)

// ascpBin is this test binary under the name ascp: run by that name it is
// the stand-in (ascpsim), so that the jobs of these tests run real ascp
// processes without a build step.
var ascpBin string

func TestMain(m *testing.M) {
	if strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe") == "ascp" {
		os.Exit(ascpsim.Main())
	}
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "batch-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ascpBin = filepath.Join(dir, "ascp")
	if err := os.Symlink(self, ascpBin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Race-built binaries otherwise sleep a second at exit.
	os.Setenv("GORACE", "atexit_sleep_ms=0")
	return m.Run()
}
