package ascpsim

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGrowingFileGetsEveryByte: a file still being written, given as
// file:///PATH?grow=2, is sent while it grows; its transfer ends only once it
// has been quiet for two seconds, with every appended byte at the
// destination.
func TestGrowingFileGetsEveryByte(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	live := filepath.Join(local, "live.bin")
	first := pattern(100_000, 7)
	writeFile(t, live, first)
	want := append([]byte{}, first...)
	// Buffered, and no t.Error in the writer: it may outlive a test that
	// failed early.
	appended, appendErr := make(chan []byte, 1), make(chan error, 1)
	go func() {
		// Six appends 150 ms apart: each lands well inside the quiet time,
		// even on a loaded machine.
		var all []byte
		for i := 0; i < 6; i++ {
			time.Sleep(150 * time.Millisecond)
			chunk := pattern(50_000+i, byte(20+i))
			f, err := os.OpenFile(live, os.O_WRONLY|os.O_APPEND, 0)
			if err == nil {
				_, err = f.Write(chunk)
				f.Close()
			}
			if err != nil {
				appendErr <- err
				break
			}
			all = append(all, chunk...)
		}
		appended <- all
	}()
	r := startSim(t, root, simOpts{}, send("-d", fileURL(live)+"?grow=2", "/in")...)
	fs := r.mustSucceed()
	want = append(want, <-appended...)
	select {
	case err := <-appendErr:
		t.Fatal(err)
	default:
	}
	got, err := os.ReadFile(filepath.Join(root, "in", "live.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("destination has %d bytes, the grown source %d", len(got), len(want))
	}
	stop := ofType(fs, "STOP")
	if len(stop) != 1 || stop[0].int(t, "Size") != int64(len(want)) || stop[0].int(t, "EndByte") != int64(len(want)) {
		t.Errorf("STOP frames %v, want one with Size and EndByte %d", stop, len(want))
	}
}

// TestGrowingFileOnlyOnTheCommandLine: a list file cannot carry an adapter
// URL; there it is an ordinary (missing) path.
func TestGrowingFileOnlyOnTheCommandLine(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	live := filepath.Join(local, "live.bin")
	writeFile(t, live, []byte("x"))
	list := filepath.Join(local, "list")
	writeFile(t, list, []byte(fileURL(live)+"?grow=1\n"))
	r := startSim(t, root, simOpts{}, send("-d", "--file-list="+list, "/in")...)
	r.wait()
	if _, err := os.Stat(filepath.Join(root, "in", "live.bin")); err == nil {
		t.Error("a list file's adapter URL was read as a growing file")
	}
	if len(ofType(r.all(), "FILEERROR")) == 0 {
		t.Errorf("no FILEERROR for the list line: %v", types(r.all()))
	}
}

// fileURL is path as a file URL: file:///home/x on Unix, file:///C:/x on
// Windows.
func fileURL(path string) string {
	return "file:///" + strings.TrimPrefix(filepath.ToSlash(path), "/")
}
