package ascpsim

// Resuming a partial file under -k: the .aspx record and the checks that
// decide whether its bytes are kept.

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"strconv"
	"strings"
)

// aspxSuffix names IBM's resume record beside a file in transfer: the
// last byte up to which all bytes are on disk. ascp keeps it only under
// -k and removes it when the file completes; without it a later run
// cannot resume ("-k must be given on the first transfer").
const aspxSuffix = ".aspx"

// resumeOffset decides where to pick up an interrupted file under -k: at
// the contiguous bytes the earlier run recorded, when the -k check accepts
// them.
func (s *faspSession) resumeOffset(e *entry, partial string) int64 {
	if s.cfg.resume == 0 {
		return 0
	}
	pfi, err := os.Lstat(partial)
	if err != nil || !pfi.Mode().IsRegular() || pfi.Size() > e.size {
		return 0
	}
	rec, err := os.ReadFile(e.dstLocal + aspxSuffix)
	if err != nil {
		return 0 // the earlier run had no -k: nothing says what is valid
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(rec)), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	n = min(n, pfi.Size())
	switch s.cfg.resume {
	case 2:
		if !sparseMatch(e.srcLocal, partial, n) {
			return 0
		}
	case 3:
		if !fullMatch(e.srcLocal, partial, n) {
			return 0
		}
	}
	return n
}

// sparseMatch compares a few blocks spread over the first n bytes.
func sparseMatch(a, b string, n int64) bool {
	fa, err := os.Open(a)
	if err != nil {
		return false
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false
	}
	defer fb.Close()
	const block, samples = 4096, 16
	ba, bb := make([]byte, block), make([]byte, block)
	for i := int64(0); i < samples; i++ {
		off := n * i / samples
		l := min(int64(block), n-off)
		if l <= 0 {
			continue
		}
		na, _ := fa.ReadAt(ba[:l], off)
		nb, _ := fb.ReadAt(bb[:l], off)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false
		}
	}
	if n > 0 { // the last block too: that is where an interrupted write ends
		off := max(0, n-block)
		na, _ := fa.ReadAt(ba[:n-off], off)
		nb, _ := fb.ReadAt(bb[:n-off], off)
		return na == nb && bytes.Equal(ba[:na], bb[:nb])
	}
	return true
}

// fullMatch compares checksums of the first n bytes of both files.
func fullMatch(a, b string, n int64) bool {
	sum := func(p string) []byte {
		f, err := os.Open(p)
		if err != nil {
			return nil
		}
		defer f.Close()
		h := sha256.New()
		if m, _ := io.Copy(h, io.LimitReader(f, n)); m != n {
			return nil
		}
		return h.Sum(nil)
	}
	x, y := sum(a), sum(b)
	return x != nil && bytes.Equal(x, y)
}

// recordResume writes the resume record of the file in flight: every byte
// below onDisk is written. Only under -k, as ascp does.
func (s *faspSession) recordResume(onDisk int64) {
	if f := s.cur; f != nil && f.record {
		os.WriteFile(f.e.dstLocal+aspxSuffix, []byte(itoa(onDisk)+"\n"), 0o644)
	}
}
