package events

import (
	"bytes"
	"github.com/faspkit/asession/internal/nameset"
	"hash/maphash"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/faspkit/asession/ascp/mgmt"
)

// Status values of progress and summary lines, as Connect's TransferInfo
// spells them.
const (
	StatusInitiating = "initiating"
	StatusRunning    = "running"
	StatusWillRetry  = "willretry"
	StatusCompleted  = "completed"
	StatusFailed     = "failed"
	StatusCancelled  = "cancelled"
)

// FileCounts follows Connect: completed includes skipped files. Every file
// counted completed or failed was attempted, so attempted >= completed +
// failed.
type FileCounts struct {
	Attempted int64 `json:"attempted"`
	Completed int64 `json:"completed"`
	Failed    int64 `json:"failed"`
	Skipped   int64 `json:"skipped"`
}

func (c *FileCounts) add(o FileCounts) {
	c.Attempted += o.Attempted
	c.Completed += o.Completed
	c.Failed += o.Failed
	c.Skipped += o.Skipped
}

// FailedFile is one FILEERROR, kept for the summary.
type FailedFile struct {
	File        string `json:"file"`
	Code        int    `json:"code"`
	Description string `json:"description"`
	session     int    // whose retry forgets it
}

// maxFailedFiles bounds what the summary lists: a job of a million failing
// files must not hold a million records.
const maxFailedFiles = 1000

// sessionProgress is what one ascp process has reported in its current
// attempt, on top of what earlier attempts finished (base). A retry that
// re-sends only unfinished files keeps the finished ones in base; one that
// re-sends everything starts base again, as the new ascp reports every
// file anew.
type sessionProgress struct {
	expectedBytes int64 // base.written + PreTransferBytes of this attempt
	sentBytes     int64 // TransferBytes: bytes sent in this attempt
	resumedBytes  int64 // StartByte of resumed files: already on disk
	finishedBytes int64 // Size of the files STOP or SKIP reported this attempt
	skippedBytes  int64 // Size of the files SKIP reported: already there
	counts        FileCounts
	open          bool   // lastStart has had no STOP or FILEERROR yet
	lastStart     []byte // File of the last START, reused
	base          struct {
		written, sent int64
		counts        FileCounts
	}
}

// Tracker aggregates the frames of every session of a job into
// Connect-shaped progress. Observe does not allocate once the current-file
// buffer has grown. Safe for concurrent use by the sessions' relays.
type Tracker struct {
	mu           sync.Mutex
	now          func() time.Time
	realClock    bool // now is time.Now: DueProgress may use time.Since
	start        time.Time
	status       string
	sessions     []sessionProgress
	currentFile  []byte
	failedFiles  []FailedFile
	failedCount  int64
	lastProgress atomic.Int64 // elapsed() at the last progress line, or noProgressYet
	changed      bool
	percentage   float64 // highest reported: a job's percentage never goes back
	unverified   int64   // completed files whose checksum did not match (--verify)
	unverifiedSk int64   // of which skipped ones (already there, a SKIP)
	finished     nameset.Set
	retried      bool // Retry was called: files may be reported again
}

// NewTracker starts tracking a job of n ascp sessions.
func NewTracker(n int, now func() time.Time) *Tracker {
	realClock := now == nil
	if realClock {
		now = time.Now
	}
	t := &Tracker{now: now, realClock: realClock, start: now(), status: StatusInitiating, sessions: make([]sessionProgress, n), changed: true}
	t.lastProgress.Store(noProgressYet)
	return t
}

var (
	fieldFile             = mgmt.NewName("File")
	fieldTransferBytes    = mgmt.NewName("TransferBytes")
	fieldPreTransferBytes = mgmt.NewName("PreTransferBytes")
	fieldStartByte        = mgmt.NewName("StartByte")
	fieldSize             = mgmt.NewName("Size")
	fieldCode             = mgmt.NewName("Code")
	fieldDescription      = mgmt.NewName("Description")
)

// Observe takes one frame of session i (1-based).
func (t *Tracker) Observe(i int, f *mgmt.Frame) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := &t.sessions[i-1]
	// A switch on the string compiles to compares of the length first; a
	// chain of bytes.Equal was slower on every frame.
	switch string(f.Type()) {
	case "STATS":
		t.running()
		if v, ok := intField(f, fieldTransferBytes); ok && v != s.sentBytes {
			s.sentBytes = v
			t.changed = true
		}
	case "START":
		t.running()
		name, _ := f.Lookup(fieldFile)
		if t.finishedBefore(name) {
			// Sent again although an earlier attempt finished it: its
			// bytes are counted done already.
			s.open = false
			t.dropExpected(s, f)
			return
		}
		s.counts.Attempted++
		if v, ok := intField(f, fieldStartByte); ok {
			s.resumedBytes += v
		}
		t.currentFile = append(t.currentFile[:0], name...)
		s.lastStart = append(s.lastStart[:0], name...)
		s.open = true
		t.changed = true
	case "STOP":
		name, _ := f.Lookup(fieldFile)
		if v, ok := intField(f, fieldTransferBytes); ok {
			s.sentBytes = v
		}
		if !t.finish(name) {
			return
		}
		s.counts.Completed++
		s.open = false
		if v, ok := intField(f, fieldSize); ok {
			s.finishedBytes += v
		}
		t.changed = true
	case "SKIP":
		// A skipped file is there already: attempted, completed (as
		// Connect counts it) and its bytes done.
		if name, _ := f.Lookup(fieldFile); !t.finish(name) {
			t.dropExpected(s, f)
			return
		}
		s.counts.Attempted++
		s.counts.Completed++
		s.counts.Skipped++
		if v, ok := intField(f, fieldSize); ok {
			s.finishedBytes += v
			s.skippedBytes += v
		}
		t.changed = true
	case "FILEERROR":
		// A file that fails before its START (a missing source) was
		// attempted too; one that fails after it is counted already.
		if name, _ := f.Lookup(fieldFile); !s.open || !bytes.Equal(name, s.lastStart) {
			s.counts.Attempted++
		}
		s.open = false
		s.counts.Failed++
		t.recordFailedFile(i, f)
		t.changed = true
	case "NOTIFICATION":
		if v, ok := intField(f, fieldPreTransferBytes); ok {
			s.expectedBytes = s.base.written + v
			t.changed = true
		}
	case "SESSION":
		t.running()
	}
}

// finish records that the file named name is finished; false means an
// earlier attempt finished it already. Names are kept as 64-bit hashes
// (NameHash) in a compact set: a million finished files cost 8 MB for
// the hours of the transfer, where a map holds several times that.
func (t *Tracker) finish(name []byte) bool {
	return t.finished.Add(NameHash(name))
}

func (t *Tracker) finishedBefore(name []byte) bool {
	if !t.retried {
		return false // no earlier attempt: nothing finished before
	}
	return t.finished.Has(NameHash(name))
}

// dropExpected takes out of the expected bytes those of a file that an
// earlier attempt finished and this one counted again in its
// PreTransferBytes (a re-sent directory).
func (t *Tracker) dropExpected(s *sessionProgress, f *mgmt.Frame) {
	if v, ok := intField(f, fieldSize); ok && s.expectedBytes-v >= s.base.written {
		s.expectedBytes -= v
		t.changed = true
	}
}

// NameHash is the 64-bit hash by which asession remembers file names
// without keeping (or allocating) them. It is maphash with a seed chosen
// at start: the runtime's hash reads a name many bytes at a time (FNV-1a
// took a multiply per byte, ≈ 5 % of the relay, for a name that is
// hashed on every STOP by the tracker and again by the ledger), and a
// seed nobody can know keeps anyone from choosing file names that
// collide. Hashes live only in this process.
func NameHash(b []byte) uint64 { return maphash.Bytes(nameSeed, b) }

var nameSeed = maphash.MakeSeed()

func (t *Tracker) running() {
	if t.status == StatusInitiating || t.status == StatusWillRetry {
		t.status = StatusRunning
		t.changed = true
	}
}

func (t *Tracker) recordFailedFile(session int, f *mgmt.Frame) {
	t.failedCount++
	if len(t.failedFiles) >= maxFailedFiles {
		return
	}
	name, _ := f.Lookup(fieldFile)
	desc, _ := f.Lookup(fieldDescription)
	code, _ := intField(f, fieldCode)
	t.failedFiles = append(t.failedFiles, FailedFile{File: clipText(name), Code: int(code), Description: clipText(desc), session: session})
}

// maxFailedFileText bounds the file name and the description kept for one
// failed file: a peer sending megabyte-long ones must not make the summary
// hold a thousand of them. The frame's own line carries them in full.
const maxFailedFileText = 4096

// clipText copies b, cut at a character boundary to maxFailedFileText
// bytes and marked with "…" when longer.
func clipText(b []byte) string {
	if len(b) <= maxFailedFileText {
		return string(b)
	}
	n := maxFailedFileText
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return string(b[:n]) + "…"
}

// Retry marks session i as restarting, and the job shows willretry
// meanwhile. The files it finished stay counted, with their bytes; a later
// attempt that reports one of them again (a re-sent directory, whose
// files the resume check skips) does not count it twice. The files that
// failed or did not finish are tried again, so they are counted anew.
func (t *Tracker) Retry(i int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.retried = true
	s := &t.sessions[i-1]
	base := s.base
	base.sent += s.sentBytes
	base.written += s.finishedBytes
	base.counts.add(FileCounts{Attempted: s.counts.Completed, Completed: s.counts.Completed, Skipped: s.counts.Skipped})
	t.forgetFailedFiles(i, s.counts.Failed)
	// The expected total stands until the next attempt's NOTIFICATION
	// says what is left.
	*s = sessionProgress{expectedBytes: s.expectedBytes, lastStart: s.lastStart[:0], base: base}
	t.status = StatusWillRetry
	t.changed = true
}

// forgetFailedFiles drops session i's n failed files: its retry tries them
// again.
func (t *Tracker) forgetFailedFiles(i int, n int64) {
	kept := t.failedFiles[:0]
	for _, f := range t.failedFiles {
		if f.session != i {
			kept = append(kept, f)
		}
	}
	t.failedFiles = kept
	t.failedCount -= n
}

// Forgive takes back a FILEERROR of session i for the file whose name
// hashes to h (NameHash): another session had delivered that source, and
// removed it, before this one looked for it.
func (t *Tracker) Forgive(i int, h uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, f := range t.failedFiles {
		if f.session == i && NameHash([]byte(f.File)) == h {
			t.failedFiles = append(t.failedFiles[:k], t.failedFiles[k+1:]...)
			break
		}
	}
	s := &t.sessions[i-1]
	s.counts.Failed--
	s.counts.Attempted--
	t.failedCount--
	t.changed = true
}

// Unverified moves a completed file to the failed ones: its checksum did
// not match what ascp reported (--verify).
func (t *Tracker) Unverified(file, description string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.unverify(file, description)
}

func (t *Tracker) unverify(file, description string) {
	t.unverified++
	t.failedCount++
	if len(t.failedFiles) < maxFailedFiles {
		t.failedFiles = append(t.failedFiles, FailedFile{File: file, Description: description})
	}
	t.changed = true
}

// UnverifiedSkipped is Unverified for a file counted skipped (a SKIP:
// already there), which leaves the skipped count too.
func (t *Tracker) UnverifiedSkipped(file, description string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.unverifiedSk++
	t.unverify(file, description)
}

// Finish sets the final status.
func (t *Tracker) Finish(status string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.status = status
	t.changed = true
}

// Snapshot is the job's progress at one moment.
type Snapshot struct {
	Status         string
	BytesWritten   int64
	BytesExpected  int64
	BytesSent      int64
	ElapsedUsec    int64
	RateKbps       int64
	RemainingUsec  int64
	Percentage     float64
	CurrentFile    string
	Counts         FileCounts
	Sessions       int
	FailedFiles    []FailedFile
	FailedFileRest int64 // failed files not listed
}

// Snapshot returns the aggregate progress.
func (t *Tracker) Snapshot() Snapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	var s Snapshot
	t.fill(&s)
	s.CurrentFile = string(t.currentFile)
	s.FailedFiles = append([]FailedFile(nil), t.failedFiles...)
	s.FailedFileRest = t.failedCount - int64(len(t.failedFiles))
	return s
}

// fill computes everything but the strings, so that the hot path can use
// it without allocating.
func (t *Tracker) fill(s *Snapshot) {
	s.Status = t.status
	s.Sessions = len(t.sessions)
	for i := range t.sessions {
		p := &t.sessions[i]
		s.BytesExpected += p.expectedBytes
		s.BytesSent += p.base.sent + p.sentBytes
		s.BytesWritten += p.base.written + p.sentBytes + p.resumedBytes + p.skippedBytes
		s.Counts.add(p.base.counts)
		s.Counts.add(p.counts)
	}
	s.Counts.Completed -= t.unverified
	s.Counts.Failed += t.unverified
	s.Counts.Skipped -= t.unverifiedSk
	if s.BytesExpected > 0 && s.BytesWritten > s.BytesExpected {
		s.BytesWritten = s.BytesExpected
	}
	s.ElapsedUsec = t.now().Sub(t.start).Microseconds()
	if s.ElapsedUsec > 0 {
		s.RateKbps = s.BytesSent * 8 * 1000 / s.ElapsedUsec
	}
	switch {
	case t.status == StatusCompleted:
		s.Percentage = 1
	case s.BytesExpected > 0:
		s.Percentage = float64(s.BytesWritten) / float64(s.BytesExpected)
	}
	// A retry restarts a file from what its resume check accepts, which
	// can be less than was sent: the percentage holds until it is passed.
	if s.Percentage < t.percentage {
		s.Percentage = t.percentage
	}
	t.percentage = s.Percentage
	if remaining := s.BytesExpected - s.BytesWritten; remaining > 0 && s.RateKbps > 0 {
		s.RemainingUsec = remaining * 8 * 1000 / s.RateKbps
	}
}

// DueProgress appends a progress line (with its newline) when something
// changed and at least interval has passed since the last one, or when
// force is set and something changed. It reports whether it appended.
func (t *Tracker) DueProgress(dst []byte, interval time.Duration, force bool) ([]byte, bool) {
	// Called for every frame: when no line can be due yet, answer without
	// the lock. The check is repeated under it.
	if !force && !t.intervalPassed(interval) {
		return dst, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.changed || !force && !t.intervalPassed(interval) {
		return dst, false
	}
	return t.appendLine(dst), true
}

// appendLine appends the progress line and notes that it was made; the
// caller holds t.mu.
func (t *Tracker) appendLine(dst []byte) []byte {
	t.lastProgress.Store(int64(t.elapsed()))
	t.changed = false
	var s Snapshot
	t.fill(&s)
	return appendProgress(dst, &s, t.currentFile)
}

// ProgressDue reports, without the lock, whether DueProgress could append
// a line now: the relay asks on every frame, and most of the time the
// answer is no.
func (t *Tracker) ProgressDue(interval time.Duration) bool {
	return t.intervalPassed(interval)
}

// DueHeartbeat appends a progress line, changed or not, when none was
// made for at least every, so that a quiet transfer still shows it is
// alive. It reports whether it appended.
func (t *Tracker) DueHeartbeat(dst []byte, every time.Duration) ([]byte, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.intervalPassed(every) {
		return dst, false
	}
	return t.appendLine(dst), true
}

// noProgressYet is lastProgress before the first progress line.
const noProgressYet = math.MinInt64

// intervalPassed reports whether interval has passed since the last
// progress line.
func (t *Tracker) intervalPassed(interval time.Duration) bool {
	last := t.lastProgress.Load()
	return last == noProgressYet || t.elapsed()-time.Duration(last) >= interval
}

// elapsed is the time since the tracker started. With the real clock it
// reads only the monotonic clock (time.Since), half the cost of time.Now.
func (t *Tracker) elapsed() time.Duration {
	if t.realClock {
		return time.Since(t.start)
	}
	return t.now().Sub(t.start)
}

func appendProgress(dst []byte, s *Snapshot, currentFile []byte) []byte {
	dst = append(dst, `{"type":"progress","status":`...)
	dst = AppendString(dst, s.Status)
	dst = append(dst, `,"percentage":`...)
	dst = strconv.AppendFloat(dst, s.Percentage, 'f', 4, 64)
	dst = appendIntMember(dst, "bytes_written", s.BytesWritten)
	dst = appendIntMember(dst, "bytes_expected", s.BytesExpected)
	dst = appendIntMember(dst, "calculated_rate_kbps", s.RateKbps)
	dst = appendIntMember(dst, "elapsed_usec", s.ElapsedUsec)
	dst = appendIntMember(dst, "remaining_usec", s.RemainingUsec)
	dst = append(dst, `,"current_file":`...)
	dst = AppendStringBytes(dst, currentFile)
	dst = append(dst, `,"file_counts":{"attempted":`...)
	dst = strconv.AppendInt(dst, s.Counts.Attempted, 10)
	dst = appendIntMember(dst, "completed", s.Counts.Completed)
	dst = appendIntMember(dst, "failed", s.Counts.Failed)
	dst = appendIntMember(dst, "skipped", s.Counts.Skipped)
	dst = append(dst, '}')
	dst = appendIntMember(dst, "sessions", int64(s.Sessions))
	return append(dst, "}\n"...)
}

func appendIntMember(dst []byte, key string, v int64) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	return strconv.AppendInt(dst, v, 10)
}

// intField parses a decimal field without allocating.
func intField(f *mgmt.Frame, name mgmt.Name) (int64, bool) {
	v, ok := f.Lookup(name)
	if !ok || len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	neg := v[0] == '-'
	if neg {
		v = v[1:]
		if len(v) == 0 {
			return 0, false
		}
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
