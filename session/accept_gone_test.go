package session

import (
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/ascp/proc"
)

// A connection whose owner is found gone is a stranger that hung up at
// once, unless the wait ended with no connection proven ascp's and the
// guard closed this one itself while the lookup ran: then the peer is gone
// because we hung up, and may have been ascp's own (stopped for a prompt,
// on Windows, whose table lookup can outlast the stop); reporting it as
// refused would put a second, false error line on stdout. Once ascp's
// connection is taken, the others still being looked up are strangers'.
func TestGoneConnectionCountsOnlyWhileTheWaitLasts(t *testing.T) {
	for _, tc := range []struct {
		name        string
		afterStop   bool // the lookup answers only once stop has closed the connection
		ascpTaken   bool // stop is given a connection proven ascp's
		wantRefused bool
	}{
		{"gone_while_waiting", false, false, true},
		{"gone_because_stop_closed_it", true, false, false},
		{"gone_at_stop_after_ascps_was_taken", true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := listenLoopback()
			if err != nil {
				t.Fatal(err)
			}
			var guard atomic.Pointer[portGuard]
			looked := make(chan struct{})
			saved := identify
			t.Cleanup(func() { identify = saved })
			identify = func(net.Conn, *proc.Process) peer {
				defer close(looked)
				for tc.afterStop && !guard.Load().isClosed() {
					time.Sleep(time.Millisecond)
				}
				return peer{verdict: peerGone, uid: -1}
			}
			g := newPortGuard(&runner{cmd: &ascp.Invocation{}}, ln)
			guard.Store(g)
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if !tc.afterStop {
				<-looked
			} else {
				for g.inFlight() == 0 {
					time.Sleep(time.Millisecond)
				}
			}
			var taken net.Conn
			if tc.ascpTaken {
				// Only compared with what the guard admitted: a pipe will do.
				ours, theirs := net.Pipe()
				defer ours.Close()
				defer theirs.Close()
				taken = ours
			}
			g.stop(taken)
			if got := g.refused.any(); got != tc.wantRefused {
				t.Errorf("refused: %v (%q), want %v", got, g.refused.describe(), tc.wantRefused)
			}
		})
	}
}
