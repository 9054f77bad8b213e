package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

// floorEnv, when set, makes this binary the floor of the set-up rows: it
// reads a spec from stdin in one pass and writes the same list file that
// asession writes (each source, and in a pair list its destination, on a
// line), in a private folder it makes, then appends "F <time>" to the
// stamp file the variable names and exits. It does nothing else: no
// validation, no other field, no escapes (the bench specs have none).
// Nothing that writes that list from that spec can take less.
const floorEnv = "BENCHREPORT_FLOOR"

func listFloor(stamps string) int {
	dir, err := os.MkdirTemp("", "asession-floor-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	f, err := os.OpenFile(filepath.Join(dir, "paths.txt"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		return 1
	}
	out := make([]byte, 0, 256<<10)
	buf := make([]byte, 256<<10)
	kept := 0
	for eof := false; !eof; {
		n, err := os.Stdin.Read(buf[kept:])
		if err == io.EOF {
			eof = true
		} else if err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			return 1
		}
		data := buf[:kept+n]
		// Each "source" member's value, and a "destination" member's
		// after it: the end of the last whole one is where the next read
		// continues.
		done := 0
		for {
			i := bytes.Index(data[done:], []byte(`"source"`))
			if i < 0 {
				break
			}
			at := done + i + len(`"source"`)
			src, end := floorString(data, at)
			if end < 0 {
				break
			}
			line := append(out, src...)
			line = append(line, '\n')
			if dst, dend := floorMember(data, end, `"destination"`); dend >= 0 {
				line = append(append(line, dst...), '\n')
				end = dend
			} else if dend == -2 {
				break // cut: read more
			}
			out, done = line, end
			if len(out) >= 256<<10 {
				if _, err := f.Write(out); err != nil {
					fmt.Fprintln(os.Stderr, "floor:", err)
					return 1
				}
				out = out[:0]
			}
		}
		kept = copy(buf, data[done:])
		if kept == len(buf) {
			buf = append(buf, make([]byte, len(buf))...)
		}
	}
	if _, err := f.Write(out); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		return 1
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		return 1
	}
	if s, err := os.OpenFile(stamps, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err == nil {
		fmt.Fprintf(s, "F %d\nFH %d\nFC %d\n", time.Now().UnixNano(), statusKB(os.Getpid(), "VmHWM:"), cpuNS(os.Getpid()))
		s.Close()
	}
	return 0
}

// floorString reads `: "value"` at data[at:] (blanks allowed): the value
// and where it ends, -1 when data ends first.
func floorString(data []byte, at int) ([]byte, int) {
	for at < len(data) && (data[at] == ' ' || data[at] == ':' || data[at] == '\n') {
		at++
	}
	if at == len(data) || data[at] != '"' {
		return nil, -1
	}
	q := bytes.IndexByte(data[at+1:], '"')
	if q < 0 {
		return nil, -1
	}
	return data[at+1 : at+1+q], at + 2 + q
}

// floorMember reads `, "name": "value"` at data[at:] when the entry goes
// on with it: the value and its end; -1 when the entry ends there, -2
// when data ends first.
func floorMember(data []byte, at int, name string) ([]byte, int) {
	for at < len(data) && (data[at] == ' ' || data[at] == ',' || data[at] == '\n') {
		at++
	}
	if len(data)-at < len(name) {
		return nil, -2
	}
	if string(data[at:at+len(name)]) != name {
		return nil, -1
	}
	v, end := floorString(data, at+len(name))
	if end < 0 {
		return nil, -2
	}
	return v, end
}

// setupOnlyEnv makes the stub report no transfer once it has recorded
// its spawn: the streamed rounds measure set-up alone.
const setupOnlyEnv = "BENCHREPORT_SETUP_ONLY"

// streamedSetup runs rounds of a job of n pairs piped on stdin: asession
// to the spawn of the stub ascp, and the floor to its list file written,
// one after the other (the first of the two alternates), and reports
// each one's median and the median of the rounds' ratios.
func streamedSetup(t *table, asession, self, dir string, n, rounds int) {
	spec := filepath.Join(dir, "streamed.json")
	size := writePathsSpec(spec, n, true, 0, false)
	defer os.Remove(spec)
	stamps := filepath.Join(dir, "stamps")
	var spawn, floor, ratios, peak, floorPeak, cpuRatios []float64
	for i := 0; i < rounds; i++ {
		var a, f, ap, fp, ac, fc float64
		for k := 0; k < 2; k++ {
			os.Remove(stamps)
			if (i+k)%2 == 0 {
				cmd := exec.Command(self)
				cmd.Env = append(os.Environ(), floorEnv+"="+stamps)
				start := pipeSpec(cmd, spec)
				f = float64(readStamp(stamps, "F")-start) / 1e6
				fp = float64(readStamp(stamps, "FH")) / 1024
				fc = float64(readStamp(stamps, "FC")) / 1e6
			} else {
				cmd := exec.Command(asession, "--ascp", self, "--retries", "0")
				cmd.Env = append(os.Environ(), stampEnv+"="+stamps, setupOnlyEnv+"=1")
				start := pipeSpec(cmd, spec)
				a = float64(readStamp(stamps, "M")-start) / 1e6
				ap = float64(readStamp(stamps, "H")) / 1024
				ac = float64(readStamp(stamps, "C")) / 1e6
			}
		}
		spawn, floor, ratios = append(spawn, a), append(floor, f), append(ratios, a/f)
		peak, floorPeak, cpuRatios = append(peak, ap), append(floorPeak, fp), append(cpuRatios, ac/fc)
		fmt.Fprintf(os.Stderr, "%d pairs piped, round %d: asession spawns ascp at %.0f ms (CPU %.0f ms, peak %.1f MB), the floor writes its list in %.0f ms (CPU %.0f ms, peak %.1f MB): %.2fx\n",
			n, i+1, a, ac, ap, f, fc, fp, a/f)
	}
	t.section(fmt.Sprintf("%s pairs piped on stdin (%d MB spec), asession and the streaming floor in %d interleaved rounds", si(float64(n)), size>>20, rounds))
	t.row("  asession: start to ascp spawned (median)", fmt.Sprintf("%.0f ms", median(spawn)), "", "")
	t.row("  floor: start to its list file written (median)", fmt.Sprintf("%.0f ms", median(floor)), "", "")
	r := median(ratios)
	t.row("  asession over the floor (median of rounds)", fmt.Sprintf("%.2fx (rounds %.2f–%.2fx)", r, slices.Min(ratios), slices.Max(ratios)), "≤ 1.3x", verdict(r <= 1.3))
	t.row("  CPU time of asession to the spawn over the floor's (median of rounds)", fmt.Sprintf("%.2fx (rounds %.2f–%.2fx)", median(cpuRatios), slices.Min(cpuRatios), slices.Max(cpuRatios)), "", "")
	t.row("  asession's peak RSS to the spawn, VmHWM (median; max)", fmt.Sprintf("%.1f MB; %.1f MB", median(peak), slices.Max(peak)), "≤ 32 MB", verdict(slices.Max(peak) <= 32))
	t.row("  the floor's peak RSS, VmHWM (median)", fmt.Sprintf("%.1f MB", median(floorPeak)), "", "")
}

// pipeSpec runs cmd with the spec at path piped on its stdin, and
// returns when it was started (ns); cmd has exited when it returns.
func pipeSpec(cmd *exec.Cmd, path string) int64 {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	r, w, err := os.Pipe()
	check(err)
	cmd.Stdin = r
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &out
	start := time.Now().UnixNano()
	check(cmd.Start())
	r.Close()
	go func() {
		io.Copy(w, f)
		w.Close()
	}()
	if err := cmd.Wait(); err != nil && cmd.ProcessState.ExitCode() != 1 {
		fail("%s: %v\n%s", cmd.Path, err, out.String())
	}
	return start
}
