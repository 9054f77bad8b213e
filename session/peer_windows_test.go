package session

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/faspkit/asession/ascp/proc"
)

// On Windows the system's TCP table names the process at the other end of
// a management connection: one made by a process in ascp's job object is
// ascp's, one made by any other process is a stranger's, named by pid.
func TestIdentifyPeerWindows(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := listenLoopback()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	accept := func() net.Conn {
		conn, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}

	ascp, err := proc.Start(exe, []string{"--attacker", port, "job", "hold"}, nil, 4, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ascp.Kill(); <-ascp.Exited() })
	if p := identifyPeer(accept(), ascp); p.verdict != peerOurs || p.pid != ascp.Pid() {
		t.Errorf("ascp's own connection: %+v, want ours, pid %d", p, ascp.Pid())
	}

	other := exec.Command(exe, "--attacker", port, "job", "hold")
	out, _ := other.StdoutPipe()
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Process.Kill(); _ = other.Wait() })
	conn := accept()
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "connected\n" {
		t.Fatalf("other: %q", line)
	}
	if p := identifyPeer(conn, ascp); p.verdict != peerStranger || p.pid != other.Process.Pid {
		t.Errorf("another process's connection: %+v, want a stranger, pid %d", p, other.Process.Pid)
	}
}
