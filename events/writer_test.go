package events

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/faspkit/asession/ascp/mgmt"
)

// With timestamps every kind of line starts with the same "time" member
// and stays valid JSON; stamping a frame costs no allocation.
func TestWriterTimestamps(t *testing.T) {
	frame, err := mgmt.NewReader(bytes.NewReader(mgmt.AppendFrame(nil, "STATS", "File", "/a b", "Bytescont", "12"))).Next()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := NewWriter(&out)
	clock := time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.FixedZone("x", 3600))
	w.SetTimestamps(func() time.Time { return clock })
	_ = w.Frame(frame, nil)
	_ = w.Line([]byte(`{"type":"progress","status":"running"}` + "\n"))
	_ = w.Event(NewError(FromInput, 0, "bad"))
	// A relay's gathered lines each get their own.
	_ = w.Lines([]byte(`{"type":"START"}` + "\n" + `{"type":"STOP"}` + "\n"))
	_ = w.Flush()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("lines: %q", out.String())
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, `{"time":"2026-01-02T02:04:05.678Z","type":"`) || !json.Valid([]byte(line)) {
			t.Errorf("line %q", line)
		}
	}
	if !strings.HasSuffix(lines[0], `"file":"/a b","bytes_cont":12}`) {
		t.Errorf("frame line altered: %q", lines[0])
	}

	if !w.Timestamps() || NewWriter(io.Discard).Timestamps() {
		t.Errorf("Timestamps does not say whether lines get a time")
	}

	quiet := NewWriter(io.Discard)
	quiet.SetTimestamps(time.Now)
	if n := testing.AllocsPerRun(100, func() { _ = quiet.Frame(frame, nil); _ = quiet.Flush() }); n != 0 {
		t.Errorf("a stamped frame costs %v allocations", n)
	}
}

// Gathered lines go out in order with the Writer's own, a big batch
// without a copy, and a write error stays.
func TestWriterLines(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	_ = w.Line([]byte("{\"a\":1}\n"))
	big := bytes.Repeat([]byte("{\"type\":\"STATS\",\"size\":1}\n"), 4000)
	if err := w.Lines(big); err != nil {
		t.Fatal(err)
	}
	_ = w.Lines([]byte("{\"b\":2}\n"))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "{\"a\":1}\n" + string(big) + "{\"b\":2}\n"
	if out.String() != want {
		t.Fatalf("lines out of order or lost: %d bytes, want %d", out.Len(), len(want))
	}
	out.Reset()
	if err := w.Lines(big); err != nil || out.Len() != len(big) {
		t.Fatalf("a batch past the threshold was not written at once: %d bytes, %v", out.Len(), err)
	}
	failing := NewWriter(errWriter{})
	if err := failing.Lines(big); err == nil || failing.Lines([]byte("{}\n")) == nil {
		t.Fatalf("a write error was not kept")
	}
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }
