package session

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// identifyPeer finds who holds the other end of a management connection:
// the kernel's socket table (/proc/net/tcp) gives the peer socket's owner
// uid and inode, and the inode is looked for among the open files of ascp
// and its descendants. Any local user can connect to a loopback port, so
// this, not the port number, is what makes the connection ascp's.
func identifyPeer(conn net.Conn, ascpPid int) (peerVerdict, string) {
	local, ok1 := conn.LocalAddr().(*net.TCPAddr)
	remote, ok2 := conn.RemoteAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return peerForeign, "a connection that is not TCP"
	}
	uid, inode, found := peerSocket(local, remote)
	if !found || inode == 0 {
		// The peer closed its socket already: no process holds it.
		return peerGone, "a process that has already closed the connection"
	}
	if uid != os.Getuid() {
		who := fmt.Sprintf("a process of uid %d", uid)
		if pid := socketOwner(inode, nil); pid > 0 {
			who = fmt.Sprintf("pid %d (uid %d)", pid, uid)
		}
		return peerForeign, who
	}
	tree := descendants(ascpPid)
	if pid := socketOwner(inode, tree); pid > 0 {
		return peerOurs, fmt.Sprintf("pid %d", pid)
	}
	if pid := socketOwner(inode, nil); pid > 0 {
		return peerForeign, fmt.Sprintf("pid %d (uid %d), not ascp %d or its children", pid, uid, ascpPid)
	}
	// Closed between the two looks: a quick ascp does that, connecting,
	// writing and exiting at once.
	return peerGone, "a process that has already closed the connection"
}

// peerSocket reads the socket table entry whose local end is remote and
// whose remote end is local: the peer's side of the connection.
func peerSocket(local, remote *net.TCPAddr) (uid int, inode uint64, found bool) {
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			// sl local_address rem_address st queues timer retrnsmt uid timeout inode
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 {
				continue
			}
			if !sameEnd(fields[1], remote) || !sameEnd(fields[2], local) {
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

// descendants returns root and every process below it (the PPid chain of
// /proc/PID/stat), and every process still in its session or process
// group: ascp runs as the leader of its own session, and a child that
// outlived it (reparented, so no longer below it) is still its own. Another
// process can join neither: setsid only makes a new session, and setpgid
// only moves within the caller's.
func descendants(root int) map[int]bool {
	parent := map[int]int{}
	tree := map[int]bool{root: true}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp session ...; comm may hold anything.
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) < 4 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		pgrp, _ := strconv.Atoi(fields[2])
		sid, _ := strconv.Atoi(fields[3])
		parent[pid] = ppid
		if pgrp == root || sid == root {
			tree[pid] = true
		}
	}
	for pid := range parent {
		// Walk up; the depth bound guards against a table read while
		// processes came and went.
		for p, n := pid, 0; p > 1 && n < 1024; p, n = parent[p], n+1 {
			if p == root {
				tree[pid] = true
				break
			}
		}
	}
	return tree
}

// socketOwner returns a process, among pids (nil: all that can be read),
// that has socket inode open; 0 when none.
func socketOwner(inode uint64, pids map[int]bool) int {
	target := "socket:[" + strconv.FormatUint(inode, 10) + "]"
	check := func(pid int) bool {
		dir := "/proc/" + strconv.Itoa(pid) + "/fd"
		fds, err := os.ReadDir(dir)
		if err != nil {
			return false
		}
		for _, fd := range fds {
			if link, err := os.Readlink(dir + "/" + fd.Name()); err == nil && link == target {
				return true
			}
		}
		return false
	}
	if pids != nil {
		for pid := range pids {
			if check(pid) {
				return pid
			}
		}
		return 0
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil && pid != os.Getpid() && check(pid) {
			return pid
		}
	}
	return 0
}
