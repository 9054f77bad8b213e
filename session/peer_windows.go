package session

import (
	"net"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/faspkit/asession/ascp/proc"
)

// identifyPeer finds who holds the other end of a management connection:
// the system's TCP table gives each connection's owning process
// (GetExtendedTcpTable, no cgo), and the connection is ascp's when that
// process is ascp or in the job object that holds ascp and everything it
// starts. Another process is a stranger by its pid; nothing else on the
// host is looked at to name it.
func identifyPeer(conn net.Conn, ascp *proc.Process) peer {
	local, ok1 := conn.LocalAddr().(*net.TCPAddr)
	remote, ok2 := conn.RemoteAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return peer{verdict: peerStranger, uid: -1}
	}
	// A row not listed yet, or listed without its owner while the
	// connection is open (Wine builds the table from the host's and can
	// lag), is looked up again a few times before it counts.
	var pid, state int
	var found bool
	for try := 0; ; try++ {
		table, err := tcpTableOwnerPID()
		if err != nil {
			// Without the table nothing can be proven: the UserStr check
			// alone guards the port, as on platforms without the table.
			return peer{verdict: peerUnknown, uid: -1}
		}
		pid, state, found = ownerOf(table, remote, local)
		closing := found && state >= tcpStateFinWait1 && state <= tcpStateTimeWait
		if pid != 0 || closing || try == ownerTries-1 {
			break
		}
		time.Sleep(ownerRetry)
	}
	switch {
	case !found || pid == 0 && state >= tcpStateFinWait1 && state <= tcpStateTimeWait:
		return peer{verdict: peerGone, uid: -1}
	case pid == 0:
		// Open, and no owner named: the table cannot tell.
		return peer{verdict: peerUnknown, uid: -1}
	}
	if pid == ascp.Pid() || ascp.InJob(pid) {
		return peer{verdict: peerOurs, uid: -1, pid: pid}
	}
	return peer{verdict: peerStranger, uid: -1, pid: pid}
}

// ownerTries and ownerRetry bound the looks at the table for one
// connection.
const (
	ownerTries = 5
	ownerRetry = 10 * time.Millisecond
)

var (
	iphlpapi                = windows.NewLazySystemDLL("iphlpapi.dll")
	procGetExtendedTcpTable = iphlpapi.NewProc("GetExtendedTcpTable")
)

const (
	afInet                     = 2
	tcpTableOwnerPIDConnection = 4 // TCP_TABLE_OWNER_PID_CONNECTIONS
)

// tcpTableOwnerPID returns the IPv4 TCP connections with their owning
// processes (MIB_TCPTABLE_OWNER_PID), growing the buffer as the system
// asks.
func tcpTableOwnerPID() ([]byte, error) {
	size := uint32(16 << 10)
	for range 8 {
		buf := make([]byte, size)
		r, _, _ := procGetExtendedTcpTable.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), 0,
			afInet, tcpTableOwnerPIDConnection, 0)
		switch windows.Errno(r) {
		case 0:
			return buf, nil
		case windows.ERROR_INSUFFICIENT_BUFFER:
			size += 4 << 10 // size is what the table needed; it may grow before the next call
			continue
		default:
			return nil, windows.Errno(r)
		}
	}
	return nil, windows.ERROR_INSUFFICIENT_BUFFER
}
