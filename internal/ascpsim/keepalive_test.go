package ascpsim

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestKeepaliveStartDone(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	a, b := pattern(100_000, 1), pattern(10_000, 2)
	writeFile(t, filepath.Join(local, "a.bin"), a)
	writeFile(t, filepath.Join(local, "b dir", "b.bin"), b)
	r := startSim(t, root, simOpts{}, send("--keepalive", "-d", "/ka")...)
	r.waitFor("NOTIFICATION")
	r.send("START", "Source", filepath.Join(local, "a.bin"), "Destination", "sub/renamed.bin")
	r.send("START", "Source", filepath.Join(local, "b dir"))
	r.send("DONE") // the queue still runs to its end
	fs := r.mustSucceed()
	checkFileFrames(t, fs)
	if got, _ := os.ReadFile(filepath.Join(root, "ka", "sub", "renamed.bin")); !bytes.Equal(got, a) {
		t.Fatal("first START not transferred to its destination")
	}
	if got, _ := os.ReadFile(filepath.Join(root, "ka", "b dir", "b.bin")); !bytes.Equal(got, b) {
		t.Fatal("second START not transferred into the destination root")
	}
	if n := len(ofType(fs, "ARGSTOP")); n != 2 {
		t.Fatalf("%d ARGSTOP, want one per START", n)
	}
	if done := fs[len(fs)-1]; done.int(t, "TransfersPassed") != 2 {
		t.Fatalf("DONE %v", done.fields)
	}
}

// TestKeepaliveRanges: START's FileBytes moves one byte range, written in
// place, so two ranges rebuild the file.
func TestKeepaliveRanges(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	data := pattern(90_001, 5)
	writeFile(t, filepath.Join(local, "f"), data)
	r := startSim(t, root, simOpts{}, send("--keepalive", "/")...)
	r.send("START", "Source", filepath.Join(local, "f"), "Destination", "/whole", "FileBytes", "50000:")
	r.send("START", "Source", filepath.Join(local, "f"), "Destination", "/whole", "FileBytes", "0:50000")
	r.send("DONE")
	fs := r.mustSucceed()
	stops := ofType(fs, "STOP")
	if len(stops) != 2 || stops[0].int(t, "StartByte") != 50000 || stops[0].int(t, "EndByte") != 90001 ||
		stops[1].int(t, "EndByte") != 50000 {
		t.Fatalf("STOP frames %v", stops)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "whole")); !bytes.Equal(got, data) {
		t.Fatal("ranges did not rebuild the file")
	}
}

func TestKeepaliveCancelWhileIdle(t *testing.T) {
	r := startSim(t, t.TempDir(), simOpts{}, send("--keepalive", "/")...)
	r.waitFor("NOTIFICATION")
	r.send("CANCEL")
	r.mustFail(codeCancelled)
}

// TestCancelMidTransfer: CANCEL stops an ordinary session at once; the
// partial file stays for a later resume.
func TestCancelMidTransfer(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "big"), pattern(2<<20, 3))
	r := startSim(t, root, simOpts{}, send("-l", "8000", filepath.Join(local, "big"), "/")...)
	r.waitFor("STATS")
	sent := time.Now()
	r.send("CANCEL")
	r.mustFail(codeCancelled)
	if d := time.Since(sent); d > 2*time.Second {
		t.Fatalf("cancel took %v", d)
	}
	if _, err := os.Stat(filepath.Join(root, "big.partial")); err != nil {
		t.Fatal("partial file removed on cancel")
	}
}

// TestPacingAndRate: -l holds the rate, STATS keeps coming at least every
// half second, and RATE changes the pace mid-file and is acknowledged.
func TestPacingAndRate(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "big"), pattern(4<<20, 7))
	r := startSim(t, root, simOpts{}, send("-l", "4000", "-m", "100", filepath.Join(local, "big"), "/")...)
	first := r.waitFor("START")
	time.Sleep(time.Second)
	var before int64
	for _, f := range ofType(r.all(), "STATS") {
		before = f.int(t, "Bytescont")
	}
	if before == 0 || before > 800_000 {
		t.Fatalf("%d bytes after a second at 4000 kbps (500 KB/s)", before)
	}
	r.send("RATE", "Rate", "1000000", "MinRate", "0", "Adaptive", "Adaptive")
	fs := r.mustSucceed()
	var ack *frame
	for i, f := range fs {
		if f.typ == "NOTIFICATION" && f.get("Rate") == "1000000" {
			ack = &fs[i]
		}
	}
	if ack == nil || ack.get("MinRate") != "0" {
		t.Fatalf("RATE not acknowledged: %v", types(fs))
	}
	if d := fs[len(fs)-1].at.Sub(first.at); d > 5*time.Second {
		t.Fatalf("RATE did not speed the transfer up: %v", d)
	}
	last := first.at
	for _, f := range fs {
		if f.typ == "STATS" || f.typ == "STOP" {
			if gap := f.at.Sub(last); gap > 600*time.Millisecond {
				t.Fatalf("%v without STATS", gap)
			}
			last = f.at
		}
	}
	if got, _ := os.ReadFile(filepath.Join(root, "big")); !bytes.Equal(got, pattern(4<<20, 7)) {
		t.Fatal("paced file differs")
	}
}

// TestClientHangsUp: a client that goes away does not leave ascp running.
func TestClientHangsUp(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "big"), pattern(2<<20, 3))
	r := startSim(t, root, simOpts{}, send("-l", "800", filepath.Join(local, "big"), "/")...)
	r.waitFor("START")
	r.closeConn()
	select {
	case <-r.exited:
	case <-time.After(3 * time.Second):
		t.Fatal("still running after the client hung up")
	}
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
}
