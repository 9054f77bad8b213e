package main

import (
	"bufio"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// hashing measures what --checksums, --manifest and --verify cost, whole
// process, beside their floors, round after round:
//
//   - hash rate: a re-run finds a file of mb MiB already complete at the
//     destination (ascpsim sends SKIP, nothing moves) and asession reads
//     it for --manifest (SHA-256) or --checksums (MD5); against sha256sum
//     and md5sum on the same file, and asession's same re-run without a
//     check (its start-up, ascpsim's, the scan), which the rate leaves out.
//   - DONE behind a hash (issue 28): ascpsim replays the STOP of that file,
//     then the STOPs of smallFiles small ones, then DONE; with --verify
//     the large file is being hashed while the rest must flow. The time to
//     asession's DONE line, with --verify and without (the floor).
func hashing(t *table, asession, ascpsim, dir string, mb, runs int) {
	const smallFiles = 1100
	root := filepath.Join(dir, "hash-server")
	dest := filepath.Join(dir, "hash-dest")
	for _, d := range []string{filepath.Join(root, "pub"), dest} {
		check(os.MkdirAll(d, 0o755))
	}
	defer os.RemoveAll(root)
	defer os.RemoveAll(dest)
	big := filepath.Join(dest, "big.bin")
	sha, md := writeBig(big, mb)
	// The server's copy need only be there to be listed: the re-run
	// never reads it (overwrite never).
	check(os.Link(big, filepath.Join(root, "pub", "big.bin")))
	spec := filepath.Join(dir, "hash-job.json")
	check(os.WriteFile(spec, []byte(fmt.Sprintf(`{"remote_host":"bench","remote_user":"u","remote_password":"p",`+
		`"direction":"receive","overwrite":"never","file_checksum":"sha-256","paths":[{"source":"/pub/big.bin"}],"destination_root":%q}`, dest)), 0o600))
	list := filepath.Join(dir, "hash-md5.txt")
	check(os.WriteFile(list, []byte(md+"  big.bin\n"), 0o600))
	manifest := filepath.Join(dir, "hash-manifest.txt")
	env := []string{"ASCPSIM_ROOT=" + root}

	transcript := filepath.Join(dir, "hash-transcript.txt")
	writeBehindTranscript(transcript, dest, big, sha, smallFiles)
	defer os.Remove(transcript)
	replay := append(env, "ASCPSIM_REPLAY="+transcript)

	size := float64(int64(mb) << 20)
	var shaFloor, shaRun, mdFloor, mdRun, bare, shaRatio, mdRatio, doneVerify, doneBare, exitVerify []float64
	for i := 0; i < runs; i++ {
		f1 := timed(func() { run(exec.Command("sha256sum", big), nil, sha) })
		b := timed(func() { run(exec.Command(asession, "--ascp", ascpsim, "@file:"+spec), env, `"status":"completed"`) })
		a1 := timed(func() {
			run(exec.Command(asession, "--ascp", ascpsim, "--manifest", manifest, "@file:"+spec), env, `"status":"completed"`)
		})
		if m, err := os.ReadFile(manifest); err != nil || string(m) != sha+"  big.bin\n" {
			fail("the manifest holds %q (%v), want the file's SHA-256", m, err)
		}
		f2 := timed(func() { run(exec.Command("md5sum", big), nil, md) })
		a2 := timed(func() {
			run(exec.Command(asession, "--ascp", ascpsim, "--checksums", list, "@file:"+spec), env, `"checksums":{"checked":1,"matched":1`)
		})
		shaFloor, shaRun, mdFloor, mdRun, bare = append(shaFloor, f1), append(shaRun, a1), append(mdFloor, f2), append(mdRun, a2), append(bare, b)
		shaRatio = append(shaRatio, (a1-b)/f1)
		mdRatio = append(mdRatio, (a2-b)/f2)

		d, e := doneTime(asession, ascpsim, spec, replay, true)
		doneVerify, exitVerify = append(doneVerify, d), append(exitVerify, e)
		d, _ = doneTime(asession, ascpsim, spec, replay, false)
		doneBare = append(doneBare, d)
		fmt.Fprintf(os.Stderr, "hashing round %d: sha256sum %.0f ms, asession --manifest %.0f ms (%.0f ms without); md5sum %.0f ms, --checksums %.0f ms; DONE %.0f ms with --verify, %.0f ms without\n",
			i+1, f1*1e3, a1*1e3, b*1e3, f2*1e3, a2*1e3, doneVerify[i]*1e3, doneBare[i]*1e3)
	}
	rate := func(secs float64) string { return fmt.Sprintf("%.0f MB/s", size/secs/1e6) }
	t.section(fmt.Sprintf("hashing a %d MiB file already at the destination (re-run, SKIP), whole process (%d interleaved rounds, medians)", mb, runs))
	t.row("  asession --manifest (SHA-256), wall", fmt.Sprintf("%.0f ms", median(shaRun)*1e3), "", "")
	t.row("  asession, the same re-run without a check", fmt.Sprintf("%.0f ms", median(bare)*1e3), "", "")
	t.row("  so hashing, SHA-256", rate(median(shaRun)-median(bare)), "", "")
	t.row("  floor: sha256sum on the same file", rate(median(shaFloor)), "", "")
	r := median(shaRatio)
	t.row("  asession's hash time over sha256sum's, per round", fmt.Sprintf("%.2fx (rounds %.2f–%.2fx)", r, slices.Min(shaRatio), slices.Max(shaRatio)), "≤ 1.2x", verdict(r <= 1.2))
	t.row("  asession --checksums (MD5), so hashing", rate(median(mdRun)-median(bare)), "", "")
	t.row("  floor: md5sum on the same file", rate(median(mdFloor)), "", "")
	r = median(mdRatio)
	t.row("  asession's hash time over md5sum's, per round", fmt.Sprintf("%.2fx (rounds %.2f–%.2fx)", r, slices.Min(mdRatio), slices.Max(mdRatio)), "≤ 1.2x", verdict(r <= 1.2))
	t.section(fmt.Sprintf("--verify: %d small files and DONE behind the STOP of the %d MiB file, replayed (%d rounds, medians)", smallFiles, mb, runs))
	dv, db := median(doneVerify), median(doneBare)
	t.row("  start to the DONE line, with --verify", fmt.Sprintf("%.0f ms", dv*1e3), "", "")
	t.row("  start to the DONE line, without (floor)", fmt.Sprintf("%.0f ms", db*1e3), "", "")
	hash := median(shaRun) - median(bare)
	t.row("  the DONE line's delay, over the hash's own time", fmt.Sprintf("%+.0f ms, %.2fx (the hash: %.0f ms)", (dv-db)*1e3, (dv-db)/hash, hash*1e3),
		"< 0.2x", verdict((dv-db)/hash < 0.2))
	t.row("  start to exit, with --verify (the summary waits for the hash)", fmt.Sprintf("%.0f ms", median(exitVerify)*1e3), "", "")
}

// writeBig writes mb MiB of pseudo-random bytes to path and returns their
// SHA-256 and MD5 in hex.
func writeBig(path string, mb int) (sha, md string) {
	f, err := os.Create(path)
	check(err)
	hs, hm := sha256.New(), md5.New()
	w := io.MultiWriter(f, hs, hm)
	block := make([]byte, 1<<20)
	rng := rand.New(rand.NewPCG(uint64(mb), 29))
	for range mb {
		for i := 0; i < len(block); i += 8 {
			v := rng.Uint64()
			for k := range 8 {
				block[i+k] = byte(v >> (8 * k))
			}
		}
		_, err := w.Write(block)
		check(err)
	}
	check(f.Close())
	return hex.EncodeToString(hs.Sum(nil)), hex.EncodeToString(hm.Sum(nil))
}

// writeBehindTranscript writes the frames of a session that delivered
// big, then n small files (written beside it), then DONE, each STOP with
// the SHA-256 --verify compares.
func writeBehindTranscript(path, dest, big, bigSHA string, n int) {
	f, err := os.Create(path)
	check(err)
	w := bufio.NewWriter(f)
	stop := func(file, sum string, size int64) {
		fmt.Fprintf(w, "FASPMGR 2\nType: STOP\nFile: %s\nSource: /pub/%s\nSize: %d\nStartByte: 0\nEndByte: %d\nFileBytes: %d\nFileChecksumType: sha-256\nFileChecksum: %s\n\n",
			file, filepath.Base(file), size, size, size, sum)
	}
	info, err := os.Stat(big)
	check(err)
	stop(big, bigSHA, info.Size())
	for i := range n {
		small := filepath.Join(dest, fmt.Sprintf("small-%04d.bin", i))
		data := []byte(fmt.Sprintf("small file %d\n", i))
		check(os.WriteFile(small, data, 0o644))
		sum := sha256.Sum256(data)
		stop(small, hex.EncodeToString(sum[:]), int64(len(data)))
	}
	w.WriteString("FASPMGR 2\nType: DONE\n\n")
	check(w.Flush())
	check(f.Close())
}

// doneTime runs asession on the replayed transcript and returns the time
// from its start to its DONE line, and to its exit.
func doneTime(asession, ascpsim, spec string, env []string, verify bool) (done, exit float64) {
	args := []string{"--ascp", ascpsim}
	if verify {
		args = append(args, "--verify")
	}
	cmd := exec.Command(asession, append(args, "@file:"+spec)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	check(err)
	start := time.Now()
	check(cmd.Start())
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 1<<20)
	last := ""
	for sc.Scan() {
		if done == 0 && strings.HasPrefix(sc.Text(), `{"type":"DONE"`) {
			done = time.Since(start).Seconds()
		}
		last = sc.Text()
	}
	if err := cmd.Wait(); err != nil || done == 0 || !strings.Contains(last, `"status":"completed"`) {
		fail("replay with verify %v: %v, DONE at %v, last line %s", verify, err, done, last)
	}
	return done, time.Since(start).Seconds()
}

// timed returns how long fn took, in seconds.
func timed(fn func()) float64 {
	start := time.Now()
	fn()
	return time.Since(start).Seconds()
}

// run runs cmd with env added and fails unless it exits 0 with want in
// its output.
func run(cmd *exec.Cmd, env []string, want string) {
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), want) {
		fail("%s: %v, want %q in\n%s", strings.Join(cmd.Args, " "), err, want, out)
	}
}
