package batch

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkJournalPerJob is the journal's work for one job of a batch:
// claim it, read what others appended, record it running and done (two
// synced appends; the queued record is written for many jobs at once),
// release it.
func BenchmarkJournalPerJob(b *testing.B) {
	j, err := openJournal(filepath.Join(b.TempDir(), "journal"))
	if err != nil {
		b.Fatal(err)
	}
	defer j.close()
	code := 0
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("job-%d", i)
		i++
		if err := j.claim(id); err != nil {
			b.Fatal(err)
		}
		if err := j.refresh(); err != nil {
			b.Fatal(err)
		}
		if err := j.append(record{Job: id, State: StateRunning, Attempt: 1, Digest: "0123456789abcdef0123456789abcdef"}); err != nil {
			b.Fatal(err)
		}
		if err := j.append(record{Job: id, State: StateDone, Attempt: 1, Digest: "0123456789abcdef0123456789abcdef", ExitCode: &code}); err != nil {
			b.Fatal(err)
		}
		j.release(id)
	}
}
