package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/session"
)

// A job ends its command reader before the summary, even while the
// caller's writer stays open: a reader that can be interrupted (here an
// os.Pipe) is, the goroutine is joined before Transfer returns, and the
// caller gets the reader back with no deadline left on it.
func TestLibraryJoinsTheCommandReader(t *testing.T) {
	spec := libraryWork(t, 1000, 0)
	commands, feed, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer commands.Close()
	defer feed.Close()
	var out bytes.Buffer
	summary, err := session.Transfer(context.Background(), []byte(spec), session.Options{
		Ascp: ascpsimBin, Commands: commands, Out: events.NewWriter(&out)})
	if err != nil || summary.Status != events.StatusCompleted {
		t.Fatalf("transfer: %v\n%s", err, out.String())
	}
	checkJoined(t, "Transfer", 1000)
	if _, err := feed.WriteString("still mine\n"); err != nil {
		t.Fatal(err)
	}
	_ = commands.SetReadDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, 64)
	n, err := commands.Read(got)
	if err != nil || !strings.HasPrefix(string(got[:n]), "still mine") {
		t.Errorf("reading the command pipe after the job: %q, %v", got[:n], err)
	}
}

// checkJoined checks, once the job is over, that libraryWork's file of size
// bytes arrived and that no command reader is left running after the call
// named by returned.
func checkJoined(t *testing.T, returned string, size int) {
	t.Helper()
	if got, err := os.ReadFile(filepath.Join(os.Getenv("ASCPSIM_ROOT"), "lib", "src.bin")); err != nil || len(got) != size {
		t.Fatalf("uploaded file: %d bytes, %v", len(got), err)
	}
	stacks := make([]byte, 1<<20)
	stacks = stacks[:runtime.Stack(stacks, true)]
	if bytes.Contains(stacks, []byte("commandRouter).read")) {
		t.Errorf("the command reader is still running after %s returned:\n%s", returned, stacks)
	}
}
