package events

import (
	"bytes"
	"testing"

	"github.com/faspkit/asession/ascp/mgmt"
)

// observe feeds the tracker one frame of session 1.
func observe(t *testing.T, tr *Tracker, typ string, pairs ...string) {
	t.Helper()
	r := mgmt.NewReader(bytes.NewReader(mgmt.AppendFrame(nil, typ, pairs...)))
	f, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	tr.Observe(1, f)
}

func wantSnapshot(t *testing.T, tr *Tracker, pct float64, c FileCounts) {
	t.Helper()
	s := tr.Snapshot()
	if s.Percentage < pct-1e-9 || s.Percentage > pct+1e-9 || s.Counts != c {
		t.Fatalf("percentage %v counts %+v, want %v %+v", s.Percentage, s.Counts, pct, c)
	}
}

// TestTrackerAcrossRetry: a retry keeps what the first attempt finished,
// the percentage holds while the resumed file catches up, a file reported
// again by the retry counts once, and a file that fails before its START
// was attempted too.
func TestTrackerAcrossRetry(t *testing.T) {
	tr := NewTracker(1, nil)
	observe(t, tr, "NOTIFICATION", "PreTransferBytes", "300")
	observe(t, tr, "START", "File", "/a", "Size", "100", "StartByte", "0")
	observe(t, tr, "STOP", "File", "/a", "Size", "100", "TransferBytes", "100")
	observe(t, tr, "START", "File", "/b", "Size", "100", "StartByte", "0")
	observe(t, tr, "STATS", "File", "/b", "TransferBytes", "150")
	wantSnapshot(t, tr, 0.5, FileCounts{Attempted: 2, Completed: 1})

	tr.Retry(1)
	// The retry's ascp sends the whole directory again: /a is skipped.
	observe(t, tr, "NOTIFICATION", "PreTransferBytes", "300")
	observe(t, tr, "SKIP", "File", "/a", "Size", "100")
	observe(t, tr, "START", "File", "/b", "Size", "100", "StartByte", "40")
	wantSnapshot(t, tr, 0.5, FileCounts{Attempted: 2, Completed: 1}) // 140 of 300 would be less
	observe(t, tr, "STATS", "File", "/b", "TransferBytes", "60")
	wantSnapshot(t, tr, 200.0/300, FileCounts{Attempted: 2, Completed: 1})
	observe(t, tr, "STOP", "File", "/b", "Size", "100", "TransferBytes", "60")
	observe(t, tr, "SKIP", "File", "/c", "Size", "100")
	wantSnapshot(t, tr, 1, FileCounts{Attempted: 3, Completed: 3, Skipped: 1})
	observe(t, tr, "FILEERROR", "File", "/missing", "Code", "4")
	wantSnapshot(t, tr, 1, FileCounts{Attempted: 4, Completed: 3, Failed: 1, Skipped: 1})
}
