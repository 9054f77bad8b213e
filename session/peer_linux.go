package session

import (
	"bufio"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"github.com/faspkit/asession/ascp/proc"
)

// identifyPeer finds who holds the other end of a management connection
// in constant time, whatever runs on the host: the kernel names the peer
// socket's owner uid and inode (sock_diag, one exact look-up by the
// connection's two ends), and only ascp's own open files and its
// children's are searched for that inode. A socket of another uid is a
// stranger by its uid alone; nothing else on the host is looked at to name
// it. Any local user can connect to a loopback port: this, not the port
// number nor the job id (visible in ascp's command line), is what makes a
// connection ascp's.
func identifyPeer(conn net.Conn, ascp *proc.Process) peer {
	return identifyPeerOf(conn, ascp.Pid())
}

func identifyPeerOf(conn net.Conn, ascpPid int) peer {
	local, ok1 := conn.LocalAddr().(*net.TCPAddr)
	remote, ok2 := conn.RemoteAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return peer{verdict: peerStranger, uid: -1}
	}
	uid, inode, found := peerSocket(local, remote)
	if !found || inode == 0 {
		// Closed already: the kernel keeps no owner for a socket nobody
		// holds, so it cannot be proven to be ascp's.
		return peer{verdict: peerGone, uid: -1}
	}
	if uid != os.Getuid() {
		return peer{verdict: peerStranger, uid: uid}
	}
	if treeHolds(ascpPid, inode) {
		return peer{verdict: peerOurs, uid: uid}
	}
	return peer{verdict: peerStranger, uid: uid}
}

// peerSocket returns the owner uid and inode of the socket at the peer's
// end of the connection from local to remote: remote is its local end.
func peerSocket(local, remote *net.TCPAddr) (uid int, inode uint64, found bool) {
	uid, inode, found, err := sockDiag(local, remote)
	if err == nil {
		return uid, inode, found
	}
	// No sock_diag (a seccomp profile, an old kernel): the socket table,
	// read for this one pair of ports.
	return procNetTCP(local, remote)
}

// The netlink sock_diag protocol (linux/sock_diag.h, linux/inet_diag.h).
const (
	netlinkSockDiag   = 4
	sockDiagByFamily  = 20
	inetDiagNoCookie  = ^uint32(0)
	inetDiagAllStates = ^uint32(0)
)

type inetDiagSockID struct {
	SPort  [2]byte // big-endian
	DPort  [2]byte
	Src    [16]byte
	Dst    [16]byte
	If     uint32
	Cookie [2]uint32
}

type inetDiagReqV2 struct {
	Family   uint8
	Protocol uint8
	Ext      uint8
	Pad      uint8
	States   uint32
	ID       inetDiagSockID
}

type inetDiagMsg struct {
	Family  uint8
	State   uint8
	Timer   uint8
	Retrans uint8
	ID      inetDiagSockID
	Expires uint32
	RQueue  uint32
	WQueue  uint32
	UID     uint32
	Inode   uint32
}

// sockDiag asks the kernel for the one socket whose local end is remote
// and whose remote end is local (no dump: an exact look-up, as `ss` does
// for a single socket). A socket closed by its owner answers with inode 0
// (TIME_WAIT); one that does not exist, with ENOENT.
func sockDiag(local, remote *net.TCPAddr) (uid int, inode uint64, found bool, err error) {
	family, src, dst := uint8(syscall.AF_INET), remote.IP.To4(), local.IP.To4()
	if src == nil || dst == nil {
		family, src, dst = syscall.AF_INET6, remote.IP.To16(), local.IP.To16()
	}
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkSockDiag)
	if err != nil {
		return 0, 0, false, err
	}
	defer syscall.Close(fd)
	req := inetDiagReqV2{Family: family, Protocol: syscall.IPPROTO_TCP, States: inetDiagAllStates}
	binary.BigEndian.PutUint16(req.ID.SPort[:], uint16(remote.Port))
	binary.BigEndian.PutUint16(req.ID.DPort[:], uint16(local.Port))
	copy(req.ID.Src[:], src)
	copy(req.ID.Dst[:], dst)
	req.ID.Cookie = [2]uint32{inetDiagNoCookie, inetDiagNoCookie}
	msg := make([]byte, syscall.NLMSG_HDRLEN+int(unsafe.Sizeof(req)))
	*(*syscall.NlMsghdr)(unsafe.Pointer(&msg[0])) = syscall.NlMsghdr{
		Len: uint32(len(msg)), Type: sockDiagByFamily, Flags: syscall.NLM_F_REQUEST, Seq: 1,
	}
	*(*inetDiagReqV2)(unsafe.Pointer(&msg[syscall.NLMSG_HDRLEN])) = req
	if err := syscall.Sendto(fd, msg, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return 0, 0, false, err
	}
	buf := make([]byte, 4096)
	n, _, err := syscall.Recvfrom(fd, buf, 0)
	if err != nil {
		return 0, 0, false, err
	}
	msgs, err := syscall.ParseNetlinkMessage(buf[:n])
	if err != nil {
		return 0, 0, false, err
	}
	for _, m := range msgs {
		switch {
		case m.Header.Type == syscall.NLMSG_ERROR && len(m.Data) >= 4:
			errno := syscall.Errno(-int32(binary.NativeEndian.Uint32(m.Data)))
			if errno == syscall.ENOENT {
				return 0, 0, false, nil
			}
			return 0, 0, false, errno
		case m.Header.Type == sockDiagByFamily && len(m.Data) >= int(unsafe.Sizeof(inetDiagMsg{})):
			var d inetDiagMsg
			copy((*[unsafe.Sizeof(d)]byte)(unsafe.Pointer(&d))[:], m.Data)
			return int(d.UID), uint64(d.Inode), true, nil
		}
	}
	return 0, 0, false, errors.New("sock_diag: no answer")
}

// procNetTCP reads the socket table entry whose local end is remote and
// whose remote end is local: the peer's side of the connection.
func procNetTCP(local, remote *net.TCPAddr) (uid int, inode uint64, found bool) {
	// The ports, as the table writes them, find the line before any
	// address is parsed.
	ports := ":" + hexPort(remote.Port) + " "
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			line := sc.Text()
			if !strings.Contains(line, ports) {
				continue
			}
			// sl local_address rem_address st queues timer retrnsmt uid timeout inode
			fields := strings.Fields(line)
			if len(fields) < 10 || !sameEnd(fields[1], remote) || !sameEnd(fields[2], local) {
				continue
			}
			u, err1 := strconv.Atoi(fields[7])
			ino, err2 := strconv.ParseUint(fields[9], 10, 64)
			if err1 != nil || err2 != nil {
				continue
			}
			f.Close()
			return u, ino, true
		}
		f.Close()
	}
	return 0, 0, false
}

func hexPort(port int) string {
	s := strings.ToUpper(strconv.FormatUint(uint64(port), 16))
	return strings.Repeat("0", 4-len(s)) + s
}

// sameEnd compares a /proc/net/tcp address ("0100007F:1F90": the IPv4
// address as a little-endian word, the port big-endian; IPv6 as four
// such words) with addr.
func sameEnd(hexAddr string, addr *net.TCPAddr) bool {
	host, port, ok := strings.Cut(hexAddr, ":")
	if !ok {
		return false
	}
	p, err := strconv.ParseUint(port, 16, 16)
	if err != nil || int(p) != addr.Port {
		return false
	}
	var ip net.IP
	for i := 0; i+8 <= len(host); i += 8 {
		w, err := strconv.ParseUint(host[i:i+8], 16, 32)
		if err != nil {
			return false
		}
		ip = append(ip, byte(w), byte(w>>8), byte(w>>16), byte(w>>24))
	}
	return ip.Equal(addr.IP)
}

// maxTree bounds the processes searched below ascp: ascp runs a handful
// (ssh, at most a few helpers), so a tree larger than this is not one
// whose sockets asession needs to find.
const maxTree = 64

// treeHolds reports whether ascp (root) or one of its descendants has
// socket inode open. It reads only their /proc entries: the children of
// each task (/proc/PID/task/TID/children) and their open files, ascp's
// first, as ascp itself is the one that connects.
func treeHolds(root int, inode uint64) bool {
	target := "socket:[" + strconv.FormatUint(inode, 10) + "]"
	queue := []int{root}
	seen := map[int]bool{root: true}
	for len(queue) > 0 && len(seen) <= maxTree {
		pid := queue[0]
		queue = queue[1:]
		if holds(pid, target) {
			return true
		}
		for _, child := range children(pid) {
			if !seen[child] {
				seen[child] = true
				queue = append(queue, child)
			}
		}
	}
	return false
}

// holds reports whether process pid has target ("socket:[inode]") open.
func holds(pid int, target string) bool {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd/"
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	for _, fd := range names {
		if link, err := os.Readlink(dir + fd); err == nil && link == target {
			return true
		}
	}
	return false
}

// children lists the processes whose parent is pid, from each of its
// threads' children file.
func children(pid int) []int {
	dir := "/proc/" + strconv.Itoa(pid) + "/task/"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var kids []int
	for _, t := range tasks {
		data, err := os.ReadFile(dir + t.Name() + "/children")
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(f); err == nil {
				kids = append(kids, n)
			}
		}
	}
	return kids
}
