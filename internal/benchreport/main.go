package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/internal/ascpsim"
	"github.com/faspkit/asession/internal/benchreport/mix"
)

// stampEnv, when set, makes this binary a stub ascp that records when it
// started in the file it names.
const stampEnv = "BENCHREPORT_STAMP"

// bareEnv, when set, makes this binary the floor of the first-line runs: a
// bare relay that listens, starts the stub ascp, takes its connection and
// prints one line for its first message, the least a program can do for
// the same first line.
const bareEnv = "BENCHREPORT_BARE"

func main() {
	if path := os.Getenv(stampEnv); path != "" {
		os.Exit(stub(path, os.Args[1:]))
	}
	if path := os.Getenv(floorEnv); path != "" {
		os.Exit(listFloor(path))
	}
	if path := os.Getenv(bareEnv); path != "" {
		os.Exit(bareRelay(path))
	}
	asession := flag.String("asession", "bin/asession", "the asession binary")
	ascpsim := flag.String("ascpsim", "bin/ascpsim", "the ascpsim binary")
	gobench := flag.String("gobench", "", "output of the go test -bench runs to summarise")
	runs := flag.Int("runs", 5, "whole-process runs per size")
	startupRuns := flag.Int("startup-runs", 31, "startup runs")
	firstLineBlocks := flag.Int("firstline-blocks", 6, "blocks of first-line runs, alternately with and without sleeping processes (0: none)")
	sleepers := flag.Int("sleepers", 1000, "sleeping processes started for the first-line runs")
	sizes := flag.String("frames", "600000,2000000", "transcript sizes, in frames")
	dir := flag.String("dir", "", "working folder (default: a temporary one, removed)")
	outPath := flag.String("out", "", "also write the table to this file")
	paths := flag.Int("paths", 1_000_000, "paths of the set-up runs (0: none)")
	streamed := flag.String("streamed", "1000000,10000000", "pairs of the streamed set-up rounds, beside the streaming floor (empty: none)")
	rounds := flag.Int("rounds", 5, "rounds of each streamed set-up size (asession and the floor, interleaved)")
	idle := flag.String("idle", "100,1000,10000", "paced rates of the idle-cost runs, in frames/s")
	idleWindow := flag.Duration("idle-window", 5*time.Second, "measured window of each idle-cost run")
	hashMB := flag.Int("hash-mb", 256, "size of the hashing runs' file, in MiB (0: none)")
	batchJobs := flag.Int("batch-jobs", 1000, "tiny jobs each way of the asession batch runs (0: none)")
	batchRounds := flag.Int("batch-rounds", 20, "blocks the asession batch runs take turns in")
	flag.Parse()

	if *dir == "" {
		d, err := os.MkdirTemp("", "asession-bench-")
		check(err)
		defer os.RemoveAll(d)
		*dir = d
	}
	self, err := os.Executable()
	check(err)
	var t table
	machine(&t)
	if *gobench != "" {
		goBenchmarks(&t, *gobench)
	}
	spec := filepath.Join(*dir, "job.json")
	check(os.WriteFile(spec, []byte(`{"remote_host":"bench.example.com","remote_user":"aspera",`+
		`"remote_password":"correct-horse-battery-staple","direction":"send",`+
		`"paths":[{"source":"/bench/src"}],"destination_root":"/bench/dst"}`), 0o600))
	var peaks, owns []float64
	var files []int
	for _, s := range strings.FieldsFunc(*sizes, func(r rune) bool { return r == ',' }) {
		frames, err := strconv.Atoi(strings.TrimSpace(s))
		check(err)
		peak, own := relayRuns(&t, *asession, *ascpsim, spec, *dir, frames, *runs)
		peaks, owns, files = append(peaks, peak), append(owns, own), append(files, frames/mix.FrameFiles)
	}
	if len(peaks) > 1 {
		t.section("memory between sizes (median at the last size minus the first)")
		// The tracker remembers each finished file, 8 bytes a hash, so
		// that a retry never counts one twice: that grows with the files,
		// not with the frames; the rest must stay flat.
		set := float64(8*(files[len(files)-1]-files[0])) / (1 << 20)
		growth := owns[len(owns)-1] - owns[0]
		t.row("  asession's own VmHWM", fmt.Sprintf("%+.1f MB", growth), "", "")
		t.row(fmt.Sprintf("    of which finished-file hashes (8 B x %d more files)", files[len(files)-1]-files[0]), fmt.Sprintf("%.1f MB", set), "", "")
		t.row("    the rest", fmt.Sprintf("%+.1f MB", growth-set), "flat (< 2 MB)", verdict(growth-set < 2))
		t.row("  rusage Maxrss (asession or ascpsim)", fmt.Sprintf("%+.1f MB", peaks[len(peaks)-1]-peaks[0]), "", "")
	}
	if *startupRuns > 0 {
		startup(&t, *asession, self, spec, *dir, *startupRuns)
	}
	if *firstLineBlocks > 0 {
		firstLine(&t, *asession, self, spec, *dir, *firstLineBlocks, 7, *sleepers)
	}
	var rates []int
	for _, r := range strings.FieldsFunc(*idle, func(r rune) bool { return r == ',' }) {
		n, err := strconv.Atoi(strings.TrimSpace(r))
		check(err)
		rates = append(rates, n)
	}
	if len(rates) > 0 {
		idleCost(&t, *asession, *ascpsim, spec, *dir, rates, *idleWindow)
	}
	if *paths > 0 {
		manyPaths(&t, *asession, self, *dir, *paths, *runs)
	}
	for _, s := range strings.FieldsFunc(*streamed, func(r rune) bool { return r == ',' }) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		check(err)
		streamedSetup(&t, *asession, self, *dir, n, *rounds)
	}
	if *hashMB > 0 {
		hashing(&t, *asession, *ascpsim, *dir, *hashMB, *runs)
	}
	if *batchJobs > 0 {
		tinyJobs(&t, self, *dir, *batchJobs, *batchRounds)
	}
	var buf bytes.Buffer
	t.print(&buf)
	os.Stdout.Write(buf.Bytes())
	if *outPath != "" {
		check(os.WriteFile(*outPath, buf.Bytes(), 0o644))
	}
}

// ---- Go benchmarks ----

// goBenchmarks adds the medians of the benchmark lines in path.
func goBenchmarks(t *table, path string) {
	data, err := os.ReadFile(path)
	check(err)
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "--- FAIL") || strings.HasPrefix(line, "panic:") {
			fail("a Go benchmark failed (%s): see %s", line, path)
		}
	}
	res := parseBench(data)
	for _, name := range []string{"BenchmarkRelayFrames/all", "BenchmarkNaiveFrames", "BenchmarkListFile1M"} {
		if res[name] == nil {
			fail("%s holds no %s results", path, name)
		}
	}
	get := func(name, unit string) (float64, int, bool) {
		v := res[name][unit]
		if len(v) == 0 {
			return 0, 0, false
		}
		return median(v), len(v), true
	}
	t.section("Go benchmarks (medians; -benchmem, -cpu 1 = one core)")
	relay, n, ok := get("BenchmarkRelayFrames/all", "frames/s")
	if ok {
		allocs, _, _ := get("BenchmarkRelayFrames/all", "allocs/op")
		bytes, _, _ := get("BenchmarkRelayFrames/all", "B/op")
		t.row(fmt.Sprintf("relay hot path, events all (%d runs)", n), fmt.Sprintf("%s frames/s", si(relay)), "≥ 1,000,000", verdict(relay >= 1e6))
		t.row("  allocations per frame", fmt.Sprintf("%g allocs, %g B", allocs, bytes), "0", verdict(allocs == 0))
	}
	if raw, n, ok := get("BenchmarkRelayFrames/raw", "frames/s"); ok {
		t.row(fmt.Sprintf("relay hot path, events raw (%d runs)", n), fmt.Sprintf("%s frames/s", si(raw)), "≥ 1,000,000", verdict(raw >= 1e6))
	}
	if distinct, n, ok := get("BenchmarkRelayFrames/distinct", "frames/s"); ok {
		t.row(fmt.Sprintf("relay hot path, ever new files, as at a million (%d runs)", n), fmt.Sprintf("%s frames/s", si(distinct)), "", "")
	}
	if naive, n, ok := get("BenchmarkNaiveFrames", "frames/s"); ok {
		allocs, _, _ := get("BenchmarkNaiveFrames", "allocs/op")
		ratio := ""
		if relay > 0 {
			ratio = fmt.Sprintf(" (relay is %.1fx)", relay/naive)
		}
		t.row(fmt.Sprintf("naive baseline: map + encoding/json (%d runs)", n),
			fmt.Sprintf("%s frames/s, %g allocs/frame%s", si(naive), allocs, ratio), "", "")
	}
	if floor, n, ok := get("BenchmarkFloorFrames", "frames/s"); ok && relay > 0 {
		t.row(fmt.Sprintf("floor: a bare frame splitter on the same stream (%d runs)", n), fmt.Sprintf("%s frames/s", si(floor)), "", "")
		// make bench runs the relay and the floor one after the other,
		// round after round: the ratio of each round's pair is what a
		// machine that slows and speeds up between rounds leaves alone.
		relays, floors := res["BenchmarkRelayFrames/all"]["frames/s"], res["BenchmarkFloorFrames"]["frames/s"]
		var ratios []float64
		for i := range min(len(relays), len(floors)) {
			ratios = append(ratios, floors[i]/relays[i])
		}
		ratio := median(ratios)
		t.row(fmt.Sprintf("  relay (events all) over the floor, per frame (median of %d rounds)", len(ratios)),
			fmt.Sprintf("%.2fx (rounds %.2f–%.2fx)", ratio, slices.Min(ratios), slices.Max(ratios)), "≤ 1.2x", verdict(ratio <= 1.2))
	}
	for _, c := range []struct{ name, label string }{
		{"BenchmarkTranscoder", "  of which Transcoder.AppendNext (read + JSON in one pass)"},
		{"BenchmarkAccount", "  of which Account.Observe + DueProgress"},
		{"BenchmarkReaderNext", "  Reader.Next alone (the fallback's reading)"},
		{"BenchmarkFrameEncoder", "  FrameEncoder.AppendFrame alone (the fallback's JSON)"},
	} {
		if ns, _, ok := get(c.name, "ns/op"); ok {
			t.row(c.label, fmt.Sprintf("%.0f ns/frame", ns), "", "")
		}
	}
	if ms, n, ok := get("BenchmarkListFile1M", "ns/op"); ok {
		ms /= 1e6
		t.row(fmt.Sprintf("list file, 1,000,000 paths (%d runs)", n), fmt.Sprintf("%.0f ms", ms), "< 1 s", verdict(ms < 1000))
	}
}

// parseBench collects, per benchmark (without its -GOMAXPROCS suffix) and
// unit, the values of every run.
func parseBench(data []byte) map[string]map[string][]float64 {
	res := map[string]map[string][]float64{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		if res[name] == nil {
			res[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				res[name][f[i+1]] = append(res[name][f[i+1]], v)
			}
		}
	}
	return res
}

// ---- whole-process relay runs ----

// relayRuns generates a transcript of frames and has asession relay it
// runs times; it returns the medians of Maxrss and of asession's own
// VmHWM, in MB.
func relayRuns(t *table, asession, ascpsim, spec, dir string, frames, runs int) (peak, own float64) {
	files := frames / mix.FrameFiles
	transcript := filepath.Join(dir, fmt.Sprintf("transcript-%d.txt", frames))
	f, err := os.Create(transcript)
	check(err)
	s := mix.Default
	total, err := s.WriteSession(f, files)
	check(err)
	check(f.Close())
	info, err := os.Stat(transcript)
	check(err)
	defer os.Remove(transcript)

	out := filepath.Join(dir, "out.jsonl")
	defer os.Remove(out)
	var secs, rss, owns []float64
	for i := 0; i < runs; i++ {
		stdout, err := os.Create(out)
		check(err)
		cmd := exec.Command(asession, "--ascp", ascpsim, "@file:"+spec)
		cmd.Env = append(os.Environ(), "ASCPSIM_REPLAY="+transcript)
		cmd.Stdout = stdout
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		check(cmd.Start())
		hwm := pollHWM(cmd.Process.Pid)
		err = cmd.Wait()
		elapsed := time.Since(start)
		own := <-hwm
		check(stdout.Close())
		if err != nil {
			fail("relay run of %d frames: %v\n%s", total, err, stderr.String())
		}
		last := lastLine(out)
		want := fmt.Sprintf(`"attempted":%d,"completed":%d`, files, files)
		if !strings.Contains(last, `"status":"completed"`) || !strings.Contains(last, want) {
			fail("relay run of %d frames: unexpected summary %s", total, last)
		}
		secs = append(secs, elapsed.Seconds())
		rss = append(rss, peakRSSMB(cmd.ProcessState))
		owns = append(owns, own)
		fmt.Fprintf(os.Stderr, "relay %d frames, run %d: %.2f s, peak RSS %.1f MB (asession's own %.1f MB)\n",
			total, i+1, elapsed.Seconds(), rss[i], own)
	}
	t.section(fmt.Sprintf("whole process: ascpsim replays %s frames (%d files, %d MB) to asession, stdout to a file (%d runs)",
		si(float64(total)), files, info.Size()>>20, runs))
	t.row("  wall time (median)", fmt.Sprintf("%.2f s = %s frames/s end to end", median(secs), si(float64(total)/median(secs))), "", "")
	peak = median(rss)
	t.row("  peak RSS, rusage Maxrss (median; max)", fmt.Sprintf("%.1f MB; %.1f MB", peak, slices.Max(rss)), "< 30 MB", verdict(slices.Max(rss) < 30))
	t.row("    asession's own VmHWM, polled (median)", fmt.Sprintf("%.1f MB", median(owns)), "", "")
	return peak, median(owns)
}

// pollHWM samples the peak RSS (VmHWM) of process pid every few
// milliseconds until it is gone, and sends the last value read, in MB.
// Maxrss of the rusage is the larger of asession's and of the children it
// waited for (ascpsim); this is asession's alone, short of the last
// milliseconds.
func pollHWM(pid int) <-chan float64 {
	ch := make(chan float64, 1)
	go func() {
		path := fmt.Sprintf("/proc/%d/status", pid)
		last := 0.0
		for {
			data, err := os.ReadFile(path)
			if err != nil {
				break
			}
			found := false
			for _, line := range strings.Split(string(data), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					if kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64); err == nil {
						last, found = kb/1024, true
					}
				}
			}
			if !found { // a zombie has no memory left to report
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		ch <- last
	}()
	return ch
}

// lastLine returns the last line of the file at path.
func lastLine(path string) string {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	info, err := f.Stat()
	check(err)
	off := max(info.Size()-64<<10, 0)
	buf := make([]byte, info.Size()-off)
	_, err = f.ReadAt(buf, off)
	check(err)
	buf = bytes.TrimRight(buf, "\n")
	return string(buf[bytes.LastIndexByte(buf, '\n')+1:])
}

// ---- startup ----

func startup(t *table, asession, self, spec, dir string, runs int) {
	stamps := filepath.Join(dir, "stamps")
	var lat, alone []float64
	for i := 0; i < runs; i++ {
		// The stub by itself: exec to its first action.
		os.Remove(stamps)
		cmd := exec.Command(self, "-A")
		cmd.Env = append(os.Environ(), stampEnv+"="+stamps)
		cmd.Stdout = io.Discard
		start := time.Now().UnixNano()
		check(cmd.Run())
		alone = append(alone, float64(readStamp(stamps, "A")-start)/1e6)

		os.Remove(stamps)
		cmd = exec.Command(asession, "--ascp", self, "@file:"+spec)
		cmd.Env = append(os.Environ(), stampEnv+"="+stamps)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start = time.Now().UnixNano()
		if err := cmd.Run(); err != nil {
			fail("startup run: %v\n%s", err, out.String())
		}
		lat = append(lat, float64(readStamp(stamps, "M")-start)/1e6)
	}
	t.section(fmt.Sprintf("startup: asession start to the stub ascp's first action (%d runs)", runs))
	m := median(lat)
	t.row("  median (p90; min)", fmt.Sprintf("%.2f ms (%.2f; %.2f)", m, percentile(lat, 0.9), slices.Min(lat)), "< 10 ms", verdict(m < 10))
	t.row("  the stub alone, exec to first action (median)", fmt.Sprintf("%.2f ms", median(alone)), "", "")
	t.row("  so asession start to ascp exec, about", fmt.Sprintf("%.2f ms", m-median(alone)), "", "")
}

// readStamp returns the time of the stub's first invocation of kind ("M":
// with a management port, "A": the version probe).
func readStamp(path, kind string) int64 {
	data, err := os.ReadFile(path)
	check(err)
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, " "); ok && k == kind {
			n, err := strconv.ParseInt(v, 10, 64)
			check(err)
			return n
		}
	}
	fail("no %s stamp in %q", kind, data)
	return 0
}

// stub is a minimal ascp: it records when it started, answers -A, and with
// -M connects and reports a session that did nothing successfully.
func stub(stamps string, args []string) int {
	now := time.Now().UnixNano()
	mgmtAddr, user, list, pairs, node, nodes := "", "", "", false, 1, 1
	for i, a := range args {
		switch {
		case a == "-M" && i+1 < len(args):
			mgmtAddr = args[i+1]
		case a == "-u" && i+1 < len(args):
			user = args[i+1] // repeated as UserStr, as ascp does
		case a == "-C" && i+1 < len(args):
			fmt.Sscanf(args[i+1], "%d:%d", &node, &nodes)
		case strings.HasPrefix(a, "--file-list="):
			list = strings.TrimPrefix(a, "--file-list=")
		case strings.HasPrefix(a, "--file-pair-list="):
			list, pairs = strings.TrimPrefix(a, "--file-pair-list="), true
		}
	}
	kind := "A"
	if mgmtAddr != "" {
		kind = "M"
	}
	if f, err := os.OpenFile(stamps, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err == nil {
		fmt.Fprintf(f, "%s %d\n", kind, now)
		if kind == "M" {
			fmt.Fprintf(f, "R %d\n", parentRSS())
			if node == 1 {
				fmt.Fprintf(f, "H %d\n", parentPeak()) // set-up's peak
				fmt.Fprintf(f, "C %d\n", cpuNS(os.Getppid()))
				resetParentPeak() // the transfer's peak is read at its end
			}
		}
		f.Close()
	}
	if mgmtAddr == "" {
		fmt.Println("ascp version 4.4.5.benchreport-stub")
		return 0
	}
	if !strings.Contains(mgmtAddr, ":") {
		mgmtAddr = "127.0.0.1:" + mgmtAddr
	}
	conn, err := net.Dial("tcp", mgmtAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stub ascp:", err)
		return 1
	}
	defer conn.Close()
	if list != "" && os.Getenv(setupOnlyEnv) == "" {
		if err := transfer(conn, user, list, pairs, node, nodes, stamps); err != nil {
			fmt.Fprintln(os.Stderr, "stub ascp:", err)
			return 1
		}
		return 0
	}
	if _, err := conn.Write(mgmt.AppendFrame(nil, "INIT", "SessionId", "stub", "UserStr", user)); err != nil {
		return 1
	}
	// As quick an ascp as can be, but not quicker than asession's check of
	// who holds the connection (see ascpsim.AwaitTaken).
	ascpsim.AwaitTaken(conn)
	if _, err := conn.Write(mgmt.AppendFrame(nil, "DONE", "SessionId", "stub", "UserStr", user, "TransfersAttempted", "0")); err != nil {
		return 1
	}
	return 0
}

// ---- machine ----

func machine(t *table) {
	model := "unknown"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	load := ""
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(data))[:3], " ")
	}
	t.section(fmt.Sprintf("machine: %d CPUs (%s), %s, %s/%s, load average %s",
		runtime.NumCPU(), model, runtime.Version(), runtime.GOOS, runtime.GOARCH, load))
}

// ---- table and helpers ----

type table struct{ rows [][4]string }

func (t *table) section(title string) { t.rows = append(t.rows, [4]string{title}) }

func (t *table) row(what, measured, target, ok string) {
	t.rows = append(t.rows, [4]string{what, measured, target, ok})
}

func (t *table) print(w io.Writer) {
	var width [3]int
	for _, r := range t.rows {
		if r[1] == "" && r[2] == "" {
			continue
		}
		for i := range width {
			width[i] = max(width[i], len([]rune(r[i])))
		}
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", max(n-len([]rune(s)), 0)) }
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%s  %s  %s  %s\n", pad("measure", width[0]), pad("measured", width[1]), pad("target", width[2]), "ok")
	for _, r := range t.rows {
		if r[1] == "" && r[2] == "" {
			fmt.Fprintf(w, "\n%s\n", r[0])
			continue
		}
		fmt.Fprintf(w, "%s  %s  %s  %s\n", pad(r[0], width[0]), pad(r[1], width[1]), pad(r[2], width[2]), r[3])
	}
}

func verdict(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

func median(v []float64) float64 { return percentile(v, 0.5) }

func percentile(v []float64, p float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if p == 0.5 && len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[int(p*float64(len(s)-1)+0.5)]
}

// si writes n with thousands separators.
func si(n float64) string {
	s := strconv.FormatInt(int64(n+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func check(err error) {
	if err != nil {
		fail("%v", err)
	}
}

// atFail is what fail undoes before it exits: processes started for a
// measurement.
var atFail []func()

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchreport: "+format+"\n", args...)
	for _, undo := range atFail {
		undo()
	}
	os.Exit(1)
}
