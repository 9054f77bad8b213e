package session

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/internal/ascpsim"
)

// This file turns the session test binary into a hostile "ascp": run with
// ascp's -M PORT it connects to the management port and misbehaves as its
// --hostile=SCENARIO argument says; run with -A it prints a version. The
// hostile tests (hostile_test.go) point Options.Ascp at the test binary.

// ascpsimEnv makes the test binary ascpsim (hostileRun.ascpsim).
const ascpsimEnv = "SESSION_TEST_ASCPSIM"

func TestMain(m *testing.M) {
	if os.Getenv(ascpsimEnv) != "" {
		os.Exit(ascpsim.Main())
	}
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "-A":
			if pidfile := os.Getenv("HOSTILE_SLOW_VERSION"); pidfile != "" {
				// A version probe that never answers.
				writePid(pidfile, os.Getpid())
				for {
					time.Sleep(time.Hour)
				}
			}
			fmt.Println("ascp version 9.9.9.0 (hostile test stand-in)")
			os.Exit(0)
		case "-M":
			os.Exit(hostileAscp(os.Args[1:]))
		case "--hold":
			holdFD()
		case "--hold-setsid":
			holdUntilEOF()
		case "--attacker":
			os.Exit(attacker(os.Args[2:]))
		case "--flood":
			os.Exit(flood(os.Args[2:]))
		}
	}
	// Under the race detector a process exiting 0 sleeps a second first;
	// the stand-in's exit must be as quick as ascp's.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	os.Exit(m.Run())
}

// hostileAscp plays one scenario. Scenarios that must be stopped by
// asession never end on their own: they write until the connection breaks
// and then wait to be killed.
func hostileAscp(args []string) int {
	var port, scenario, pidfile, userStr, share string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-M" && i+1 < len(args):
			port = args[i+1]
			i++
		case a == "-C" && i+1 < len(args):
			share = args[i+1]
			i++
		case a == "-u" && i+1 < len(args):
			userStr = args[i+1]
			i++
		case strings.HasPrefix(a, "--hostile="):
			scenario = strings.TrimPrefix(a, "--hostile=")
		case strings.HasPrefix(a, "--pidfile="):
			pidfile = strings.TrimPrefix(a, "--pidfile=")
		}
	}
	if pidfile != "" {
		writePid(pidfile, os.Getpid())
	}
	conn, err := net.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostile ascp:", err)
		return 3
	}
	// Every way out waits until asession has looked the connection up
	// (see hostileRun): conn.Close below goes through closeConn.
	defer awaitVetted(conn)
	closeConn := func() {
		awaitVetted(conn)
		conn.Close()
	}
	w := &hostileWriter{conn: conn}
	frame := func(typ string, pairs ...string) { w.write(mgmt.AppendFrame(nil, typ, pairs...)) }
	hello := func() {
		frame("INIT", "SessionId", "hostile", "UserStr", userStr)
		frame("SESSION", "SessionId", "hostile", "UserStr", userStr, "Direction", "Send")
	}
	// deliverX reports the source /x delivered, calling afterStop once
	// its STOP is written, and ends the session.
	deliverX := func(afterStop func()) {
		frame("START", "SessionId", "hostile", "UserStr", userStr, "File", "/up/x", "Source", "/x", "Size", "1000")
		frame("STOP", "SessionId", "hostile", "UserStr", userStr, "File", "/up/x", "Source", "/x", "Size", "1000", "Bytescont", "1000")
		afterStop()
		frame("ARGSTOP", "SessionId", "hostile", "UserStr", userStr, "File", "/x", "ArgTransfersAttempted", "1", "ArgTransfersPassed", "1", "ArgTransfersFailed", "0")
		frame("DONE", "SessionId", "hostile", "UserStr", userStr, "Bytescont", "1000", "FilesComplete", "1")
	}
	forever := func(chunk []byte) {
		for w.err == nil {
			w.write(chunk)
		}
	}
	switch scenario {
	case "long-line":
		// A field line that never ends: megabytes without a line feed.
		hello()
		w.write([]byte(mgmt.Header + "\nType: STATS\nFile: "))
		forever(bytes.Repeat([]byte("x"), 64<<10))
	case "binary-garbage":
		// Random bytes, line feeds among them, never a header.
		rng := rand.New(rand.NewPCG(1, 2))
		chunk := make([]byte, 64<<10)
		for w.err == nil {
			for i := range chunk {
				chunk[i] = byte(rng.Uint32())
			}
			w.write(chunk)
		}
	case "missing-header":
		// Well-formed fields and blank lines, but no FASPMGR header.
		forever(bytes.Repeat([]byte("Type: STATS\nBytescont: 1\nFile: /a\n\n"), 1000))
	case "missing-header-then-exit":
		w.write(bytes.Repeat([]byte("Type: DONE\n\n"), 10))
		closeConn()
		return 0
	case "million-fields":
		// One frame of three million fields, then DONE.
		hello()
		w.write([]byte(mgmt.Header + "\nType: STATS\n"))
		var chunk []byte
		for i := 0; i < 10000; i++ {
			chunk = append(chunk, "F"+strconv.Itoa(i)+": v\n"...)
		}
		for i := 0; i < 300 && w.err == nil; i++ {
			w.write(chunk)
		}
		w.write([]byte("\n"))
		frame("DONE")
	case "never-blank":
		// Frames that are begun again and again and never ended.
		hello()
		forever(bytes.Repeat([]byte(mgmt.Header+"\nType: STATS\nBytescont: 1\n"), 1000))
	case "trickle":
		// An unfinished frame, one field every 20 ms: bytes keep coming, a
		// message never does.
		hello()
		w.write([]byte(mgmt.Header + "\nType: STATS\n"))
		for i := 0; w.err == nil; i++ {
			w.write([]byte("F" + strconv.Itoa(i) + ": v\n"))
			time.Sleep(20 * time.Millisecond)
		}
	case "flood":
		// Frames as fast as the connection takes them, then DONE and exit 0.
		hello()
		n, _ := strconv.Atoi(os.Getenv("HOSTILE_FLOOD_FRAMES"))
		if n == 0 {
			n = 100000
		}
		var buf []byte
		for i := 0; i < n && w.err == nil; i++ {
			buf = mgmt.AppendFrame(buf, "STATS", "SessionId", "hostile", "File", "/flood/f", "Bytescont", strconv.Itoa(i),
				"TransferBytes", strconv.Itoa(i), "Elapsedusec", strconv.Itoa(i*10))
			if len(buf) >= 32<<10 {
				w.write(buf)
				buf = buf[:0]
			}
		}
		w.write(buf)
		frame("DONE")
		closeConn()
		return 0
	case "huge-fileerrors":
		// Many FILEERROR frames, each with megabyte-long file name and
		// description, then ERROR: nothing of them may be kept in full.
		hello()
		big := strings.Repeat("y", 1000<<10)
		for i := 0; i < 80 && w.err == nil; i++ {
			frame("FILEERROR", "File", strconv.Itoa(i)+big, "Code", "4", "Description", big+strconv.Itoa(i))
		}
		frame("ERROR", "Code", "27", "Description", "some files failed")
		closeConn()
		return 1
	case "invented-names":
		// Hundreds of frames, each with a different long field name.
		hello()
		name := strings.Repeat("N", 500<<10)
		for i := 0; i < 120 && w.err == nil; i++ {
			frame("STATS", name+strconv.Itoa(i), "v")
		}
		frame("DONE")
		closeConn()
		return 0
	case "orphan-holds-socket":
		// DONE and exit 0, but a child keeps the connection open for ever.
		hello()
		frame("DONE")
		f, err := conn.(*net.TCPConn).File()
		if err != nil {
			return 2
		}
		child := exec.Command(os.Args[0], "--hold", pidfile+".child")
		child.ExtraFiles = []*os.File{f}
		if err := child.Start(); err != nil {
			return 2
		}
		// Exit only once the child is up and deaf to SIGHUP.
		waitFor(pidfile + ".child")
		return 0
	case "group-child":
		// DONE and exit 0 with the connection closed, leaving a child in
		// ascp's process group.
		hello()
		frame("DONE", "UserStr", userStr)
		if exec.Command(os.Args[0], "--hold", pidfile+".child").Start() != nil {
			return 2
		}
		waitFor(pidfile + ".child")
		closeConn()
		return 0
	case "setsid-child":
		// DONE and exit 0, leaving two children: one in ascp's process
		// group, and one in a session of its own that keeps the
		// connection open.
		hello()
		frame("DONE", "UserStr", userStr)
		// asession closes the port once it has accepted (and checked)
		// this connection: hand it over only then, as a long transfer
		// would.
		for i := 0; i < 500; i++ {
			c, err := net.Dial("tcp", "127.0.0.1:"+port)
			if err != nil {
				break
			}
			c.Close()
			time.Sleep(10 * time.Millisecond)
		}
		f, err := conn.(*net.TCPConn).File()
		if err != nil {
			return 2
		}
		escaped := exec.Command(os.Args[0], "--hold-setsid", pidfile+".setsid")
		escaped.ExtraFiles = []*os.File{f}
		escaped.SysProcAttr = newSessionAttr()
		inGroup := exec.Command(os.Args[0], "--hold", pidfile+".child")
		if escaped.Start() != nil || inGroup.Start() != nil {
			return 2
		}
		for i := 0; i < 500; i++ {
			_, err1 := os.Stat(pidfile + ".child")
			_, err2 := os.Stat(pidfile + ".setsid")
			if err1 == nil && err2 == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		return 0
	case "echo-secrets":
		// An ascp that repeats the secrets it was given in its messages.
		pass, token, cookie := os.Getenv("ASPERA_SCP_PASS"), os.Getenv("ASPERA_SCP_TOKEN"), os.Getenv("ASPERA_SCP_COOKIE")
		frame("INIT", "SessionId", "hostile", "UserStr", userStr, "Cookie", cookie)
		// The password as a field's name too, and fields given twice:
		// the first User (which holds the password) is the one kept.
		frame("SESSION", "SessionId", "hostile", "Token", token, "User", "u:"+pass+"@h", "Cookie", cookie,
			pass, "named by the password", "User", "second", "X"+pass+"Y", "again")
		frame("ERROR", "Code", "19", "Description", "Authentication failed: password "+pass+" refused")
		closeConn()
		return 1
	case "echo-key-then-prompt":
		// ssh echoes the key it was given, line by line, then asks for a
		// password with the password in the prompt.
		for _, line := range strings.Split(os.Getenv("ASPERA_SCP_KEY"), "\n") {
			fmt.Println("key: " + line)
		}
		fmt.Print("Password for " + os.Getenv("ASPERA_SCP_PASS") + ": ")
	case "good":
		// A short, successful transfer of one file.
		hello()
		frame("START", "SessionId", "hostile", "UserStr", userStr, "File", "/real/file.bin", "Size", "1000")
		frame("STOP", "SessionId", "hostile", "UserStr", userStr, "File", "/real/file.bin", "Size", "1000", "Bytescont", "1000")
		frame("DONE", "SessionId", "hostile", "UserStr", userStr, "Bytescont", "1000", "FilesComplete", "1")
		closeConn()
		return 0
	case "wrong-userstr":
		// A first message that does not carry the job id it was given.
		frame("INIT", "SessionId", "hostile", "UserStr", "asession-guessed")
		frame("DONE", "SessionId", "hostile", "UserStr", "asession-guessed")
		closeConn()
		return 0
	case "split-race", "split-missing":
		// Two sessions share one source, which the second delivers (and
		// removes) while the first, not finding it, has already ended;
		// or which is missing, and neither delivers.
		hello()
		if share == "1:2" || scenario == "split-missing" {
			frame("FILEERROR", "SessionId", "hostile", "UserStr", userStr, "File", "/x", "Code", "4", "Description", "No such file or directory")
			frame("ERROR", "SessionId", "hostile", "UserStr", userStr, "Code", "4", "Description", "No such file or directory", "TransfersFailed", "1")
			closeConn()
			return 1
		}
		time.Sleep(300 * time.Millisecond)
		deliverX(func() {})
		closeConn()
		return 0
	case "split-late":
		// The first session reports the source missing and the second
		// then delivers it, as in split-race, but the first ends only
		// after the second's STOP: its relay has failed the file by then,
		// and learns at its end that it was delivered. The two sessions
		// pace each other with marker files beside the pidfile.
		hello()
		missing, delivered := pidfile+".missing", pidfile+".delivered"
		if share == "1:2" {
			frame("FILEERROR", "SessionId", "hostile", "UserStr", userStr, "File", "/x", "Code", "4", "Description", "No such file or directory")
			os.WriteFile(missing, nil, 0o600)
			waitFor(delivered)
			time.Sleep(200 * time.Millisecond) // for asession to relay the STOP
			frame("ERROR", "SessionId", "hostile", "UserStr", userStr, "Code", "4", "Description", "No such file or directory", "TransfersFailed", "1")
			closeConn()
			return 1
		}
		waitFor(missing)
		time.Sleep(200 * time.Millisecond) // for asession to relay the FILEERROR
		deliverX(func() { os.WriteFile(delivered, nil, 0o600) })
		closeConn()
		return 0
	case "cancel-aware":
		// Waits for CANCEL as ascp does, then reports it and exits.
		hello()
		lines := bufio.NewScanner(conn)
		for lines.Scan() {
			if lines.Text() == "Type: CANCEL" {
				frame("ERROR", "SessionId", "hostile", "UserStr", userStr, "Code", "28", "Description", "Cancelled by user")
				closeConn()
				return 1
			}
		}
		return 3
	case "deaf":
		// Never reads what asession sends; stays silent.
		hello()
	default:
		fmt.Fprintln(os.Stderr, "hostile ascp: unknown scenario", scenario)
		return 2
	}
	// Wait to be stopped: asession has to kill us.
	for {
		time.Sleep(time.Hour)
	}
}

// waitFor waits, ten seconds at most, for the file at path to exist:
// a marker another process writes when it has got somewhere.
func waitFor(path string) {
	for range 1000 {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// awaitVetted waits, ten seconds at most, until asession has looked up
// the owner of conn (HOSTILE_VETTED_DIR/<our port>, which the test's hook
// writes); at once when no test asked for it.
func awaitVetted(conn net.Conn) {
	dir := os.Getenv("HOSTILE_VETTED_DIR")
	if dir == "" {
		return
	}
	waitFor(filepath.Join(dir, strconv.Itoa(conn.LocalAddr().(*net.TCPAddr).Port)))
}

type hostileWriter struct {
	conn net.Conn
	err  error
}

func (w *hostileWriter) write(b []byte) {
	if w.err == nil {
		_, w.err = w.conn.Write(b)
	}
}

// holdFD is the orphan's child: it keeps the inherited connection (fd 3)
// open and sleeps until killed. It ignores the SIGHUP that the end of its
// parent's terminal session sends, as a daemon would.
func holdFD() {
	signal.Ignore(syscall.SIGHUP)
	if len(os.Args) > 2 {
		writePid(os.Args[2], os.Getpid())
	}
	for {
		time.Sleep(time.Hour)
	}
}

// holdUntilEOF is the child that left ascp's session: it reads the
// inherited connection (fd 3) until asession closes it, notes that in
// PIDFILE.eof, and stays.
func holdUntilEOF() {
	signal.Ignore(syscall.SIGHUP)
	writePid(os.Args[2], os.Getpid())
	conn := os.NewFile(3, "conn")
	_, _ = io.Copy(io.Discard, conn)
	writePid(os.Args[2]+".eof", os.Getpid())
	for {
		time.Sleep(time.Hour)
	}
}

func writePid(path string, pid int) {
	_ = os.WriteFile(path+".tmp", []byte(strconv.Itoa(pid)), 0o600)
	_ = os.Rename(path+".tmp", path)
}

// alive reports whether the process in pidfile still runs (a zombie does
// not count).
func alive(pidfile string) (int, bool) {
	data, err := os.ReadFile(pidfile)
	if err != nil {
		return 0, false
	}
	pid, _ := strconv.Atoi(string(data))
	if pid <= 0 || !processExists(pid) {
		return pid, false
	}
	stat, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if fields := strings.Fields(string(stat)); len(fields) > 2 && fields[2] == "Z" {
		return pid, false
	}
	return pid, true
}

// attacker plays another local process that races ascp to the management
// port: it connects to args[0] and sends messages with the job id args[1]
// (a local user can read it in ascp's command line), as args[2] says:
//
//	hold   a forged session (host evil.example, a /FAKE/ file, ERROR 37),
//	       then it waits for asession to close the connection;
//	close  the same forged session, then it closes at once and exits;
//	wrong  one message whose UserStr is not the job id, then it closes
//	       at once and exits.
//
// It reports "connected" on stdout once it has written.
func attacker(args []string) int {
	conn, err := net.Dial("tcp", "127.0.0.1:"+args[0])
	if err != nil {
		fmt.Println("dial failed:", err)
		return 1
	}
	mode := "hold"
	if len(args) > 2 {
		mode = args[2]
	}
	b := forgedSession(args[1])
	if mode == "wrong" {
		b = mgmt.AppendFrame(nil, "INIT", "SessionId", "evil", "UserStr", "not-"+args[1], "Host", "evil.example")
	}
	_, _ = conn.Write(b)
	if mode != "hold" {
		conn.Close()
		fmt.Println("connected")
		return 0
	}
	fmt.Println("connected")
	_, _ = io.Copy(io.Discard, conn)
	return 0
}

func forgedSession(jobID string) []byte {
	var b []byte
	b = mgmt.AppendFrame(b, "INIT", "SessionId", "evil", "UserStr", jobID, "Host", "evil.example")
	b = mgmt.AppendFrame(b, "STOP", "SessionId", "evil", "UserStr", jobID, "File", "/FAKE/injected.bin", "Size", "666", "Bytescont", "666")
	return mgmt.AppendFrame(b, "ERROR", "SessionId", "evil", "UserStr", jobID, "Code", "37", "Description", "forged error from evil.example")
}

// flood opens args[0] connections to the port args[1], each sending the
// forged session with the job id args[2]; every other one is closed at
// once, the rest stay open. It reports "connected" once all are made and
// then waits to be killed.
func flood(args []string) int {
	n, _ := strconv.Atoi(args[0])
	b := forgedSession(args[2])
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := 0; i < n; i++ {
		conn, err := net.Dial("tcp", "127.0.0.1:"+args[1])
		if err != nil {
			fmt.Println("dial failed:", err)
			return 1
		}
		_, _ = conn.Write(b)
		if i%2 == 0 {
			conn.Close()
		} else {
			held = append(held, conn)
		}
	}
	fmt.Println("connected")
	for {
		time.Sleep(time.Hour)
	}
}
