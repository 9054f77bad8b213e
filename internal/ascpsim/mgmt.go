package ascpsim

import (
	"crypto/rand"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/faspkit/asession/ascp/mgmt"
)

// mgmtConn is the management-port connection. Frames come from the transfer
// and from the command reader at once, so each is written under a lock in
// a single Write and never interleaves with another.
type mgmtConn struct {
	mu     sync.Mutex
	conn   net.Conn // nil when ascp runs without -M
	common []string
	rich   []string // Cookie and Tags, for the frames that describe the session
}

func dialMgmt(addr string) (*mgmtConn, error) {
	m := &mgmtConn{}
	if addr == "" {
		return m, nil
	}
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	m.conn = conn
	return m, nil
}

// takenWait bounds AwaitTaken.
const takenWait = 3 * time.Second

// AwaitTaken stands for the SSH connection a real ascp makes to the server
// right after INIT, which takes it at least a network round trip and a key
// exchange: ascpsim has no server to talk to, and without this pause it
// could connect, report and exit within microseconds, faster than any
// ascp. A manager that checks which process holds a connection (asession
// does, and refuses one whose owner has already gone) must see it held.
// AwaitTaken waits until the manager has taken conn and stopped listening
// on the port, at most takenWait; where the port cannot be probed without
// connecting to it, not at all. benchreport's stub ascp uses it too.
func AwaitTaken(conn net.Conn) {
	addr, ok := conn.RemoteAddr().(*net.TCPAddr)
	if !ok {
		return
	}
	deadline := time.Now().Add(takenWait)
	for stillListening(addr) && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
}

func (m *mgmtConn) awaitTaken() {
	if m.conn != nil {
		AwaitTaken(m.conn)
	}
}

func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (m *mgmtConn) send(frameType string, pairs ...string) {
	m.sendFrame(frameType, false, pairs...)
}

// sendRich adds Cookie and Tags, which ascp repeats on the frames that
// describe the session and its files but not on the periodic STATS.
func (m *mgmtConn) sendRich(frameType string, pairs ...string) {
	m.sendFrame(frameType, true, pairs...)
}

func (m *mgmtConn) sendFrame(frameType string, rich bool, pairs ...string) {
	if m.conn == nil {
		return
	}
	all := make([]string, 0, len(m.common)+len(m.rich)+len(pairs))
	all = append(all, m.common...)
	if rich {
		all = append(all, m.rich...)
	}
	all = append(all, pairs...)
	m.mu.Lock()
	defer m.mu.Unlock()
	// A peer that stopped reading must not wedge the transfer for ever.
	_ = m.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	_ = mgmt.WriteFrame(m.conn, frameType, all...)
}

func (m *mgmtConn) close() {
	if m.conn != nil {
		m.conn.Close()
	}
}

// command is one frame the client sent, copied out of the reader's buffer.
type command struct {
	kind   string
	fields map[string]string
}

// readCommands decodes client frames until the connection ends, then
// closes the channel.
func (m *mgmtConn) readCommands(out chan<- command) {
	defer close(out)
	if m.conn == nil {
		return
	}
	r := mgmt.NewReader(m.conn)
	for {
		f, err := r.Next()
		if err != nil {
			return
		}
		c := command{kind: string(f.Type()), fields: make(map[string]string, len(f.Fields))}
		for _, fl := range f.Fields {
			if _, dup := c.fields[string(fl.Name)]; !dup {
				c.fields[string(fl.Name)] = string(fl.Value)
			}
		}
		out <- c
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}
