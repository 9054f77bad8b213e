package session

import (
	"net"
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
	table, err := tcpTableOwnerPID()
	if err != nil {
		// Without the table nothing can be proven: the UserStr check
		// alone guards the port, as on platforms without the table.
		return peer{verdict: peerUnknown, uid: -1}
	}
	pid, found := ownerOf(table, remote, local)
	if !found || pid == 0 {
		return peer{verdict: peerGone, uid: -1}
	}
	if pid == ascp.Pid() || ascp.InJob(pid) {
		return peer{verdict: peerOurs, uid: -1, pid: pid}
	}
	return peer{verdict: peerStranger, uid: -1, pid: pid}
}

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
