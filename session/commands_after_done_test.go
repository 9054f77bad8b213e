package session

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/faspkit/asession/events"
)

// A START after DONE (Linger included) would be dropped by ascp, which
// takes no file once it has DONE: it is reported as an error line and not
// sent. What else follows DONE (RATE, CANCEL) still goes.
func TestStartAfterDoneIsReported(t *testing.T) {
	var out bytes.Buffer
	r := newCommandRouter(1, true, events.NewWriter(&out), zerolog.Nop())
	r.read(strings.NewReader(`{"type":"START","source":"/a"}
{"type":"DONE","operation":"Linger"}
{"type":"START","source":"/b"}
{"type":"RATE","rate":1000}
{"type":"CANCEL"}
`))
	_ = r.out.Flush()
	var got []string
	for len(r.queues[0]) > 0 {
		cmd := <-r.queues[0]
		got = append(got, cmd.Type+" "+strings.Join(cmd.Pairs, " "))
	}
	want := []string{"START Source /a", "DONE Operation Linger", "RATE Rate 1000", "CANCEL ", "DONE "} // the last: end of input
	if !slices.Equal(got, want) {
		t.Errorf("commands sent %q, want %q", got, want)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"source":"command"`) ||
		!strings.Contains(lines[0], "command line 3 ignored: START after the DONE of line 2") {
		t.Errorf("error lines:\n%s", out.String())
	}
}
