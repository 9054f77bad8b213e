package ascpsim

import (
	"encoding/binary"
	"net"
	"unsafe"

	"golang.org/x/sys/windows"
)

var procGetExtendedTcpTable = windows.NewLazySystemDLL("iphlpapi.dll").NewProc("GetExtendedTcpTable")

// tcpTableOwnerPIDListener is TCP_TABLE_OWNER_PID_LISTENER: the listening
// sockets, each a row of six DWORDs (state, local address, local port,
// remote address, remote port, pid), addresses and ports in network order.
const tcpTableOwnerPIDListener = 3

// stillListening reports whether a socket listens on addr's port, from
// the system's table of listening sockets: no connection is made (it
// would be one more peer for the manager to check).
func stillListening(addr *net.TCPAddr) bool {
	size := uint32(16 << 10)
	for range 8 {
		buf := make([]byte, size)
		r, _, _ := procGetExtendedTcpTable.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), 0,
			windows.AF_INET, tcpTableOwnerPIDListener, 0)
		switch windows.Errno(r) {
		case 0:
			n := int(binary.LittleEndian.Uint32(buf))
			rows := buf[4:]
			for i := 0; i < n && (i+1)*24 <= len(rows); i++ {
				row := rows[i*24:]
				if int(binary.BigEndian.Uint16(row[8:10])) == addr.Port {
					return true
				}
			}
			return false
		case windows.ERROR_INSUFFICIENT_BUFFER:
			size += 4 << 10 // size is what the table needed; it may grow before the next call
		default:
			return false // no table: no wait, as where it cannot be read
		}
	}
	return false
}
