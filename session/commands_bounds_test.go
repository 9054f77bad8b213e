package session

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"

	"github.com/faspkit/asession/events"
)

// A command line over the limit costs that command only: the channel goes
// on, and a CANCEL after it still reaches the session.
func TestLongCommandLineDoesNotCloseTheChannel(t *testing.T) {
	var out bytes.Buffer
	r := newCommandRouter(1, false, events.NewWriter(&out), zerolog.Nop())
	long := `{"type":"START","source":"` + strings.Repeat("x", maxCommandLine) + `","destination":"/d"}`
	r.read(strings.NewReader(long + "\n" + `{"type":"RATE","rate":100000000000000000000000000000}` + "\n" + `{"type":"CANCEL"}`))
	r.out.Flush()
	select {
	case cmd := <-r.queues[0]:
		if cmd.Type != "CANCEL" {
			t.Errorf("first command delivered: %s, want CANCEL", cmd.Type)
		}
	default:
		t.Fatal("CANCEL after the long line was not delivered")
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "command line 1 ignored: longer than") ||
		gjson.Get(lines[1], "problems.0.pointer").Str != "/rate" {
		t.Errorf("error lines:\n%s", out.String())
	}
}

// RATE values are integers within MaxRateKbps; START values hold no NUL.
func TestParseCommandBounds(t *testing.T) {
	for line, pointer := range map[string]string{
		`{"type":"RATE","rate":1e29}`:                                 "/rate",
		`{"type":"RATE","rate":100000001}`:                            "/rate",
		`{"type":"RATE","min_rate":-1}`:                               "/min_rate",
		`{"type":"START","source":"/a\u0000b","destination":"/d"}`:    "/source",
		`{"type":"RATE","rate":` + strings.Repeat("[", 100) + `1}`:    "/",
		`{"type":"START","source":"/a","destination":"/d\u0000/etc"}`: "/destination",
	} {
		_, problems := ParseCommand([]byte(line))
		if len(problems) == 0 || problems[0].Pointer != pointer {
			t.Errorf("%.60s: problems %v, want one at %s", line, problems, pointer)
		}
	}
	if cmd, problems := ParseCommand([]byte(`{"type":"RATE","rate":100000000,"min_rate":0}`)); problems != nil || len(cmd.Pairs) != 4 {
		t.Errorf("the largest rate is refused: %v", problems)
	}
}

// Once the job has stopped the command channel (it does so just before the
// summary) on a reader it cannot interrupt (an io.Pipe has no deadline),
// whatever still arrives writes no line after the summary and queues
// nothing: read returns at end of input even when the lines would overflow
// every queue, and nothing is left blocked.
func TestNothingFromTheCommandChannelAfterTheSummary(t *testing.T) {
	var out bytes.Buffer
	r := newCommandRouter(2, true, events.NewWriter(&out), zerolog.Nop())
	pr, pw := io.Pipe()
	go r.read(pr)
	r.stop(pr)
	go func() {
		_, _ = io.WriteString(pw, "{\"type\":\"BOGUS\"}\n"+strings.Repeat("{\"type\":\"CANCEL\"}\n", 3000)+strings.Repeat("x", maxCommandLine+1)+"\n")
		_ = pw.Close()
	}()
	select {
	case <-r.readDone:
	case <-time.After(30 * time.Second):
		t.Fatal("the command reader is still blocked after end of input")
	}
	r.out.Flush()
	if out.Len() != 0 {
		t.Errorf("lines written after the summary:\n%.300s", out.String())
	}
}
