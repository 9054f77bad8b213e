package account

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/schema"
)

// stopFrame is a STOP (or SKIP) naming source, as ascp reports a file
// argument delivered.
func stopFrame(t *testing.T, typ, source string) *mgmt.Frame {
	t.Helper()
	return &mgmt.Frame{Fields: []mgmt.Field{{Name: []byte("Type"), Value: []byte(typ)}, {Name: []byte("Source"), Value: []byte(source)}}}
}

func argStop(failed string) *mgmt.Frame {
	return &mgmt.Frame{Fields: []mgmt.Field{{Name: []byte("Type"), Value: []byte("ARGSTOP")}, {Name: []byte("ArgTransfersFailed"), Value: []byte(failed)}}}
}

// testLedger is the walk of a job of one ascp through list.
func testLedger(list *ascp.ListFile) *ledger {
	var it *items
	if list == nil {
		it = newItems(nil)
	} else {
		it = newItems(list)
	}
	return newLedger(it, false)
}

// sharedLedgers are the walks of n ascp processes sharing list (-C).
func sharedLedgers(list *ascp.ListFile, n int) []*ledger {
	it := newItems(list)
	var ledgers []*ledger
	for range n {
		ledgers = append(ledgers, newLedger(it, true))
	}
	return ledgers
}

// observe is what the account does with a frame that finishes an item.
func (l *ledger) observe(typ []byte, f *mgmt.Frame) {
	switch string(typ) {
	case "STOP", "SKIP":
		if src, ok := f.Lookup(mgmt.NameSource); ok {
			l.finished(src, ItemDelivered)
		}
	case "ARGSTOP":
		n, ok := intField(f, mgmt.NameArgTransfersFailed)
		l.argStop(ok && n == 0)
	}
}

// What a retry re-sends after STOPs and ARGSTOPs: only the arguments
// not finished, whatever name ascp used for a source (as listed, or its
// absolute clean path), and the same when every source's hash collides
// (the index checks each hit against the line).
func TestLedgerRetrySendsOnlyTheUnfinished(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("its cases are Unix paths: /data/a has no drive, so Windows takes it for a relative path")
	}
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, collide := range []bool{false, true} {
		name := "hashes"
		if collide {
			name = "every hash colliding"
		}
		t.Run(name, func(t *testing.T) {
			if collide {
				defer func(h func([]byte) uint64) { ledgerHash = h }(ledgerHash)
				ledgerHash = func([]byte) uint64 { return 7 }
			}
			list := &ascp.ListFile{Option: "--file-list", Lines: []string{
				"/data/a", "rel/b", "/data//c", "/data/d", "/data/a", "/data/e"}}
			l := testLedger(list)
			lines := beginLines(t, l)
			if !slices.Equal(lines, list.Lines) {
				t.Fatalf("first attempt sends %q, want the whole list", lines)
			}
			// b by its absolute path, c by its clean path, a by its name
			// (the first of the two arguments that name it: the fifth is
			// left to its ARGSTOP), d by an ARGSTOP without failures. A
			// STOP of a file inside an argument (a folder) finishes
			// nothing, and an ARGSTOP with failures neither.
			for _, f := range []*mgmt.Frame{
				stopFrame(t, "STOP", filepath.Join(cwd, "rel/b")),
				stopFrame(t, "SKIP", "/data/c"),
				stopFrame(t, "STOP", "/data/a"),
				stopFrame(t, "STOP", "/data/e/inside"),
				argStop("1"), argStop("1"), argStop("1"), argStop("0"), argStop("1"), argStop("1"),
			} {
				l.observe(f.Type(), f)
			}
			lines = beginLines(t, l)
			if !slices.Equal(lines, []string{"/data/a", "/data/e"}) {
				t.Errorf("retry sends %q, want the second /data/a and /data/e", lines)
			}
			if !l.unfinished() {
				t.Error("unfinished() is false with two arguments left")
			}
			// The retry's ARGSTOPs count from its own first argument.
			for range 2 {
				f := argStop("0")
				l.observe(f.Type(), f)
			}
			if lines = beginLines(t, l); len(lines) != 0 || l.unfinished() {
				t.Errorf("after the retry's ARGSTOPs: sends %q, unfinished %v", lines, l.unfinished())
			}
		})
	}
}

// The ascp processes of a job share its items: what one finished, none
// sends again, and one source sent to two destinations is two items.
func TestLedgersOfSessionsShareTheItems(t *testing.T) {
	list := &ascp.ListFile{Option: "--file-pair-list", Lines: []string{"/s/1", "d1", "/s/2", "d2", "/s/3", "d3", "/s/1", "d4"}}
	ledgers := sharedLedgers(list, 2)
	if ledgers[0].index != ledgers[1].index {
		t.Fatal("the sessions of one list do not share its index")
	}
	f := stopFrame(t, "STOP", "/s/2")
	ledgers[0].observe(f.Type(), f)
	f = stopFrame(t, "STOP", "/s/1")
	ledgers[1].observe(f.Type(), f)
	for k, l := range ledgers {
		if lines := beginLines(t, l); !slices.Equal(lines, []string{"/s/3", "d3", "/s/1", "d4"}) {
			t.Errorf("session %d re-sends %q", k+1, lines)
		}
	}
	it := ledgers[0].items
	if it.allFinished(it.refsOf([]byte("/s/1"))) {
		t.Error("/s/1 to d4 taken as delivered by /s/1 to d1")
	}
	if !it.allFinished(it.refsOf([]byte("/s/2"))) {
		t.Error("/s/2 not delivered")
	}
	// An ARGSTOP of one ascp of several says how its share went: it
	// finishes nothing.
	for range 2 {
		f = argStop("0")
		ledgers[0].observe(f.Type(), f)
	}
	if lines := beginLines(t, ledgers[1]); len(lines) != 4 {
		t.Errorf("after a shared ARGSTOP, re-sends %q", lines)
	}
	if l := testLedger(nil); l.unfinished() {
		t.Error("a session without a list has something to send")
	}
}

// A persistent session's STARTs: the unfinished are replayed, with the
// DONE; a START another session delivered is not.
func TestLedgerReplaysUnfinishedStarts(t *testing.T) {
	it := newItems(nil)
	l, other := newLedger(it, true), newLedger(it, true)
	a, b, c := "a", "b", "c"
	l.begin()
	l.taken(a, "START", "/p/a", true)
	l.taken(b, "START", "/p/b", true)
	l.taken(c, "START", "/p/c", true)
	l.taken("done", "DONE", "", true)
	other.taken(c, "START", "/p/c", true)
	f := stopFrame(t, "STOP", "/p/a")
	l.observe(f.Type(), f)
	f = stopFrame(t, "STOP", "/p/c")
	other.observe(f.Type(), f)
	replay, done := l.begin()
	if len(replay) != 1 || replay[0] != b || !done {
		t.Fatalf("replay %v (done %v), want b then DONE", replay, done)
	}
	// Replayed, then its share passed in this session's ARGSTOP: nothing
	// is left but the DONE.
	l.taken(b, "START", "/p/b", true)
	f = argStop("0")
	l.observe(f.Type(), f)
	if replay, done = l.begin(); len(replay) != 0 || !done {
		t.Errorf("replay %v, want only DONE", replay)
	}
}

// beginLines starts an attempt and returns its list lines.
func beginLines(t *testing.T, l *ledger) []string {
	t.Helper()
	l.begin()
	lines, err := ledgerLines(l)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// ledgerLines is what writeLines writes, line by line.
func ledgerLines(l *ledger) ([]string, error) {
	var b strings.Builder
	if _, err := l.writeLines(&b); err != nil || b.Len() == 0 {
		return nil, err
	}
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n"), nil
}

// A big job's list lines are dropped once written and read back from the
// list file when a file is reported and when a retry lists the rest.
func TestLedgerReadsBackAReleasedList(t *testing.T) {
	paths := `[{"source":"/s/1","destination":"d1"},{"source":"/s/\u00e9","destination":"d\\2"},{"source":"/s/3","destination":"d3"}]`
	list := releasedList(t, paths)
	want := []string{"/s/1", "d1", "/s/é", `d\2`, "/s/3", "d3"}
	if got, err := os.ReadFile(list.Path); err != nil || string(got) != "/s/1\nd1\n/s/é\nd\\2\n/s/3\nd3\n" {
		t.Fatalf("list file %q, %v", got, err)
	}
	l := testLedger(list)
	if lines := beginLines(t, l); !slices.Equal(lines, want) {
		t.Fatalf("first attempt %q, want %q", lines, want)
	}
	f := stopFrame(t, "STOP", "/s/é")
	l.observe(f.Type(), f)
	if lines := beginLines(t, l); !slices.Equal(lines, []string{"/s/1", "d1", "/s/3", "d3"}) {
		t.Errorf("retry %q after /s/é was delivered", lines)
	}
	// A list file that is not what was written is an error, never a
	// shorter retry.
	list = releasedList(t, paths)
	if err := os.WriteFile(list.Path, []byte("/s/1\nd1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l = testLedger(list)
	l.begin()
	if lines, err := ledgerLines(l); err == nil {
		t.Errorf("a list file cut short gives %q, no error", lines)
	}
}

// releasedList is the list file of a job of paths (a JSON array), written
// and released as a big job's is: its lines are read back from the file.
func releasedList(t *testing.T, paths string) *ascp.ListFile {
	t.Helper()
	in, problems := schema.ParseInput([]byte(`{"remote_host":"h","remote_user":"u","direction":"send","destination_root":"/d","paths":`+paths+`}`), "")
	if problems != nil {
		t.Fatal(problems)
	}
	cmds, err := ascp.Build(in.Spec, ascp.BuildOptions{ListDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	list := cmds[0].ListFile
	if err := list.Write(); err != nil {
		t.Fatal(err)
	}
	list.Release()
	return list
}

// The retry of a job of several ascp processes as one lists what no
// session delivered (by either name of a source), reading the released
// list as it goes: its text is not kept in memory afterwards.
func TestRetryAloneReadsTheListWithoutKeepingIt(t *testing.T) {
	list := releasedList(t, `[{"source":"/s/1","destination":"d1"},{"source":"rel/2","destination":"d2"},{"source":"/s//3","destination":"d3"},{"source":"/s/4","destination":"d4"}]`)
	abs, err := filepath.Abs("rel/2")
	if err != nil {
		t.Fatal(err)
	}
	ledgers := sharedLedgers(list, 2)
	for k, name := range []string{abs, "/s//3"} {
		f := stopFrame(t, "STOP", name)
		ledgers[k].observe(f.Type(), f)
	}
	l := ledgers[0]
	l.multi = false
	var b strings.Builder
	l.begin()
	n, err := l.writeLines(&b)
	if err != nil || n != 2 || b.String() != "/s/1\nd1\n/s/4\nd4\n" {
		t.Fatalf("undelivered %q (%d), %v", b.String(), n, err)
	}
	if list.Held() != nil {
		t.Error("the released list's lines are held in memory after the retry's list")
	}
	if err := os.WriteFile(list.Path, []byte("/s/1\nd1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := l.writeLines(io.Discard); err == nil {
		t.Errorf("a list file cut short gives %d lines, no error", n)
	}
	if err := os.WriteFile(list.Path, []byte("/s/1\nd1\nrel/2\nd2\n/s//3\nd3\n/s/4\nd4\n/s/5\nd5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := l.writeLines(io.Discard); err == nil {
		t.Error("a list file longer than written gives no error")
	}
}
