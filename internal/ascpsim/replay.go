package ascpsim

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// replay is the ASCPSIM_REPLAY hook for tests and benchmarks: instead of a
// transfer, send the transcript file's management frames to -M byte for
// byte (its SessionId and UserStr are not rewritten), as fast as the socket
// takes them, then close the connection and exit with ASCPSIM_REPLAY_EXIT
// (0 when unset). A FIFO works too: its frames go out as they are written
// to it, until its writer closes it. A folder holds one transcript per
// session of a multi-session job: session-N for -C N:M (session-1 without
// -C). Like ascp, it first sends INIT with -u as UserStr: a transcript
// does not know the job id, which the client checks in the first message.
func replay(cfg *config, path string, stderr io.Writer) int {
	if cfg.mgmtAddr == "" {
		fmt.Fprintln(stderr, "ascp: ASCPSIM_REPLAY needs a management port (-M)")
		return 1
	}
	status := 0
	if v := os.Getenv("ASCPSIM_REPLAY_EXIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fmt.Fprintf(stderr, "ascp: ASCPSIM_REPLAY_EXIT: %v\n", err)
			return 1
		}
		status = n
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "session-"+strconv.Itoa(max(cfg.nodeID, 1)))
	}
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "ascp: ASCPSIM_REPLAY: %v\n", err)
		return 1
	}
	defer f.Close()
	m, err := dialMgmt(cfg.mgmtAddr)
	if err != nil {
		fmt.Fprintf(stderr, "ascp: failed to connect to management port %s: %v\n", cfg.mgmtAddr, err)
		return 1
	}
	defer m.close()
	m.common = []string{"SessionId", newSessionID()}
	if cfg.hasUserStr {
		m.common = append(m.common, "UserStr", cfg.userStr)
	}
	m.send("INIT")
	m.awaitTaken()
	_ = m.conn.SetWriteDeadline(time.Time{}) // the transcript takes as long as it takes
	// On Linux this is sendfile (or splice from a FIFO): the stand-in
	// costs next to nothing beside the relay it feeds.
	if _, err := io.Copy(m.conn, f); err != nil {
		fmt.Fprintf(stderr, "ascp: ASCPSIM_REPLAY: %v\n", err)
		return 1
	}
	return status
}
