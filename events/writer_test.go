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
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 {
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

	quiet := NewWriter(io.Discard)
	quiet.SetTimestamps(time.Now)
	if n := testing.AllocsPerRun(100, func() { _ = quiet.Frame(frame, nil); _ = quiet.Flush() }); n != 0 {
		t.Errorf("a stamped frame costs %v allocations", n)
	}
}
