package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/account"
)

// The relay reads the clock for progress only every few frames of a
// burst. A burst that lasts longer than the interval must still show
// progress during it, not only at its end, and a frame the input goes
// idle after must still be followed by its line at once.
func TestProgressLinesDuringABurst(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows' clock moves in ticks of 0.5 to 15.6 ms: a burst parsed within one tick shows no time passing, whatever the interval")
	}
	const frames = 200
	var in strings.Builder
	for i := 1; i <= frames; i++ {
		fmt.Fprintf(&in, "%s\nType: STATS\nTransferBytes: %d\n\n", mgmt.Header, i*1000)
	}
	var out bytes.Buffer
	opts := Options{Out: events.NewWriter(&out), Events: EventsAll, ProgressInterval: time.Nanosecond}
	opts.defaults()
	j := &job{opts: &opts, acct: account.New(account.Options{Sessions: 1})}
	fr := frameRelay{job: j, session: 1, raw: true}
	// The whole stream is in the reader's buffer at once: a burst, idle
	// only after the last frame.
	reader := mgmt.NewReader(strings.NewReader(in.String()))
	fr.makeLines(reader)
	for i := range frames {
		f, line, err := fr.next(reader)
		if err != nil {
			t.Fatal(err)
		}
		idle := reader.Buffered() == 0
		if err := fr.frame(f, line, idle); err != nil {
			t.Fatal(err)
		}
		if idle != (i == frames-1) {
			t.Fatalf("the input went idle after a frame other than the last")
		}
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	var progress []int // index of each progress line among the lines
	for i, l := range lines {
		if strings.HasPrefix(l, `{"type":"progress"`) {
			progress = append(progress, i)
		}
	}
	if len(progress) < 2 || progress[0] != 1 {
		t.Fatalf("progress lines at %v of %d lines: want the first right after the first frame", progress, len(lines))
	}
	// Lines in the middle of the burst, and none more than a stride apart.
	for k := 1; k < len(progress); k++ {
		if gap := progress[k] - progress[k-1]; gap > progressStride+1 {
			t.Fatalf("progress lines %d and %d are %d lines apart in a burst", progress[k-1], progress[k], gap)
		}
	}
	// Each comes right after the frame it counts, whose line the relay
	// had gathered with others: they are written first.
	for _, p := range progress {
		var frame struct {
			TransferBytes int `json:"transfer_bytes"`
		}
		var prog struct {
			BytesWritten int `json:"bytes_written"`
		}
		if err := json.Unmarshal([]byte(lines[p-1]), &frame); err != nil || frame.TransferBytes == 0 {
			t.Fatalf("line before progress line %d is not a frame: %s", p, lines[p-1])
		}
		if err := json.Unmarshal([]byte(lines[p]), &prog); err != nil || prog.BytesWritten != frame.TransferBytes {
			t.Fatalf("progress line %d counts %d bytes after a frame of %d: %s", p, prog.BytesWritten, frame.TransferBytes, lines[p])
		}
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, `{"type":"progress"`) || !strings.Contains(last, fmt.Sprintf(`"bytes_written":%d`, frames*1000)) {
		t.Fatalf("the last frame, after which the input is idle, is not followed by its progress: %s", last)
	}
}
