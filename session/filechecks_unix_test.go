//go:build unix

package session

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faspkit/asession/ascp/mgmt"
)

// syncBuffer is an output the test reads while the job writes it.
type syncBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{mu: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.buf.String()
}

// Issue 28: hashing must never stall the relay. The first file ascp
// reports is a FIFO with no writer yet: whatever reads it waits until the
// test writes it, so no hash can finish before. Behind it come more files
// than any bounded queue would hold, then DONE; the relay must pass every
// one of their lines, DONE included, to the output while that first
// hash is still held. (The verifier this replaced queued files on a
// 1,024-slot channel: its relay stopped at the 1,025th STOP.) Nothing
// here is timed; the deadline only turns a hang into a failure.
func TestRelayNeverWaitsForTheHashers(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.fifo")
	if err := syscall.Mkfifo(big, 0o600); err != nil {
		t.Fatal(err)
	}
	bigData := []byte(strings.Repeat("large file ", 1000))
	sum := func(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }
	// Twice the old queue's slots, and enough to spill to disk.
	const smallFiles = 2 * 1024
	defer func(old int) { queueMemory = old }(queueMemory)
	queueMemory = 16 << 10

	var stream bytes.Buffer
	stop := func(file, checksum string) {
		fmt.Fprintf(&stream, "FASPMGR 2\nType: STOP\nFile: %s\nSource: /remote/%s\nSize: 1\nStartByte: 0\nFileChecksumType: md5\nFileChecksum: %s\n\n",
			file, filepath.Base(file), checksum)
	}
	stop(big, sum(bigData))
	for i := range smallFiles {
		small := filepath.Join(dir, fmt.Sprintf("small-%d.txt", i))
		if err := os.WriteFile(small, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		stop(small, sum([]byte("x")))
	}
	stream.WriteString("FASPMGR 2\nType: DONE\n\n")

	out := newSyncBuffer()
	j := testJob(t, `{"remote_host":"h","direction":"receive","file_checksum":"md5","paths":[{"source":"/remote"}],"destination_root":"`+dir+`"}`, out)
	j.in.Agent.Verify = true
	checks, err := newFileChecks(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	j.checks = checks
	fr := frameRelay{job: j, session: 1, raw: true, checks: checks}
	reader := mgmt.NewReader(&stream)
	fr.makeLines(reader)

	relayed := make(chan error, 1)
	go func() {
		for {
			f, line, err := fr.next(reader)
			if err == io.EOF {
				relayed <- fr.writeBatch()
				return
			}
			if err == nil {
				err = fr.frame(f, line, reader.Buffered() == 0)
			}
			if err != nil {
				relayed <- err
				return
			}
		}
	}()
	select {
	case err := <-relayed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the relay is still waiting: it was held up by a file being hashed")
	}
	_ = j.opts.Out.Flush()
	lines := out.String()
	if n := strings.Count(lines, `"type":"STOP"`); n != smallFiles+1 {
		t.Errorf("%d STOP lines written while the first file's hash was held, want %d", n, smallFiles+1)
	}
	if !strings.Contains(lines, `"type":"DONE"`) {
		t.Error("no DONE line while the first file's hash was held")
	}

	// Now the large file arrives: every file gets hashed, once.
	w, err := os.OpenFile(big, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(bigData)
	w.Close()
	v := checks.finish()
	if v.err != nil || v.verified == nil || *v.verified != smallFiles+1 {
		t.Fatalf("verdict %+v (verified %v), want %d", v.err, deref(v.verified), smallFiles+1)
	}
	if strings.Contains(out.String(), `"type":"error"`) {
		t.Errorf("error lines:\n%s", out.String())
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
