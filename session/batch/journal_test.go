package batch

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestJournalRecordsAndRereads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	a, err := openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	if err := a.append(record{Job: "x", State: StateQueued, Digest: "d"}, record{Job: "y", State: StateQueued}); err != nil {
		t.Fatal(err)
	}
	code := 0
	if err := a.append(record{Job: "x", State: StateDone, Attempt: 1, Digest: "d", ExitCode: &code}); err != nil {
		t.Fatal(err)
	}
	// It names what is transferred: the owner's alone (Windows has no
	// such bits).
	if info, err := os.Stat(path); err != nil || runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Fatalf("journal mode: %v %v", info.Mode(), err)
	}

	// Another reader (a re-run, or a second batch process) sees the last
	// state of each job.
	b, err := openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	if r, ok := b.state("x"); !ok || r.State != StateDone || r.Attempt != 1 || r.Digest != "d" || r.PID != os.Getpid() {
		t.Errorf("x: %+v %v", r, ok)
	}
	if r, ok := b.state("y"); !ok || r.State != StateQueued {
		t.Errorf("y: %+v %v", r, ok)
	}
	// ...and what is appended later, once it refreshes.
	if err := a.append(record{Job: "y", State: StateRunning, Attempt: 1}); err != nil {
		t.Fatal(err)
	}
	if err := b.refresh(); err != nil {
		t.Fatal(err)
	}
	if r, _ := b.state("y"); r.State != StateRunning {
		t.Errorf("y after refresh: %+v", r)
	}
}

// A record cut short by a crash of the machine is skipped, and the next
// record starts on a line of its own.
func TestJournalCutRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	if err := os.WriteFile(path, []byte(`{"job":"x","state":"done","attempt":1}`+"\n"+`{"job":"y","sta`), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := j.state("y"); ok {
		t.Error("the cut record was read")
	}
	if err := j.append(record{Job: "y", State: StateQueued}); err != nil {
		t.Fatal(err)
	}
	j.close()
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], `{"time":`) {
		t.Fatalf("journal:\n%s", data)
	}
	j, err = openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	if r, ok := j.state("y"); !ok || r.State != StateQueued {
		t.Errorf("y: %+v", r)
	}
	if r, _ := j.state("x"); r.State != StateDone {
		t.Errorf("x: %+v", r)
	}
}

// A job is claimed by one journal at a time, until it is released or the
// journal closed. On Linux the lock belongs to the open journal, so two in
// one process exclude each other too.
func TestJournalClaims(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		t.Skip("POSIX record locks belong to the process: two journals of one process do not exclude each other")
	}
	path := filepath.Join(t.TempDir(), "journal")
	a, err := openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	if err := a.claim("x"); err != nil {
		t.Fatal(err)
	}
	if err := a.claim("x"); err != nil {
		t.Errorf("claiming again what it holds: %v", err)
	}
	if err := b.claim("x"); !errors.Is(err, errClaimed) {
		t.Errorf("second claim of x: %v, want errClaimed", err)
	}
	if err := b.claim("y"); err != nil {
		t.Errorf("claim of another job: %v", err)
	}
	a.release("x")
	if err := b.claim("x"); err != nil {
		t.Errorf("claim after release: %v", err)
	}
	b.release("x")
	if err := a.claim("x"); err != nil {
		t.Fatal(err)
	}
	a.close()
	if err := b.claim("x"); err != nil {
		t.Errorf("claim after the holder closed: %v", err)
	}
}

// A journal is appended to, not replaced: a symbolic link at its path is
// never followed (one planted in a shared folder would have the batch
// append to a file of its planter's choosing), and another user's file is
// refused.
func TestJournalRefusesALinkOrAnotherUsersFile(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "journal")
	if err := os.Symlink(victim, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	// Wine 8's CreateSymbolicLinkW is a stub: it reports success and
	// makes nothing, so there is no link to refuse.
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Skipf("the system said it made a symbolic link, and there is none: %v, %v", fi, err)
	}
	if j, err := openJournal(link); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		if j != nil {
			j.close()
		}
		t.Errorf("a journal path that is a symbolic link: %v", err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "precious\n" {
		t.Errorf("the link's target was written: %q", data)
	}
	if runtime.GOOS == "windows" || os.Geteuid() != 0 {
		return // giving a file away takes root
	}
	theirs := filepath.Join(dir, "theirs")
	if err := os.WriteFile(theirs, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(theirs, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if j, err := openJournal(theirs); err == nil || !strings.Contains(err.Error(), "owned by uid 65534") {
		if j != nil {
			j.close()
		}
		t.Errorf("another user's journal: %v", err)
	}
}
