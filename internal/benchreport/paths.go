package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/internal/ascpsim"
)

// manyPaths measures the set-up of a job of n paths: asession runs with
// --ascp pointing at the stub, which records when it was spawned with -M
// and its parent's resident set at that moment (the list file written and
// set-up memory released) and its peak until then (VmHWM: set-up's peak);
// the job's peak is the larger of that and the transfer's. Sources alone, pairs, and four sessions. The stub then
// reports every file of the list transferred (transfer), and asession's
// resident set and its peak since the spawn are read once all of it was
// relayed: what a transfer of a million files holds for hours.
func manyPaths(t *table, asession, self, dir string, n, runs int) {
	for _, c := range []struct {
		name     string
		pairs    bool
		sessions int
		pretty   bool // indented as jq and JSON.stringify(spec, null, 2) write it, and piped on stdin
	}{{"sources", false, 0, false}, {"pairs", true, 0, false}, {"4 sessions", false, 4, false}, {"sources, pretty-printed", false, 0, true}} {
		spec := filepath.Join(dir, "paths.json")
		size := writePathsSpec(spec, n, c.pairs, c.sessions, c.pretty)
		stamps := filepath.Join(dir, "stamps")
		var spawn, after, peak, end, endPeak []float64
		for i := 0; i < runs; i++ {
			os.Remove(stamps)
			os.Remove(stamps + ".go")
			cmd := exec.Command(asession, "--ascp", self, "--retries", "0", "@file:"+spec)
			if c.pretty {
				data, err := os.ReadFile(spec)
				check(err)
				cmd = exec.Command(asession, "--ascp", self, "--retries", "0")
				cmd.Stdin = bytes.NewReader(data) // not an *os.File: exec pipes it
			}
			cmd.Env = append(os.Environ(), stampEnv+"="+stamps, holdEnv+"=1")
			var out bytes.Buffer
			cmd.Stderr = &out
			stdout, err := cmd.StdoutPipe()
			check(err)
			start := time.Now().UnixNano()
			check(cmd.Start())
			rss, hwm, done := transferEnd(stdout, cmd.Process.Pid, max(1, c.sessions))
			check(os.WriteFile(stamps+".go", nil, 0o600))
			io.Copy(io.Discard, stdout)
			if err := cmd.Wait(); err != nil || !done {
				fail("paths run (%v, end seen %v): %s", err, done, out.String())
			}
			spawn = append(spawn, float64(readStamp(stamps, "M")-start)/1e6)
			after = append(after, float64(readStamp(stamps, "R"))/1024)
			peak = append(peak, max(float64(readStamp(stamps, "H")), float64(hwm))/1024)
			end, endPeak = append(end, float64(rss)/1024), append(endPeak, float64(hwm)/1024)
			fmt.Fprintf(os.Stderr, "%d paths (%s), run %d: spawn at %.0f ms, RSS then %.1f MB, peak %.1f MB; end of transfer: RSS %.1f MB, peak since spawn %.1f MB\n",
				n, c.name, i+1, spawn[i], after[i], peak[i], end[i], endPeak[i])
		}
		os.Remove(spec)
		from := "from a file"
		if c.pretty {
			from = "piped on stdin"
		}
		t.section(fmt.Sprintf("%s paths, %s (%d MB spec %s), %d runs", si(float64(n)), c.name, size>>20, from, runs))
		t.row("  start to ascp spawned (median)", fmt.Sprintf("%.0f ms", median(spawn)), "≤ 400 ms", verdict(median(spawn) <= 400))
		t.row("  peak RSS of the whole job, asession's own VmHWM (median; max)", fmt.Sprintf("%.1f MB; %.1f MB", median(peak), slices.Max(peak)), "≤ 32 MB", verdict(slices.Max(peak) <= 32))
		t.row("  RSS once the list file is written (at spawn, median; max)", fmt.Sprintf("%.1f MB; %.1f MB", median(after), slices.Max(after)), "< 30 MB", verdict(median(after) < 30))
		t.row("  RSS at the end of the transfer, every file reported (median; max)", fmt.Sprintf("%.1f MB; %.1f MB", median(end), slices.Max(end)), "< 30 MB", verdict(slices.Max(end) < 30))
		t.row("  peak RSS from spawn to the end of the transfer (VmHWM, median)", fmt.Sprintf("%.1f MB", median(endPeak)), "< 30 MB", verdict(median(endPeak) < 30))
	}
}

// transferEnd reads asession's output until every session's stub has
// sent its end mark, then returns asession's resident set and its peak
// since the stubs reset it (kB): every STOP and ARGSTOP before the mark
// has been relayed, so what the ledgers and the tracker keep for the
// files is in them. done is false when the output ended first.
func transferEnd(stdout io.Reader, pid, sessions int) (rss, hwm int64, done bool) {
	r := bufio.NewReaderSize(stdout, 256<<10)
	mark := []byte(endMark)
	for seen := 0; seen < sessions; {
		line, err := r.ReadSlice('\n')
		if bytes.Contains(line, mark) {
			seen++
		}
		if err == bufio.ErrBufferFull {
			continue
		} else if err != nil {
			return 0, 0, false
		}
	}
	return statusKB(pid, "VmRSS:"), statusKB(pid, "VmHWM:"), true
}

// writePathsSpec writes a job of n paths to path and returns its size.
func writePathsSpec(path string, n int, pairs bool, sessions int, pretty bool) int64 {
	f, err := os.Create(path)
	check(err)
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(`{"remote_host":"bench.example.com","remote_user":"aspera","remote_password":"correct-horse-battery-staple",` +
		`"direction":"send","destination_root":"/bench/dst",`)
	if sessions > 0 {
		fmt.Fprintf(w, `"multi_session":%d,`, sessions)
	}
	w.WriteString(`"paths":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			w.WriteByte(',')
		}
		if pairs {
			fmt.Fprintf(w, `{"source":"/bench/src/dir%03d/file%07d.dat","destination":"/bench/dst/d%03d/f%07d"}`, i%1000, i, i%1000, i)
		} else {
			fmt.Fprintf(w, `{"source":"/bench/src/dir%03d/file%07d.dat"}`, i%1000, i)
		}
	}
	w.WriteString("]}")
	check(w.Flush())
	check(f.Close())
	if pretty {
		compact, err := os.ReadFile(path)
		check(err)
		var indented bytes.Buffer
		check(json.Indent(&indented, compact, "", "  "))
		check(os.WriteFile(path, indented.Bytes(), 0o600))
	}
	info, err := os.Stat(path)
	check(err)
	return info.Size()
}

// parentRSS is the resident set of the stub's parent (asession) in kB, or 0.
func parentRSS() int64 { return statusKB(os.Getppid(), "VmRSS:") }

// parentPeak is the peak resident set (VmHWM) of the stub's parent in kB,
// or 0. Unlike rusage Maxrss, it is asession's own: Go starts a child
// sharing its parent's memory until exec, and Linux carries that memory's
// peak into the child's Maxrss, so asession's Maxrss starts at
// benchreport's own peak (which holds the specs it wrote).
func parentPeak() int64 { return statusKB(os.Getppid(), "VmHWM:") }

// statusKB is the field key of /proc/pid/status in kB, or 0.
func statusKB(pid int, key string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}

// resetParentPeak starts asession's VmHWM again from its resident set
// (Linux's clear_refs 5), so that the peak read at the end of the
// transfer is the transfer's own, not set-up's.
func resetParentPeak() {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", os.Getppid()), []byte("5"), 0)
}

// endMark is the Description of the NOTIFICATION the stub sends once it
// has reported every file, before it waits to send DONE.
const endMark = "benchreport-transfer-end"

// holdEnv, set by the paths run alone, makes the stub wait after its end
// mark for benchreport to read asession's memory; other runs (startup,
// a job of one path) have nobody to wait for.
const holdEnv = "BENCHREPORT_HOLD"

// transfer plays ascp moving the files of the list as its management
// port reports them: INIT and SESSION, then per argument in order, for
// the files of this session's share (-C: argument k goes to session
// k mod N, one file per argument), START and STOP naming the list line as
// Source, and an ARGSTOP for every argument, as each session walks all of
// them. It then sends the end mark and waits for benchreport to have read
// asession's memory (the file stamps+".go") before it sends DONE.
func transfer(conn net.Conn, user, list string, pairs bool, node, nodes int, stamps string) error {
	f, err := os.Open(list)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	w := bufio.NewWriterSize(conn, 64<<10)
	id := fmt.Sprintf("stub-%d", node)
	var frame []byte
	send := func(typ string, kv ...string) {
		frame = mgmt.AppendFrame(frame[:0], typ, append([]string{"SessionId", id, "UserStr", user}, kv...)...)
		w.Write(frame)
	}
	send("INIT", "Direction", "Send", "Host", "bench.example.com", "User", "aspera")
	// Not quicker than asession's check of who holds the connection (see
	// ascpsim.AwaitTaken).
	if err := w.Flush(); err != nil {
		return err
	}
	ascpsim.AwaitTaken(conn)
	send("SESSION", "Encryption", "Yes", "Remote", "No", "Rate", "10000", "Port", "33001")
	var passed, bytes int64
	for k := 0; ; k++ {
		src, err := r.ReadString('\n')
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		src = strings.TrimSuffix(src, "\n")
		dst := "/bench/dst/" + filepath.Base(src)
		if pairs {
			if dst, err = r.ReadString('\n'); err != nil {
				return err
			}
			dst = strings.TrimSuffix(dst, "\n")
		}
		attempted := "0"
		if k%nodes == node-1 {
			attempted = "1"
			passed++
			bytes += 1024
			send("START", "File", dst, "Source", src, "Size", "1024", "StartByte", "0")
			send("STOP", "File", dst, "Source", src, "Size", "1024", "StartByte", "0", "EndByte", "1024",
				"Written", "1024", "FileBytes", "1024", "TransferBytes", strconv.FormatInt(bytes, 10), "Elapsedusec", "1000")
		}
		send("ARGSTOP", "File", src, "ArgScansAttempted", "1", "ArgScansCompleted", "1",
			"ArgTransfersAttempted", attempted, "ArgTransfersPassed", attempted, "ArgTransfersFailed", "0")
	}
	send("NOTIFICATION", "Description", endMark)
	if err := w.Flush(); err != nil {
		return err
	}
	for deadline := time.Now().Add(10 * time.Minute); os.Getenv(holdEnv) != ""; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(stamps + ".go"); err == nil {
			break
		} else if time.Now().After(deadline) {
			return fmt.Errorf("benchreport never read the end of the transfer")
		}
	}
	n := strconv.FormatInt(passed, 10)
	send("DONE", "TransfersAttempted", n, "TransfersPassed", n, "TransfersFailed", "0",
		"TransferBytes", strconv.FormatInt(bytes, 10), "FileBytes", strconv.FormatInt(bytes, 10))
	return w.Flush()
}
