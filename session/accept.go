package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
)

// testHookAccepted, when set by a test, runs as ascp's connection has been
// proven and before it is handed over: a test can cancel the job in that
// window.
var testHookAccepted func()

// testHookVetted, when set by a test, runs once a connection's owner has
// been looked up, with the verdict: a stand-in ascp that exits at once
// can wait for it, as a real ascp, connected for at least an SSH
// handshake, never needs to.
var testHookVetted func(net.Conn, peer)

// identify looks up who holds the other end of a management connection;
// a test replaces it to decide when and what the lookup answers.
var identify = identifyPeer

// lateConnectionWait is how long a job cancelled while waiting for ascp's
// connection still looks for one already made: an ascp that has connected
// is stopped with CANCEL over its port, as the user asked, not killed.
const lateConnectionWait = 250 * time.Millisecond

// exitSettle bounds how long, once ascp has exited, the connections still
// being checked have to finish: the one ascp made before it exited may be
// among them.
const exitSettle = 2 * time.Second

// accept waits for ascp's management connection, and for everything that
// can happen instead: ascp exits, asks for a password, or takes too long.
// Any local process can connect to the port. Each connection is checked on
// its own goroutine, so a flood of them neither delays ascp's nor changes
// the job's result: only a connection whose socket is held by ascp or its
// descendants, and whose first message carries this job's id, is handed
// over; any other is closed unread, and the wait goes on as if it had not
// happened. The refusals are reported in one line when the wait ends.
func (r *runner) accept(ctx context.Context, ln net.Listener) (net.Conn, *Outcome) {
	g := newPortGuard(r, ln)
	conn, failure := r.awaitAscp(ctx, g)
	g.stop(conn)
	if desc := g.refused.describe(); desc != "" {
		e := events.NewError(events.FromConnect, 0, desc)
		if r.cmd.Sessions > 1 {
			e.Session = r.cmd.Index
		}
		// A line of its own, not the job's error: ascp's result decides
		// the exit code and the summary.
		_ = r.job.opts.Out.Event(e)
		_ = r.job.opts.Out.Flush()
		r.log().Warn().Str("refused", desc).Int("session", r.cmd.Index).Msg("refused management connections")
	}
	return conn, failure
}

func (r *runner) awaitAscp(ctx context.Context, g *portGuard) (net.Conn, *Outcome) {
	timeout := r.job.opts.ConnectTimeout
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case c := <-g.admitted:
		return c, nil
	case <-r.proc.Exited():
		// ascp may have connected, written its messages and exited before
		// its connection's check ended: let the checks finish.
		if c := g.settle(exitSettle); c != nil {
			return c, nil
		}
		status := r.proc.ExitCode()
		desc := fmt.Sprintf("ascp exited with status %d before connecting to the management port", status)
		if g.refused.any() {
			desc = fmt.Sprintf("ascp exited with status %d without a management connection proven to be its own (see the refused connections)", status)
		}
		e := events.NewError(events.FromAscpExit, 0, desc)
		e.ExitStatus = &status
		return nil, outcome(e, ExitNoAscp)
	case prompt := <-r.proc.Prompt():
		return nil, outcome(r.promptError(prompt), ExitFailed)
	case <-timer.C:
		desc := fmt.Sprintf("ascp did not connect to the management port within %s", timeout)
		if g.silentOurs() > 0 {
			desc = fmt.Sprintf("ascp connected to the management port but sent no message within %s", timeout)
		}
		return nil, outcome(events.NewError(events.FromConnect, 0, desc), ExitNoAscp)
	case <-ctx.Done():
		// ascp may have connected just as the job was cancelled: its
		// connection is taken, and the relay stops it with CANCEL.
		if c := g.settle(lateConnectionWait); c != nil {
			return c, nil
		}
		return nil, outcome(events.NewError(events.FromCancel, events.CodeUserCancel, "cancelled before ascp connected"), ExitFailed)
	}
}

// portGuard accepts the management port's connections while a runner waits
// for ascp's, checks each on a goroutine of its own, and hands over the
// first that is proven to be ascp's.
type portGuard struct {
	r        *runner
	ln       net.Listener
	admitted chan net.Conn // the one proven connection

	mu       sync.Mutex
	pending  map[net.Conn]bool // accepted, being checked
	silent   int               // proven ascp's, waiting for the first message
	closed   bool
	unproven bool // closed with no connection handed over
	admitOne bool
	wg       sync.WaitGroup

	refused refusals
}

func newPortGuard(r *runner, ln net.Listener) *portGuard {
	g := &portGuard{r: r, ln: ln, admitted: make(chan net.Conn, 1), pending: map[net.Conn]bool{}}
	g.wg.Add(1)
	go g.acceptLoop()
	return g
}

func (g *portGuard) acceptLoop() {
	defer g.wg.Done()
	backoff := time.Millisecond
	for {
		c, err := g.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || g.isClosed() {
				return
			}
			// Out of file descriptors under a flood, most likely: the
			// checks in flight free them. The connect timeout bounds the
			// wait.
			g.r.log().Debug().Err(err).Msg("management port accept")
			time.Sleep(backoff)
			backoff = min(2*backoff, 100*time.Millisecond)
			continue
		}
		backoff = time.Millisecond
		if !g.track(c) {
			c.Close()
			return
		}
		g.wg.Add(1)
		go g.check(c)
	}
}

// check proves c to be ascp's, or closes it and counts the refusal.
func (g *portGuard) check(c net.Conn) {
	defer g.wg.Done()
	defer g.forget(c)
	p := identify(c, g.r.proc)
	if testHookVetted != nil {
		testHookVetted(c, p)
	}
	switch p.verdict {
	case peerGone:
		if g.endedUnproven() {
			// The wait ended with no connection proven ascp's, and stop
			// closed this one while it was being looked up: the peer is
			// gone because we hung up, and may well have been ascp's
			// (on Windows the table lookup can outlast a prompt's stop).
			// Once ascp's is proven, every other one is a stranger's.
			c.Close()
			return
		}
		g.refuse(c, refusedGone, p, "")
		return
	case peerStranger:
		why := refusedOtherUser
		switch {
		case p.uid < 0:
			why = refusedOtherProcess
		case p.uid == os.Getuid():
			why = refusedSameUser
		}
		g.refuse(c, why, p, "")
		return
	}
	// ascp's (or, where the platform cannot tell, anyone's): its first
	// message must carry this job's id, as ascp repeats -u in every one.
	g.setSilent(+1)
	first, userStr, kind := readFirstMessage(c, g.r.job.opts.JobID)
	g.setSilent(-1)
	if g.isClosed() {
		c.Close() // the wait is over; nobody is refused for that
		return
	}
	switch kind {
	case firstWrongID:
		g.refuse(c, refusedUserStr, p, userStr)
		return
	case firstNothing:
		g.refuse(c, refusedSilent, p, "")
		return
	}
	// A good first message, or bytes that hold none: the relay reads them
	// again and reports what is wrong with the stream.
	if testHookAccepted != nil {
		testHookAccepted()
	}
	g.mu.Lock()
	if g.closed || g.admitOne {
		g.mu.Unlock()
		c.Close()
		return
	}
	g.admitOne = true
	delete(g.pending, c)
	g.mu.Unlock()
	g.admitted <- &replayConn{Conn: c, pending: first}
}

func (g *portGuard) refuse(c net.Conn, why refusal, p peer, userStr string) {
	c.Close()
	// A UserStr is ascp's own words (ascp's, when the socket was proven
	// to be), and ascp has the secrets: it may repeat one there.
	g.refused.add(why, p, g.r.secrets().redactString(userStr))
}

func (g *portGuard) track(c net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.pending[c] = true
	return true
}

func (g *portGuard) forget(c net.Conn) {
	g.mu.Lock()
	delete(g.pending, c)
	g.mu.Unlock()
}

func (g *portGuard) isClosed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

func (g *portGuard) endedUnproven() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed && g.unproven
}

func (g *portGuard) setSilent(d int) {
	g.mu.Lock()
	g.silent += d
	g.mu.Unlock()
}

func (g *portGuard) silentOurs() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.silent
}

func (g *portGuard) inFlight() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.pending)
}

// settleMin is how long settle gives the accepting goroutine to take a
// connection already in the port's queue before it finds nothing in
// flight.
const settleMin = 50 * time.Millisecond

// settle waits, up to limit, for the checks in flight to end, and returns
// the connection one of them proved, if any.
func (g *portGuard) settle(limit time.Duration) net.Conn {
	start := time.Now()
	for {
		select {
		case c := <-g.admitted:
			return c
		default:
		}
		waited := time.Since(start)
		if g.inFlight() == 0 && waited >= min(settleMin, limit) || waited >= limit {
			select {
			case c := <-g.admitted:
				return c
			default:
				return nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stop closes the port and every connection still being checked, and
// waits for the checks: once it returns the refusals are all counted.
// taken is the connection handed over, which stays open.
func (g *portGuard) stop(taken net.Conn) {
	g.mu.Lock()
	g.closed = true
	g.unproven = taken == nil
	pending := g.pending
	g.pending = nil
	g.mu.Unlock()
	g.ln.Close()
	for c := range pending {
		c.Close()
	}
	g.wg.Wait()
	select {
	case c := <-g.admitted:
		if c != taken {
			c.Close()
		}
	default:
	}
}

// firstKind is what the first bytes of a proven connection held.
type firstKind int

const (
	firstGood    firstKind = iota // a message with this job's UserStr
	firstWrongID                  // a message with another UserStr
	firstNothing                  // the connection ended before a byte
	firstBroken                   // bytes without a message: the relay reports them
)

// firstMessageLimit bounds what is read from a proven connection before
// its first message: ascp's INIT is a few hundred bytes.
const firstMessageLimit = mgmt.DefaultMaxLine + 64<<10

// readFirstMessage reads c up to its first complete management message and
// returns what it read, to be read again by the relay.
func readFirstMessage(c net.Conn, jobID string) ([]byte, string, firstKind) {
	rec := &recordingReader{r: c, limit: firstMessageLimit}
	f, err := mgmt.NewReader(rec).Next()
	switch {
	case err == nil:
		if u, _ := f.Lookup(mgmt.NameUserStr); string(u) != jobID {
			return nil, string(u), firstWrongID
		}
		return rec.buf, "", firstGood
	case len(rec.buf) == 0:
		return nil, "", firstNothing
	default:
		return rec.buf, "", firstBroken
	}
}

// recordingReader keeps what it reads, up to limit bytes.
type recordingReader struct {
	r     io.Reader
	buf   []byte
	limit int
}

var errFirstTooLong = errors.New("no management message in the first bytes")

func (rr *recordingReader) Read(p []byte) (int, error) {
	room := rr.limit - len(rr.buf)
	if room <= 0 {
		return 0, errFirstTooLong
	}
	if len(p) > room {
		p = p[:room]
	}
	n, err := rr.r.Read(p)
	rr.buf = append(rr.buf, p[:n]...)
	return n, err
}

// replayConn is a management connection whose first bytes were read to
// check it: Read gives them again before reading on.
type replayConn struct {
	net.Conn
	pending []byte
}

func (c *replayConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		if len(c.pending) == 0 {
			c.pending = nil
		}
		return n, nil
	}
	return c.Conn.Read(p)
}
