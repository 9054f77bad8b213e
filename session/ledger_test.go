package session

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
			l := newLedger(list)
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

// The sessions of a job share the list's index but not what each has
// finished; pairs keep their destination with their source.
func TestLedgersOfSessionsShareTheIndexOnly(t *testing.T) {
	list := &ascp.ListFile{Option: "--file-pair-list", Lines: []string{"/s/1", "d1", "/s/2", "d2", "/s/3", "d3"}}
	ledgers := newLedgers([]ascp.Invocation{{ListFile: list}, {ListFile: list}, {}})
	if ledgers[0].index != ledgers[1].index || ledgers[2].index != nil {
		t.Fatal("the sessions of one list do not share its index")
	}
	f := stopFrame(t, "STOP", "/s/2")
	ledgers[0].observe(f.Type(), f)
	f = stopFrame(t, "STOP", "/s/1")
	ledgers[1].observe(f.Type(), f)
	if lines := beginLines(t, ledgers[0]); !slices.Equal(lines, []string{"/s/1", "d1", "/s/3", "d3"}) {
		t.Errorf("session 1 re-sends %q", lines)
	}
	if lines := beginLines(t, ledgers[1]); !slices.Equal(lines, []string{"/s/2", "d2", "/s/3", "d3"}) {
		t.Errorf("session 2 re-sends %q", lines)
	}
	if lines := beginLines(t, ledgers[2]); len(lines) != 0 || ledgers[2].unfinished() {
		t.Errorf("the session without a list sends %q", lines)
	}
}

// A persistent session's STARTs: the unfinished are replayed, with the
// DONE; one whose source is a list argument's leaves that to the list.
func TestLedgerReplaysUnfinishedStarts(t *testing.T) {
	l := newLedger(nil)
	a := &Command{Type: "START", Pairs: []string{"Source", "/p/a"}}
	b := &Command{Type: "START", Pairs: []string{"Source", "/p/b"}}
	l.begin()
	l.taken(a, true)
	l.taken(b, true)
	l.taken(&Command{Type: "DONE"}, true)
	f := stopFrame(t, "STOP", "/p/a")
	l.observe(f.Type(), f)
	replay := l.begin()
	if len(replay) != 2 || replay[0] != b || replay[1].Type != "DONE" {
		t.Fatalf("replay %v, want b then DONE", replay)
	}
	// Replayed, then finished by its ARGSTOP: nothing left but the DONE.
	l.taken(b, true)
	f = argStop("0")
	l.observe(f.Type(), f)
	if replay = l.begin(); len(replay) != 1 || replay[0].Type != "DONE" {
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
	if err := l.writeLines(&b); err != nil || b.Len() == 0 {
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
	l := newLedger(list)
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
	l = newLedger(list)
	l.begin()
	if lines, err := ledgerLines(l); err == nil {
		t.Errorf("a list file cut short gives %q, no error", lines)
	}
}

// releasedList is the list file of a job of paths (a JSON array), written
// and released as a big job's is: its lines are read back from the file.
func releasedList(t *testing.T, paths string) *ascp.ListFile {
	t.Helper()
	in, e := CheckInput([]byte(`{"remote_host":"h","remote_user":"u","direction":"send","destination_root":"/d","paths":`+paths+`}`), CheckOptions{})
	if e != nil {
		t.Fatal(e)
	}
	p, err := Prepare(in, PrepareOptions{Ascp: os.Args[0], ListDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	list := p.Invocations[0].ListFile
	if err := list.Write(); err != nil {
		t.Fatal(err)
	}
	list.Release()
	return list
}

// A multi-session retry lists what no session delivered (by either name
// of a source), reading the released list as it goes: its text is not
// kept in memory afterwards.
func TestUndeliveredReadsTheListWithoutKeepingIt(t *testing.T) {
	list := releasedList(t, `[{"source":"/s/1","destination":"d1"},{"source":"rel/2","destination":"d2"},{"source":"/s//3","destination":"d3"},{"source":"/s/4","destination":"d4"}]`)
	abs, err := filepath.Abs("rel/2")
	if err != nil {
		t.Fatal(err)
	}
	j := &job{}
	j.sent.add([]byte(abs))
	j.sent.add([]byte("/s//3"))
	var b strings.Builder
	n, err := j.undelivered(list, &b)
	if err != nil || n != 4 || b.String() != "/s/1\nd1\n/s/4\nd4\n" {
		t.Fatalf("undelivered %q (%d), %v", b.String(), n, err)
	}
	if list.Held() != nil {
		t.Error("the released list's lines are held in memory after undelivered")
	}
	if err := os.WriteFile(list.Path, []byte("/s/1\nd1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := j.undelivered(list, io.Discard); err == nil {
		t.Errorf("a list file cut short gives %d lines, no error", n)
	}
	if err := os.WriteFile(list.Path, []byte("/s/1\nd1\nrel/2\nd2\n/s//3\nd3\n/s/4\nd4\n/s/5\nd5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := j.undelivered(list, io.Discard); err == nil {
		t.Error("a list file longer than written gives no error")
	}
}
