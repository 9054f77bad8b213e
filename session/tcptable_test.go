package session

import (
	"encoding/binary"
	"net"
	"strings"
	"testing"
)

// ownerOf reads GetExtendedTcpTable's rows on every platform: the row
// whose ends are the connection's, the other way round from the ones that
// merely share a port, and a truncated table without reading past it.
func TestOwnerOfTCPTable(t *testing.T) {
	row := func(state uint32, local string, lport int, remote string, rport int, pid uint32) []byte {
		b := make([]byte, 24)
		binary.LittleEndian.PutUint32(b, state)
		copy(b[4:8], net.ParseIP(local).To4())
		binary.BigEndian.PutUint16(b[8:10], uint16(lport))
		copy(b[12:16], net.ParseIP(remote).To4())
		binary.BigEndian.PutUint16(b[16:18], uint16(rport))
		binary.LittleEndian.PutUint32(b[20:24], pid)
		return b
	}
	table := binary.LittleEndian.AppendUint32(nil, 4)
	table = append(table, row(5, "127.0.0.1", 40000, "127.0.0.1", 33001, 111)...) // asession's own end
	table = append(table, row(5, "127.0.0.1", 50000, "127.0.0.1", 40000, 222)...) // shares a port only
	table = append(table, row(5, "127.0.0.1", 33001, "127.0.0.1", 40000, 333)...) // the peer's end
	table = append(table, row(11, "127.0.0.1", 33002, "127.0.0.1", 40000, 0)...)  // TIME_WAIT
	ours := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	for _, tc := range []struct {
		peerPort   int
		pid, state int
		found      bool
	}{
		{33001, 333, 5, true},
		{33002, 0, tcpStateTimeWait, true}, // closed: no owner
		{33003, 0, 0, false},
	} {
		peer := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: tc.peerPort}
		if pid, state, found := ownerOf(table, peer, ours); pid != tc.pid || state != tc.state || found != tc.found {
			t.Errorf("peer port %d: pid %d state %d found %v, want %d %d %v", tc.peerPort, pid, state, found, tc.pid, tc.state, tc.found)
		}
	}
	// A count larger than the rows that follow reads only those.
	binary.LittleEndian.PutUint32(table, 1000)
	if pid, _, _ := ownerOf(table[:4+3*24+10], &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 33001}, ours); pid != 333 {
		t.Errorf("truncated table: pid %d, want 333", pid)
	}
	if _, _, found := ownerOf(table[:2], ours, ours); found {
		t.Error("a table shorter than its count found a row")
	}
}

// The refusal line counts each kind once, names other users by uid with
// their counts, most first, and stops naming after maxNamed.
func TestRefusalsDescribe(t *testing.T) {
	var rs refusals
	if rs.describe() != "" || rs.any() {
		t.Fatal("no refusal, yet a line")
	}
	for range 3 {
		rs.add(refusedOtherUser, peer{uid: 65534}, "")
	}
	rs.add(refusedOtherUser, peer{uid: 1001}, "")
	rs.add(refusedGone, peer{uid: -1}, "")
	rs.add(refusedUserStr, peer{uid: 0}, "guessed-id")
	got := rs.describe()
	for _, want := range []string{"refused 6 connections", "4 from other users (uid 65534: 3, uid 1001: 1)",
		"1 closed before their owner could be checked", `1 whose first message had UserStr "guessed-id"`} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	var many refusals
	for uid := range 20 {
		many.add(refusedOtherUser, peer{uid: 2000 + uid}, "")
	}
	if got := many.describe(); !strings.Contains(got, "and 12 more") || strings.Count(got, "uid ") != maxNamed {
		t.Errorf("20 users: %q, want %d named and the rest counted", got, maxNamed)
	}
	var one refusals
	one.add(refusedOtherProcess, peer{uid: -1, pid: 4242}, "")
	if got := one.describe(); !strings.Contains(got, "refused 1 connection ") || !strings.Contains(got, "pid 4242: 1") {
		t.Errorf("one stranger on Windows: %q", got)
	}
}
