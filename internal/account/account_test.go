package account

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
)

// frame is one management frame, as ascp would send it.
func frame(t testing.TB, typ string, pairs ...string) *mgmt.Frame {
	t.Helper()
	r := mgmt.NewReader(bytes.NewReader(mgmt.AppendFrame(nil, typ, pairs...)))
	f, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// observe feeds session i of a the frames, each a type and its pairs.
func observe(t testing.TB, a *Account, i int, frames ...[]string) {
	t.Helper()
	for _, f := range frames {
		a.Observe(i, frame(t, f[0], f[1:]...))
	}
}

func wantProgress(t *testing.T, a *Account, written, expected int64, c events.FileCounts) events.Snapshot {
	t.Helper()
	s := a.Snapshot()
	if s.BytesWritten != written || s.BytesExpected != expected || s.Counts != c {
		t.Fatalf("written %d of %d, counts %+v; want %d of %d, %+v", s.BytesWritten, s.BytesExpected, s.Counts, written, expected, c)
	}
	return s
}

// A retry keeps what the first attempt finished; the bytes and the
// percentage hold while the resumed file catches up; a file reported again
// by the retry counts once; a file that fails before its START was
// attempted too.
func TestAcrossRetry(t *testing.T) {
	a := New(Options{Sessions: 1})
	a.Begin(1)
	observe(t, a, 1,
		[]string{"NOTIFICATION", "PreTransferBytes", "300"},
		[]string{"START", "File", "/a", "Size", "100", "StartByte", "0"},
		[]string{"STOP", "File", "/a", "Size", "100", "TransferBytes", "100"},
		[]string{"START", "File", "/b", "Size", "100", "StartByte", "0"},
		[]string{"STATS", "File", "/b", "TransferBytes", "150"})
	wantProgress(t, a, 150, 300, events.FileCounts{Attempted: 2, Completed: 1})

	a.EndAttempt(1, End{ExitStatus: 1})
	a.Retry(1)
	// willretry: nothing goes back, /b is still attempted.
	s := wantProgress(t, a, 150, 300, events.FileCounts{Attempted: 2, Completed: 1})
	if s.Status != events.StatusWillRetry || s.Percentage != 0.5 {
		t.Fatalf("willretry %s %v", s.Status, s.Percentage)
	}
	a.Begin(1)
	// The retry's ascp sends the whole folder again: /a is there already.
	observe(t, a, 1,
		[]string{"NOTIFICATION", "PreTransferBytes", "300"},
		[]string{"STOP", "File", "/a", "Size", "100", "StartByte", "100", "TransferBytes", "0"},
		[]string{"START", "File", "/b", "Size", "100", "StartByte", "40"})
	wantProgress(t, a, 150, 300, events.FileCounts{Attempted: 2, Completed: 1}) // 140 would be less
	observe(t, a, 1, []string{"STATS", "File", "/b", "TransferBytes", "60"})
	wantProgress(t, a, 200, 300, events.FileCounts{Attempted: 2, Completed: 1})
	observe(t, a, 1,
		[]string{"STOP", "File", "/b", "Size", "100", "StartByte", "40", "TransferBytes", "60"},
		[]string{"SKIP", "File", "/c", "Size", "100"})
	s = wantProgress(t, a, 300, 300, events.FileCounts{Attempted: 3, Completed: 3, Skipped: 1})
	if s.Percentage != maxUnfinished {
		t.Errorf("every byte there, but not completed: %v, want %v", s.Percentage, maxUnfinished)
	}
	observe(t, a, 1, []string{"FILEERROR", "File", "/missing", "Code", "4"})
	wantProgress(t, a, 300, 300, events.FileCounts{Attempted: 4, Completed: 3, Failed: 1, Skipped: 1})
	a.Finish(events.StatusCompleted)
	if s := a.Snapshot(); s.Percentage != 1 {
		t.Errorf("completed at %v", s.Percentage)
	}
}

// Each rule of the package doc's Verdicts, with frames IBM's fixtures show.
func TestVerdicts(t *testing.T) {
	cases := []struct {
		name   string
		frames [][]string
		end    End
		code   int  // 0 with failed: not an ascp error code
		failed bool // the attempt failed
	}{
		{"DONE, exit 0", [][]string{{"DONE"}}, End{}, 0, false},
		{"DONE, exit 1", [][]string{{"DONE"}}, End{ExitStatus: 1}, 0, true},
		{"ERROR then DONE repeating it, exit 0", [][]string{{"ERROR", "Code", "5", "Description", "Read access denied"},
			{"DONE", "Code", "5", "Description", "Read access denied"}}, End{}, 5, true},
		{"DONE with TransfersFailed", [][]string{{"DONE", "TransfersAttempted", "1", "TransfersFailed", "1"}}, End{}, events.CodeSomeFileErrors, true},
		{"DONE with a Code", [][]string{{"DONE", "Code", "19"}}, End{}, 19, true},
		{"DONE with Code 0", [][]string{{"DONE", "Code", "0"}}, End{}, 0, false},
		{"an ERROR whose Code is not a number", [][]string{{"ERROR", "Code", "five"}, {"DONE"}}, End{}, 0, true},
		{"no final message", [][]string{{"STATS", "TransferBytes", "10"}}, End{}, 0, true},
		{"a cut stream", [][]string{{"DONE"}}, End{Stream: mgmt.ErrIncomplete}, 0, false},
		{"an unreadable stream", nil, End{Stream: errors.New("line too long")}, 0, true},
		{"stopped by asession", [][]string{{"DONE"}}, End{Stopped: events.NewError(events.FromStall, events.CodeStalled, "stalled")}, events.CodeStalled, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := New(Options{Sessions: 1})
			a.Begin(1)
			observe(t, a, 1, c.frames...)
			v := a.EndAttempt(1, c.end)
			if (v.Err != nil) != c.failed || v.Err != nil && v.Err.Code != c.code {
				t.Fatalf("verdict %v, want failed %v with code %d", v.Err, c.failed, c.code)
			}
		})
	}
}

// A FILEERROR for a source is no failure when every item of that source
// was delivered before (its source removed since); one source sent to two
// destinations is two items.
func TestForgivenOnlyWhenEveryItemOfTheSourceWasDelivered(t *testing.T) {
	list := &ascp.ListFile{Option: "--file-pair-list", Lines: []string{"/s/a", "d1", "/s/a", "d2", "/s/b", "d3"}}
	missing := func(src string) [][]string {
		return [][]string{{"FILEERROR", "File", src, "Code", "4"}, {"ERROR", "Code", "27", "Description", "1 of 1 files failed"}}
	}
	// An earlier attempt delivered /s/b and died before its ARGSTOP: the
	// retry's FILEERROR for it (removed since) is forgiven.
	a := New(Options{Sessions: 1, List: list})
	a.Begin(1)
	observe(t, a, 1,
		[]string{"ARGSTOP", "ArgTransfersFailed", "0"}, []string{"ARGSTOP", "ArgTransfersFailed", "0"},
		[]string{"START", "File", "d3", "Source", "/s/b", "Size", "10", "StartByte", "0"},
		[]string{"STOP", "File", "d3", "Source", "/s/b", "Size", "10", "TransferBytes", "10"})
	a.EndAttempt(1, End{ExitStatus: 1})
	a.Retry(1)
	a.Begin(1)
	observe(t, a, 1, missing("/s/b")...)
	if v := a.EndAttempt(1, End{ExitStatus: 1}); v.Err != nil || v.Forgiven != 1 {
		t.Fatalf("a delivered source's FILEERROR: %v, forgiven %d", v.Err, v.Forgiven)
	}

	// /s/a delivered to d1 only: its FILEERROR for d2 fails the attempt.
	a = New(Options{Sessions: 1, List: list})
	a.Begin(1)
	observe(t, a, 1,
		[]string{"START", "File", "d1", "Source", "/s/a", "Size", "10", "StartByte", "0"},
		[]string{"STOP", "File", "d1", "Source", "/s/a", "Size", "10", "TransferBytes", "10"},
		[]string{"ARGSTOP", "ArgTransfersFailed", "0"})
	observe(t, a, 1, missing("/s/a")...)
	if v := a.EndAttempt(1, End{ExitStatus: 1}); v.Err == nil || v.Err.Code != events.CodeSomeFileErrors {
		t.Fatalf("the second destination of a delivered source: %v", v.Err)
	}
	if c := a.Items(); c.Delivered != 1 || c.Failed != 1 || c.Pending != 1 {
		t.Errorf("items %+v", c)
	}
}

// In a job of several ascp processes, a session that finds a source
// missing which another delivered, that STOP relayed later, is failed
// only until the job settles.
func TestSharedFailureSettlesWhenAnotherSessionDelivered(t *testing.T) {
	list := &ascp.ListFile{Option: "--file-list", Lines: []string{"/s/a", "/s/b"}}
	a := New(Options{Sessions: 2, List: list})
	a.Begin(1)
	a.Begin(2)
	observe(t, a, 2, []string{"FILEERROR", "File", "/s/a", "Code", "4"}, []string{"ERROR", "Code", "4", "Description", "No such file"})
	v := a.EndAttempt(2, End{ExitStatus: 1})
	if v.Err == nil || !v.Shared {
		t.Fatalf("session 2: %v, shared %v", v.Err, v.Shared)
	}
	observe(t, a, 1,
		[]string{"START", "File", "/d/a", "Source", "/s/a", "Size", "10", "StartByte", "0"},
		[]string{"STOP", "File", "/d/a", "Source", "/s/a", "Size", "10", "TransferBytes", "10"},
		[]string{"START", "File", "/d/b", "Source", "/s/b", "Size", "10", "StartByte", "0"},
		[]string{"STOP", "File", "/d/b", "Source", "/s/b", "Size", "10", "TransferBytes", "10"},
		[]string{"DONE"})
	if v := a.EndAttempt(1, End{}); v.Err != nil {
		t.Fatal(v.Err)
	}
	if a.Settle([]int{2}) {
		t.Error("something left to deliver")
	}
	if s := a.Snapshot(); s.Counts != (events.FileCounts{Attempted: 2, Completed: 2}) || len(s.FailedFiles) != 0 {
		t.Errorf("after settling: %+v, failed %v", s.Counts, s.FailedFiles)
	}
}

// FuzzAccount: whatever frames come, in whatever order, from two
// sessions, with retries: no panic, every progress line is one JSON
// object whose counts add up, and neither bytes written nor the
// percentage go back.
func FuzzAccount(f *testing.F) {
	f.Add(mgmt.AppendFrame(mgmt.AppendFrame(nil, "START", "File", "/a", "Size", "10", "StartByte", "4"), "STOP", "File", "/a", "Size", "10", "StartByte", "10"))
	f.Add(mgmt.AppendFrame(nil, "STATS", "TransferBytes", "-5", "FileBytes", "99999999999999999999", "StartByte", "-1"))
	f.Add(mgmt.AppendFrame(mgmt.AppendFrame(nil, "FILEERROR", "File", "\xe2\x82", "Code", "x"), "DONE", "TransfersFailed", "-3", "TransfersPassed", "7"))
	f.Fuzz(func(t *testing.T, data []byte) {
		clock := time.Unix(0, 0)
		list := &ascp.ListFile{Option: "--file-list", Lines: []string{"/a", "/b"}}
		a := New(Options{Sessions: 2, List: list, Now: func() time.Time { clock = clock.Add(time.Millisecond); return clock }})
		r := mgmt.NewReader(bytes.NewReader(data))
		var written int64
		var pct float64
		for i := 0; ; i++ {
			fr, err := r.Next()
			if err != nil {
				break
			}
			s := 1 + i%2
			a.Observe(s, fr)
			if i%7 == 6 {
				a.EndAttempt(s, End{ExitStatus: i % 3})
				a.Retry(s)
				a.Begin(s)
			}
			line, ok := a.DueProgress(nil, 0, true)
			if !ok {
				continue
			}
			var p struct {
				Percentage   float64           `json:"percentage"`
				BytesWritten int64             `json:"bytes_written"`
				Counts       events.FileCounts `json:"file_counts"`
			}
			if err := json.Unmarshal(line, &p); err != nil {
				t.Fatalf("progress line %q: %v", line, err)
			}
			c := p.Counts
			if c.Attempted < c.Completed+c.Failed || c.Failed < 0 || c.Completed < 0 || p.BytesWritten < written || p.Percentage < pct || p.Percentage >= 1 {
				t.Fatalf("line %s after %d bytes, %v", line, written, pct)
			}
			written, pct = p.BytesWritten, p.Percentage
		}
		a.Finish(events.StatusFailed)
		if _, err := json.Marshal(events.NewSummary("job", a.Snapshot(), events.StatusFailed, 1, nil)); err != nil {
			t.Fatal(err)
		}
	})
}

// A STOP with no START before it, whose StartByte is its Size, is a file
// complete at the destination already (reference §9); any other STOP is a
// delivery, an empty file's too (nothing tells it apart). Observe says
// which, for the checks made of finished files.
func TestHowAStopFinishesAFile(t *testing.T) {
	for _, c := range []struct {
		frames [][]string
		want   ItemState
	}{
		{[][]string{{"STOP", "Size", "100", "StartByte", "100", "FileBytes", "0", "TransferBytes", "0"}}, ItemAlreadyThere},
		{[][]string{{"STOP", "Size", "100", "StartByte", "100"}}, ItemAlreadyThere},
		// FileBytes and TransferBytes are the session's running totals.
		{[][]string{{"STOP", "Size", "100", "StartByte", "100", "FileBytes", "5000"}}, ItemAlreadyThere},
		{[][]string{{"STOP", "Size", "100", "StartByte", "0", "FileBytes", "100"}}, ItemDelivered},
		{[][]string{{"START", "File", "/a", "Size", "100", "StartByte", "100"}, {"STOP", "File", "/a", "Size", "100", "StartByte", "100"}}, ItemDelivered},
		{[][]string{{"STOP", "Size", "100", "StartByte", "40", "FileBytes", "60"}}, ItemDelivered}, // resumed
		{[][]string{{"STOP", "Size", "0", "StartByte", "0", "FileBytes", "0"}}, ItemDelivered},
		{[][]string{{"STOP", "File", "/a"}}, ItemDelivered},
		{[][]string{{"SKIP", "File", "/a", "Size", "100"}}, ItemSkipped},
		{[][]string{{"STOP", "File", "/a", "Size", "100"}, {"STOP", "File", "/a", "Size", "100"}}, ItemPending}, // finished before
	} {
		a := New(Options{Sessions: 1})
		a.Begin(1)
		var got ItemState
		for _, f := range c.frames {
			got = a.Observe(1, frame(t, f[0], f[1:]...))
		}
		if got != c.want {
			t.Errorf("%q: %d, want %d", c.frames, got, c.want)
		}
	}
}
