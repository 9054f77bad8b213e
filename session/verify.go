package session

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

// verifier is --verify: for every file ascp reports transferred, it
// compares the checksum ascp computed (FileChecksum, FileChecksumType on
// STOP) with one of the local copy: the source on upload, the received
// file on download. No Aspera client checks this end to end. Files are
// read by one goroutine beside the relay, so that a large file does not
// hold up the management stream.
type verifier struct {
	job    *job
	upload bool
	files  chan verifyFile
	done   chan struct{}

	mu       sync.Mutex
	verified int
	failed   int
}

type verifyFile struct {
	file, local, algo, sum string
	session                int
}

// checkVerify refuses what --verify cannot check: a spec that asks ascp
// for no checksum, or an upload whose sources ascp removes or moves once
// sent (the local copy is gone before it can be read).
func checkVerify(spec *schema.Spec) schema.Problems {
	if c := spec.String("file_checksum"); c == "" || c == "none" {
		return schema.Problems{{Pointer: "/file_checksum", Expected: "a checksum for --verify to compare (sha-256, sha-512, sha-384, sha1 or md5)", Found: "none"}}
	}
	if spec.String("direction") != "send" {
		return nil
	}
	for _, field := range []string{"remove_after_transfer", "delete_source"} {
		if spec.Bool(field) {
			return schema.Problems{{Pointer: "/" + field, Expected: "false with --verify on an upload (the source must still be there to be read)", Found: "true"}}
		}
	}
	if spec.Has("move_after_transfer") {
		return schema.Problems{{Pointer: "/move_after_transfer", Expected: "absent with --verify on an upload (the source must still be there to be read)", Found: "a path"}}
	}
	return nil
}

func newVerifier(j *job) *verifier {
	v := &verifier{job: j, upload: j.in.Spec.String("direction") == "send",
		files: make(chan verifyFile, 1024), done: make(chan struct{})}
	go v.run()
	return v
}

// stop queues the file a STOP frame reports.
func (v *verifier) stop(session int, f *mgmt.Frame) {
	file, _ := f.Lookup(mgmt.NameFile)
	local := file
	if v.upload {
		local, _ = f.Lookup(mgmt.NameSource)
	}
	sum, _ := f.Lookup(mgmt.NameFileChecksum)
	algo, _ := f.Lookup(mgmt.NameFileChecksumType)
	v.files <- verifyFile{file: string(file), local: string(local), algo: string(algo), sum: string(sum), session: session}
}

func (v *verifier) run() {
	defer close(v.done)
	for f := range v.files {
		problem := f.check()
		v.mu.Lock()
		if problem == "" {
			v.verified++
		} else {
			v.failed++
		}
		v.mu.Unlock()
		if problem == "" {
			continue
		}
		e := events.NewError(events.FromVerify, 0, "file "+f.file+": "+problem)
		if v.job.prepared != nil && len(v.job.prepared.Invocations) > 1 {
			e.Session = f.session
		}
		_ = v.job.opts.Out.Event(e)
		v.job.acct.Unverified(f.file, problem)
	}
}

// check returns what is wrong with the file, or "".
func (f *verifyFile) check() string {
	if f.sum == "" {
		return "ascp reported no FileChecksum for it"
	}
	h := newHash(f.algo)
	if h == nil {
		return fmt.Sprintf("ascp reported a checksum of unknown type %q", f.algo)
	}
	in, err := os.Open(f.local)
	if err != nil {
		return "cannot read the local copy: " + err.Error()
	}
	defer in.Close()
	if _, err := io.Copy(h, in); err != nil {
		return "cannot read the local copy: " + err.Error()
	}
	got := h.Sum(nil)
	want, err := hex.DecodeString(strings.TrimSpace(f.sum))
	if err != nil || !bytes.Equal(got, want) {
		return fmt.Sprintf("checksum differs: ascp reported %s %s, the local copy %s %s has %s", f.algo, f.sum, f.algo, f.local, hex.EncodeToString(got))
	}
	return ""
}

// newHash knows the algorithms of file_checksum, with or without IBM's
// hyphen (sha-256, sha256).
func newHash(name string) hash.Hash {
	switch strings.ReplaceAll(strings.ToLower(name), "-", "") {
	case "md5":
		return md5.New()
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	case "sha384":
		return sha512.New384()
	case "sha512":
		return sha512.New()
	}
	return nil
}

// finish waits for the queued files and returns how many were verified
// and how many failed.
func (v *verifier) finish() (verified, failed int) {
	close(v.files)
	<-v.done
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.verified, v.failed
}
