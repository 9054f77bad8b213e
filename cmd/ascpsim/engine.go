package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	errCancelled = errors.New("cancelled by user")
	errPeerGone  = errors.New("management connection closed by the client")
)

// statsEvery is how often STATS goes out while bytes move; ascp's
// documented cadence is at least every half second.
const statsEvery = 250 * time.Millisecond

type session struct {
	cfg      *config
	tgt      *target
	m        *mgmtConn
	src, dst side
	flt      fault
	start    time.Time
	prog     *progress

	ctx    context.Context
	cancel context.CancelCauseFunc

	rate, minRate atomic.Int64 // kbps, 0 = unthrottled
	rateGen       atomic.Int64
	paceGen       int64
	paceBase      time.Time
	paceSent      int64

	written       int64 // bytes written to destination files this run, for the faults
	transferBytes int64
	fileBytes     int64

	attempted, passed, failed, skipped int64
	firstFail                          *sessionError

	cur       *fileState
	lastStats time.Time

	savedAt  string
	savedSeq int

	q jobQueue
}

// fileState is the file in flight, for STATS.
type fileState struct {
	e        *entry
	startOff int64
	sent     int64
	record   bool // keep the .aspx resume record (-k)
}

func (s *session) elapsedUsec() string { return itoa(time.Since(s.start).Microseconds()) }

func (s *session) totals() []string {
	return []string{
		"TransfersAttempted", itoa(s.attempted),
		"TransfersPassed", itoa(s.passed),
		"TransfersFailed", itoa(s.failed),
		"TransfersSkipped", itoa(s.skipped),
		"TransferBytes", itoa(s.transferBytes),
		"FileBytes", itoa(s.fileBytes),
		"Elapsedusec", s.elapsedUsec(),
	}
}

// sendError is the session's last frame when it fails.
func (s *session) sendError(e *sessionError) {
	pairs := []string{"Code", itoa(int64(e.code)), "Description", e.desc}
	if e.file != "" {
		pairs = append(pairs, "File", e.file)
	}
	s.m.sendRich("ERROR", append(pairs, s.totals()...)...)
}

func (s *session) sendSession() {
	c := s.cfg
	dir := "Receive"
	if s.tgt.send {
		dir = "Send"
	}
	adaptive := map[string]string{"fixed": "Fixed", "low": "Trickle"}[c.policy]
	if adaptive == "" {
		adaptive = "Adaptive"
	}
	pairs := []string{
		"Direction", dir,
		"Operation", "Transfer",
		"Host", s.tgt.host,
		"User", s.tgt.user,
		"Port", itoa(int64(c.udpPort)),
		"TCPPort", itoa(int64(c.sshPort)),
		"Encryption", yesNo(!c.noEncryption && c.cipher != "none"),
		"Adaptive", adaptive,
		"RateLock", "No",
		"MinRateLock", "No",
		"PolicyLock", "No",
		"Remote", "No",
		"Keepalive", yesNo(c.keepalive),
		"Precalc", yesNo(c.precalc),
		"FilesEncrypt", yesNo(c.fileCrypt == "encrypt"),
		"FilesDecrypt", yesNo(c.fileCrypt == "decrypt"),
	}
	if c.rate > 0 {
		pairs = append(pairs, "Rate", itoa(c.rate))
	}
	if c.minRate > 0 {
		pairs = append(pairs, "MinRate", itoa(c.minRate))
	}
	if c.dgramSize > 0 {
		pairs = append(pairs, "DatagramSize", itoa(int64(c.dgramSize)))
	}
	if s.tgt.hasDest {
		pairs = append(pairs, "Destination", s.tgt.dest)
	}
	s.m.sendRich("SESSION", pairs...)
}

// job is a batch of source arguments: the command line's, or one START.
type job struct {
	args    []*srcArg
	initial bool
}

// jobQueue holds the keepalive START commands until the transfer loop
// takes them; done is set by the client's DONE.
type jobQueue struct {
	mu     sync.Mutex
	items  []*job
	done   bool
	locked bool
	wake   chan struct{}
}

func (q *jobQueue) push(j *job) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.done || q.locked {
		return false
	}
	q.items = append(q.items, j)
	q.signal()
	return true
}

func (q *jobQueue) finish(linger bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if linger {
		q.locked = true
		return
	}
	q.done = true
	q.signal()
}

func (q *jobQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// next blocks for the next queued job; nil means the queue is finished.
func (q *jobQueue) next(ctx context.Context) (*job, error) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			j := q.items[0]
			q.items = q.items[1:]
			q.mu.Unlock()
			return j, nil
		}
		if q.done {
			q.mu.Unlock()
			return nil, nil
		}
		q.mu.Unlock()
		select {
		case <-q.wake:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// handleCommands applies what the client sends while the transfer runs.
func (s *session) handleCommands(cmds <-chan command) {
	for c := range cmds {
		switch c.kind {
		case "CANCEL":
			s.cancel(errCancelled)
		case "RATE":
			s.applyRate(c.fields)
		case "START":
			if !s.cfg.keepalive {
				continue
			}
			a := &srcArg{raw: c.fields["Source"], dst: c.fields["Destination"], lo: -1, hi: -1}
			a.hasDst = a.dst != ""
			if fb := c.fields["FileBytes"]; fb != "" {
				lo, hi, err := parseByteRange(fb)
				if err == nil {
					a.lo, a.hi = lo, hi
				}
			}
			if a.raw != "" {
				s.q.push(&job{args: []*srcArg{a}})
			}
		case "DONE":
			if s.cfg.keepalive {
				s.q.finish(c.fields["Operation"] == "Linger")
			}
		}
	}
	// The client hung up. After a lingering DONE that is the end it asked
	// for; otherwise nobody is left to report to.
	s.q.mu.Lock()
	lingering := s.q.locked
	s.q.mu.Unlock()
	if lingering {
		s.q.finish(false)
		return
	}
	s.cancel(errPeerGone)
}

func (s *session) applyRate(f map[string]string) {
	pairs := []string{}
	if v, ok := f["Rate"]; ok {
		if n, err := parseRate(v); err == nil && n > 0 {
			s.rate.Store(n)
		}
	}
	if v, ok := f["MinRate"]; ok {
		if n, err := parseRate(v); err == nil {
			s.minRate.Store(n)
		}
	}
	s.rateGen.Add(1)
	pairs = append(pairs, "Rate", itoa(s.rate.Load()), "MinRate", itoa(s.minRate.Load()))
	if v, ok := f["Adaptive"]; ok {
		pairs = append(pairs, "Adaptive", v)
	}
	s.m.send("NOTIFICATION", pairs...)
}

// sleep waits d unless the session is cancelled, sending STATS on time.
func (s *session) sleep(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		t := time.NewTimer(min(left, 100*time.Millisecond))
		select {
		case <-s.ctx.Done():
			t.Stop()
			return context.Cause(s.ctx)
		case <-t.C:
		}
		s.maybeStats(false)
	}
}

// pace holds the byte stream to the target rate. The budget never runs
// more than a fifth of a second ahead, so an idle spell does not turn into
// a burst, and a RATE change takes effect from the next chunk.
func (s *session) pace(n int) error {
	rate := s.rate.Load()
	if rate <= 0 {
		return nil
	}
	now := time.Now()
	gen := s.rateGen.Load()
	if gen != s.paceGen || s.paceBase.IsZero() {
		s.paceGen, s.paceBase, s.paceSent = gen, now, 0
	}
	s.paceSent += int64(n)
	due := s.paceBase.Add(time.Duration(float64(s.paceSent*8) / float64(rate*1000) * float64(time.Second)))
	if due.Before(now.Add(-200 * time.Millisecond)) {
		s.paceBase, s.paceSent = now, 0
		return nil
	}
	return s.sleep(time.Until(due))
}

func (s *session) chunkSize() int {
	rate := s.rate.Load()
	if rate <= 0 {
		return 256 << 10
	}
	n := rate * 1000 / 8 / 10 // a tenth of a second's worth
	return int(max(256, min(n, 64<<10)))
}

func (s *session) maybeStats(force bool) {
	if s.cur == nil || (!force && time.Since(s.lastStats) < statsEvery) {
		return
	}
	s.lastStats = time.Now()
	f := s.cur
	onDisk := f.startOff + f.sent
	pairs := []string{
		"File", f.e.dstShown,
		"Size", itoa(f.e.size),
		"StartByte", itoa(f.startOff),
		"Bytescont", itoa(onDisk),
		"Written", itoa(onDisk),
		"FileBytes", itoa(f.sent),
		"TransferBytes", itoa(s.transferBytes),
		"Elapsedusec", s.elapsedUsec(),
		"Rate", itoa(s.currentRate()),
		"MinRate", itoa(s.minRate.Load()),
		"Loss", "0",
	}
	s.m.send("STATS", pairs...)
	s.recordResume(onDisk)
	s.prog.update(f.e.dstShown, onDisk, f.e.size, s.transferBytes, time.Since(s.start))
}

// currentRate is the configured rate, or the measured one when unthrottled.
func (s *session) currentRate() int64 {
	if r := s.rate.Load(); r > 0 {
		return r
	}
	el := time.Since(s.start).Seconds()
	if el <= 0 {
		return 0
	}
	return int64(float64(s.transferBytes*8) / 1000 / el)
}

// runJob moves one batch of source arguments, frame by frame.
func (s *session) runJob(j *job, destDir string, place placement) error {
	for _, a := range j.args {
		if err := s.ctx.Err(); err != nil {
			return context.Cause(s.ctx)
		}
		s.scanArg(a, destDir, place)
	}
	s.assignShares(j.args)
	if j.initial {
		var files, dirs, size int64
		for _, a := range j.args {
			for _, e := range a.entries {
				switch {
				case e.fail != nil || !e.mine:
				case e.kind == kindDir:
					dirs++
				default:
					files++
					size += e.transferLength()
				}
			}
		}
		s.m.send("NOTIFICATION", "PreTransferFiles", itoa(files), "PreTransferDirs", itoa(dirs),
			"PreTransferBytes", itoa(size))
	}
	if s.cfg.deleteBefore {
		for _, a := range j.args {
			s.deleteExtraneous(a)
		}
	}
	for _, a := range j.args {
		if err := s.runArg(a); err != nil {
			return err
		}
	}
	return nil
}

func (e *entry) transferLength() int64 {
	lo, hi := e.bounds()
	return hi - lo
}

// bounds is the byte range this entry moves, clamped to the file.
func (e *entry) bounds() (lo, hi int64) {
	lo, hi = 0, e.size
	if e.lo >= 0 {
		lo = min(e.lo, e.size)
	}
	if e.hi >= 0 {
		hi = min(e.hi, e.size)
	}
	return lo, max(lo, hi)
}

func (e *entry) ranged() bool { return e.lo >= 0 && (e.lo > 0 || e.hi >= 0) }

type argCounts struct{ attempted, passed, failed, skipped int64 }

func (s *session) fileFailed(ac *argCounts, fe *sessionError) {
	s.m.sendRich("FILEERROR", "Code", itoa(int64(fe.code)), "Description", fe.desc, "File", fe.file)
	ac.attempted++
	ac.failed++
	s.attempted++
	s.failed++
	if s.firstFail == nil {
		s.firstFail = fe
	}
}

func (s *session) runArg(a *srcArg) error {
	var ac argCounts
	scanned := int64(1)
	if a.fail != nil {
		s.fileFailed(&ac, a.fail)
		scanned = 0
	}
	for _, e := range a.entries {
		if err := s.ctx.Err(); err != nil {
			return context.Cause(s.ctx)
		}
		if e.fail != nil {
			s.fileFailed(&ac, e.fail)
			continue
		}
		if !e.mine {
			continue
		}
		var fe *sessionError
		var err error
		switch e.kind {
		case kindDir:
			if derr := s.mkdirAll(e.dstLocal); derr != nil {
				fe = derr.(*sessionError)
				fe.file = e.dstShown
			} else if s.cfg.preserveMtime {
				defer os.Chtimes(e.dstLocal, time.Time{}, e.mtime)
			}
			if fe != nil {
				s.fileFailed(&ac, fe)
			}
			continue
		case kindLink:
			fe = s.copyLink(e)
			if fe == nil {
				ac.attempted++
				ac.passed++
				s.attempted++
				s.passed++
			}
		case kindFile:
			var outcome int
			outcome, fe, err = s.transferFile(e)
			if err != nil {
				return err
			}
			switch outcome {
			case outcomePassed:
				ac.attempted++
				ac.passed++
				s.attempted++
				s.passed++
			case outcomeSkipped:
				ac.skipped++
				s.skipped++
			}
		}
		if fe != nil {
			s.fileFailed(&ac, fe)
		}
	}
	s.cleanSources(a)
	s.m.sendRich("ARGSTOP",
		"File", a.shown,
		"ArgScansAttempted", "1",
		"ArgScansCompleted", itoa(scanned),
		"ArgTransfersAttempted", itoa(ac.attempted),
		"ArgTransfersPassed", itoa(ac.passed),
		"ArgTransfersFailed", itoa(ac.failed),
		"ArgTransfersSkipped", itoa(ac.skipped),
		"TransferBytes", itoa(s.transferBytes),
		"Elapsedusec", s.elapsedUsec())
	return nil
}

const (
	outcomePassed = iota
	outcomeSkipped
	outcomeFailed
)

func (s *session) copyLink(e *entry) *sessionError {
	fail := func(code int, format string, a ...any) *sessionError {
		fe := sessionErr(code, format, a...)
		fe.file = e.dstShown
		return fe
	}
	if err := s.mkdirAll(filepath.Dir(e.dstLocal)); err != nil {
		fe := err.(*sessionError)
		fe.file = e.dstShown
		return fe
	}
	if fi, err := os.Lstat(e.dstLocal); err == nil {
		if fi.IsDir() || s.cfg.symlinks != "copy+force" {
			s.m.sendRich("SKIP", "File", e.dstShown, "Source", e.srcShown, "Size", "0",
				"Description", "destination exists")
			return nil
		}
		os.Remove(e.dstLocal)
	}
	s.m.sendRich("START", "File", e.dstShown, "Source", e.srcShown, "Size", "0", "StartByte", "0")
	if err := os.Symlink(e.linkTarget, e.dstLocal); err != nil {
		return fail(codeDiskWrite, "Cannot create symbolic link: %v", err)
	}
	s.m.sendRich("STOP", "File", e.dstShown, "Source", e.srcShown, "Size", "0", "StartByte", "0",
		"EndByte", "0", "Written", "0", "FileBytes", "0", "Bytescont", "0",
		"TransferBytes", itoa(s.transferBytes), "Elapsedusec", s.elapsedUsec())
	return nil
}

// skipReason applies --overwrite to an existing destination file; "" means
// transfer. diff compares size and mtime, or checksums under -k 2 and 3.
func (s *session) skipReason(e *entry, dfi os.FileInfo) string {
	differs := func() bool {
		if dfi.Size() != e.size {
			return true
		}
		switch s.cfg.resume {
		case 2:
			return !sparseMatch(e.srcLocal, e.dstLocal, e.size)
		case 3:
			return !fullMatch(e.srcLocal, e.dstLocal, e.size)
		}
		return dfi.ModTime().Unix() != e.mtime.Unix()
	}
	older := func() bool { return dfi.ModTime().Before(e.mtime) }
	switch s.cfg.overwrite {
	case "always":
		return ""
	case "never":
		return "destination exists (--overwrite=never)"
	case "older":
		if older() {
			return ""
		}
		return "destination is not older (--overwrite=older)"
	case "diff+older":
		if differs() && older() {
			return ""
		}
		return "destination is identical or newer (--overwrite=diff+older)"
	default:
		if differs() {
			return ""
		}
		return "destination is identical (--overwrite=diff)"
	}
}

// aspxSuffix names IBM's resume record beside a file in transfer: the
// last byte up to which all bytes are on disk. ascp keeps it only under
// -k and removes it when the file completes; without it a later run
// cannot resume ("-k must be given on the first transfer").
const aspxSuffix = ".aspx"

// resumeOffset decides where to pick up an interrupted file under -k: at
// the contiguous bytes the earlier run recorded, when the -k check accepts
// them.
func (s *session) resumeOffset(e *entry, partial string) int64 {
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

func newChecksum(name string) hash.Hash {
	switch name {
	case "md5":
		return md5.New()
	case "sha1":
		return sha1.New()
	case "sha-256":
		return sha256.New()
	case "sha-384":
		return sha512.New384()
	case "sha-512":
		return sha512.New()
	}
	return nil
}

// transferFile moves one file: START, STATS while bytes flow, STOP. A
// per-file problem comes back as a FILEERROR; a returned error ends the
// session.
func (s *session) transferFile(e *entry) (int, *sessionError, error) {
	fail := func(code int, format string, a ...any) (int, *sessionError, error) {
		fe := sessionErr(code, format, a...)
		fe.file = e.dstShown
		return outcomeFailed, fe, nil
	}
	if err := s.mkdirAll(filepath.Dir(e.dstLocal)); err != nil {
		fe := err.(*sessionError)
		fe.file = e.dstShown
		return outcomeFailed, fe, nil
	}
	if err := s.dst.check(e.dstLocal); err != nil {
		return fail(codeOutsideDocroot, "Path outside docroot")
	}
	ranged := e.ranged()
	dfi, derr := os.Stat(e.dstLocal)
	if derr == nil && dfi.IsDir() {
		return fail(codeIsDirectory, "Is a directory, expected a file")
	}
	if derr == nil && !ranged {
		if why := s.skipReason(e, dfi); why != "" {
			s.m.sendRich("SKIP", "File", e.dstShown, "Source", e.srcShown, "Size", itoa(e.size),
				"Description", why)
			if s.cfg.removeAfter && s.cfg.removeSkipped {
				s.removeSource(e)
			}
			return outcomeSkipped, nil, nil
		}
	}

	lo, hi := e.bounds()
	writePath := e.dstLocal + s.cfg.partialSuffix
	if ranged {
		writePath = e.dstLocal
	} else if s.cfg.partialSuffix != "" && e.grow == nil {
		if err := s.dst.check(writePath); err != nil {
			return fail(codeOutsideDocroot, "Path outside docroot")
		}
		lo = s.resumeOffset(e, writePath)
	}

	in, err := os.Open(e.srcLocal)
	if err != nil {
		fe := sessionErr(codeDiskRead, "Cannot open source: %v", err)
		fe.file = e.srcShown
		return outcomeFailed, fe, nil
	}
	defer in.Close()
	flags := os.O_RDWR | os.O_CREATE
	out, err := os.OpenFile(writePath, flags, 0o644)
	if err != nil {
		return fail(codeDiskWrite, "Cannot open destination: %v", err)
	}
	defer out.Close()
	if !ranged {
		if err := out.Truncate(lo); err != nil {
			return fail(codeDiskWrite, "Cannot truncate destination: %v", err)
		}
	}

	s.m.sendRich("START", "File", e.dstShown, "Source", e.srcShown, "Size", itoa(e.size),
		"StartByte", itoa(lo))
	s.cur = &fileState{e: e, startOff: lo, record: !ranged && s.cfg.resume > 0 && s.cfg.partialSuffix != ""}
	defer func() { s.cur = nil }()
	s.recordResume(lo)

	var sum hash.Hash
	if !ranged {
		// The checksum is the whole file's: a resumed file's kept bytes
		// are read back first.
		sum = newChecksum(s.cfg.fileChecksum)
		if sum != nil && lo > 0 {
			if _, err := io.Copy(sum, io.NewSectionReader(out, 0, lo)); err != nil {
				return fail(codeDiskRead, "Cannot read the partial file: %v", err)
			}
		}
	}
	buf := make([]byte, 256<<10)
	off := lo
	for off < hi {
		if err := s.ctx.Err(); err != nil {
			return outcomeFailed, nil, context.Cause(s.ctx)
		}
		n := int64(min(s.chunkSize(), len(buf)))
		n = min(n, hi-off)
		if lim, active := s.flt.budget(); active {
			if s.written >= lim {
				return outcomeFailed, nil, s.strike(e)
			}
			n = min(n, lim-s.written)
		}
		got, rerr := in.ReadAt(buf[:n], off)
		s.flt.corrupt(buf[:got], off)
		if got > 0 {
			if werr := s.deliver(out, buf[:got], off, sum); werr != nil {
				if errors.Is(werr, syscall.ENOSPC) {
					return outcomeFailed, nil, &sessionError{code: codeNoSpace, desc: "No space left on device", file: e.dstShown}
				}
				return fail(codeDiskWrite, "Disk write error: %v", werr)
			}
			off += int64(got)
		}
		if rerr != nil && int64(got) < n {
			return fail(codeDiskRead, "Disk read error: source shrank or vanished: %v", rerr)
		}
		if err := s.pace(got); err != nil {
			return outcomeFailed, nil, err
		}
		s.maybeStats(false)
	}
	if lim, active := s.flt.budget(); active && s.written >= lim && off < hi {
		return outcomeFailed, nil, s.strike(e)
	}
	if e.grow != nil {
		end, fe, err := s.followGrowth(e.grow, in, out, off, sum, buf)
		if fe != nil || err != nil {
			if fe != nil {
				fe.file = e.dstShown
			}
			return outcomeFailed, fe, err
		}
		off, hi, e.size = end, end, end
	}
	if err := out.Close(); err != nil {
		return fail(codeDiskWrite, "Disk write error: %v", err)
	}
	if !ranged {
		if err := s.finishFile(e, writePath); err != nil {
			return fail(codeDiskWrite, "%v", err)
		}
		if s.cur.record {
			s.cur.record = false
			os.Remove(e.dstLocal + aspxSuffix)
		}
	}
	s.maybeStats(true)
	stop := []string{
		"File", e.dstShown,
		"Source", e.srcShown,
		"Size", itoa(e.size),
		"StartByte", itoa(lo),
		"EndByte", itoa(hi),
		"Written", itoa(hi),
		"Bytescont", itoa(hi),
		"FileBytes", itoa(s.cur.sent),
		"TransferBytes", itoa(s.transferBytes),
		"Elapsedusec", s.elapsedUsec(),
	}
	if sum != nil {
		stop = append(stop, "FileChecksumType", s.cfg.fileChecksum, "FileChecksum", hex.EncodeToString(sum.Sum(nil)))
	}
	s.m.sendRich("STOP", stop...)
	s.prog.fileDone(e.dstShown, e.size)
	s.afterSource(e)
	return outcomePassed, nil, nil
}

// finishFile gives the completed partial its final name and times.
func (s *session) finishFile(e *entry, partial string) error {
	atime, mtime := time.Now(), time.Now()
	if s.cfg.preserveMtime {
		mtime = e.mtime
	}
	if s.cfg.preserveAtime {
		atime = e.atime
	}
	if err := os.Chtimes(partial, atime, mtime); err != nil {
		return err
	}
	if partial == e.dstLocal {
		return nil
	}
	if s.cfg.saveBefore {
		if _, err := os.Lstat(e.dstLocal); err == nil {
			if err := os.Rename(e.dstLocal, s.savedName(e.dstLocal)); err != nil {
				return err
			}
		}
	}
	if err := os.Rename(partial, e.dstLocal); err != nil {
		return fmt.Errorf("cannot rename partial file: %v", err)
	}
	return nil
}

// savedName is --save-before-overwrite's name for the old file:
// name.yyyy.mm.dd.hh.mm.ss.index.ext, the index counting within a second.
func (s *session) savedName(p string) string {
	stamp := time.Now().Format("2006.01.02.15.04.05")
	if stamp != s.savedAt {
		s.savedAt, s.savedSeq = stamp, 0
	}
	s.savedSeq++
	ext := filepath.Ext(p)
	return fmt.Sprintf("%s.%s.%d%s", strings.TrimSuffix(p, ext), stamp, s.savedSeq, ext)
}

// recordResume writes the resume record of the file in flight: every byte
// below onDisk is written. Only under -k, as ascp does.
func (s *session) recordResume(onDisk int64) {
	if f := s.cur; f != nil && f.record {
		os.WriteFile(f.e.dstLocal+aspxSuffix, []byte(itoa(onDisk)+"\n"), 0o644)
	}
}

// afterSource carries out --remove-after-transfer and --move-after-transfer.
func (s *session) afterSource(e *entry) {
	switch {
	case s.cfg.moveAfter != "":
		s.moveSource(e)
	case s.cfg.removeAfter:
		s.removeSource(e)
	}
}

func (s *session) removeSource(e *entry) {
	if s.src.check(e.srcLocal) == nil {
		os.Remove(e.srcLocal)
	}
}

// moveSource moves a transferred source file under the archive folder,
// keeping its path below the source argument's parent.
func (s *session) moveSource(e *entry) {
	archive, _, err := s.src.resolve(s.cfg.moveAfter)
	if err != nil {
		return
	}
	rel, err := filepath.Rel(e.argBase, e.srcLocal)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = filepath.Base(e.srcLocal)
	}
	dest := filepath.Join(archive, rel)
	if s.src.check(dest) != nil {
		return
	}
	os.MkdirAll(filepath.Dir(dest), 0o755)
	os.Rename(e.srcLocal, dest)
}

// cleanSources removes emptied source directories once an argument is done.
func (s *session) cleanSources(a *srcArg) {
	if !s.cfg.removeEmptyDirs && !s.cfg.removeEmptySourceDir {
		return
	}
	for i := len(a.entries) - 1; i >= 0; i-- {
		e := a.entries[i]
		if e.kind != kindDir || e.fail != nil {
			continue
		}
		if e.srcLocal == a.srcLocal && !s.cfg.removeEmptySourceDir {
			continue
		}
		if s.src.remote() && e.srcLocal == s.src.dr.root {
			continue
		}
		os.Remove(e.srcLocal) // fails, as wanted, when not empty
	}
}

// deleteExtraneous is --delete-before-transfer: whatever the destination
// holds under a directory argument that the source does not, goes.
func (s *session) deleteExtraneous(a *srcArg) {
	if a.fail != nil || a.topDst == "" || !isDirLocal(a.srcLocal) {
		return
	}
	keep := map[string]bool{}
	for _, e := range a.entries {
		keep[e.dstLocal] = true
		if e.kind == kindFile {
			keep[e.dstLocal+s.cfg.partialSuffix] = true
			keep[e.dstLocal+aspxSuffix] = true
		}
	}
	var doomed []string
	filepath.WalkDir(a.topDst, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == a.topDst {
			return nil
		}
		if s.dst.remote() && p == filepath.Join(s.dst.dr.root, stateDir) {
			return filepath.SkipDir
		}
		if !keep[p] {
			doomed = append(doomed, p)
			if d.IsDir() {
				return filepath.SkipDir
			}
		}
		return nil
	})
	for _, p := range doomed {
		if s.dst.check(filepath.Dir(p)) == nil {
			os.RemoveAll(p)
		}
	}
}
