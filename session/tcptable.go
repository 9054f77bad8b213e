package session

import (
	"encoding/binary"
	"net"
)

// tcpStateTimeWait is MIB_TCP_STATE_TIME_WAIT: a connection its owner has
// closed; the other states between 6 (FIN_WAIT1) and 11 are on the way
// there.
const (
	tcpStateFinWait1 = 6
	tcpStateTimeWait = 11
)

// ownerOf finds, in a Windows MIB_TCPTABLE_OWNER_PID (GetExtendedTcpTable's
// IPv4 table with owners), the connection whose local end is end and whose
// remote end is other, and returns its owning process (0 for a closed
// connection in TIME_WAIT) and its state. It reads bytes only, so that it
// is tested on every platform: a DWORD count, then rows of six DWORDs
// (state, local address, local port, remote address, remote port, pid),
// the addresses and ports in network order.
func ownerOf(table []byte, end, other *net.TCPAddr) (pid, state int, found bool) {
	const row = 24
	if len(table) < 4 {
		return 0, 0, false
	}
	n := int(binary.LittleEndian.Uint32(table))
	rows := table[4:]
	if n > len(rows)/row {
		n = len(rows) / row
	}
	match := func(r []byte, addr *net.TCPAddr) bool {
		ip := addr.IP.To4()
		return ip != nil && net.IP(r[:4]).Equal(ip) && int(binary.BigEndian.Uint16(r[4:6])) == addr.Port
	}
	for i := range n {
		r := rows[i*row : (i+1)*row]
		if match(r[4:12], end) && match(r[12:20], other) {
			return int(binary.LittleEndian.Uint32(r[20:24])), int(binary.LittleEndian.Uint32(r)), true
		}
	}
	return 0, 0, false
}
