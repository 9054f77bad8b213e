package batch

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
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
	if runtime.GOOS == "windows" {
		// A copy: Windows needs no privilege for it, and runs it by its
		// .exe name.
		ascpBin += ".exe"
		err = copyFile(self, ascpBin)
	} else {
		err = os.Symlink(self, ascpBin)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Race-built binaries otherwise sleep a second at exit.
	os.Setenv("GORACE", "atexit_sleep_ms=0")
	return m.Run()
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
