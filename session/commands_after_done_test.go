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

// The end of input sends DONE for a client that did not, and ends a
// Linger; after a DONE without Linger it sends nothing: ascp ends on the
// first, and a second reaching it as it closes made it reset the
// connection, which failed the job (good_persistent_multi_session, once
// under load).
func TestEndOfInputSendsDoneOnlyWhenNeeded(t *testing.T) {
	for _, tc := range []struct{ input, want string }{
		{`{"type":"START","source":"/a"}`, "START,DONE"},
		{`{"type":"DONE"}`, "DONE"},
		{`{"type":"START","source":"/a"}` + "\n" + `{"type":"DONE"}`, "START,DONE"},
		{`{"type":"DONE","operation":"Linger"}`, "DONE,DONE"},
		{`{"type":"DONE","operation":"Linger"}` + "\n" + `{"type":"DONE"}`, "DONE,DONE"},
	} {
		var out bytes.Buffer
		r := newCommandRouter(2, true, events.NewWriter(&out), zerolog.Nop())
		r.read(strings.NewReader(tc.input + "\n"))
		for i, q := range r.queues {
			var got []string
			for len(q) > 0 {
				got = append(got, (<-q).Type)
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("%s: session %d was sent %v, want %s", tc.input, i+1, got, tc.want)
			}
		}
	}
}
