package session

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// maxBytesWithoutFrame bounds what the relay reads without a complete
// management message: stray lines, frames begun again and never ended,
// garbage. Real ascp messages are a few hundred bytes; the reader's own
// limits (a 1 MiB line, 4096 fields) still allow gigabytes in one frame.
const maxBytesWithoutFrame = 4 << 20

// errNoFrame ends a stream that carries bytes but no messages.
var errNoFrame = fmt.Errorf("no management message in the last %d MiB received", maxBytesWithoutFrame>>20)

// streamGuard is the management connection as the relay's reader sees it.
// It counts what arrives between complete messages (frames is the reader's
// count): too many bytes end the stream with errNoFrame, and the stall
// timeout runs from the last complete message, so a peer that trickles
// bytes without ever finishing a message is a stall too. Once ascp has
// exited, a read that waits longer than the drain time ends the stream: a
// child of ascp may hold the connection open for ever.
type streamGuard struct {
	conn    net.Conn
	timeout time.Duration // stall timeout, 0 for none
	frames  *int64        // the reader's count of complete messages

	seen  int64     // frames at the last read
	since time.Time // when frames last moved
	gap   int64     // bytes read since then

	mu      sync.Mutex // orders deadline changes between Read and exited
	drain   time.Duration
	hasExit bool
}

func newStreamGuard(conn net.Conn, stall time.Duration) *streamGuard {
	return &streamGuard{conn: conn, timeout: stall, seen: -1}
}

func (g *streamGuard) Read(p []byte) (int, error) {
	if g.frames != nil && *g.frames != g.seen {
		g.seen, g.gap, g.since = *g.frames, 0, time.Now()
	}
	if g.gap > maxBytesWithoutFrame {
		return 0, errNoFrame
	}
	g.mu.Lock()
	switch {
	case g.hasExit:
		_ = g.conn.SetReadDeadline(time.Now().Add(g.drain))
	case g.timeout > 0:
		_ = g.conn.SetReadDeadline(g.since.Add(g.timeout))
	}
	g.mu.Unlock()
	n, err := g.conn.Read(p)
	g.gap += int64(n)
	return n, err
}

// exited tells the guard that ascp is gone: reads get drain to find data.
func (g *streamGuard) exited(drain time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hasExit, g.drain = true, drain
	_ = g.conn.SetReadDeadline(time.Now().Add(drain))
}

// afterExit reports whether err is the drain deadline after ascp exited.
func (g *streamGuard) afterExit(err error) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.hasExit && errors.Is(err, os.ErrDeadlineExceeded)
}
