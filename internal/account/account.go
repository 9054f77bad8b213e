package account

import (
	"bytes"
	"hash/maphash"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/nameset"
)

// Options describe the job an account is kept for.
type Options struct {
	// Sessions is the number of ascp processes the job starts
	// (multi_session), at least 1.
	Sessions int
	// List is the job's list file, which every session takes (each its
	// share); nil when the sources are on ascp's command line or come as
	// START commands.
	List *ascp.ListFile
	// Now is the clock; nil is the real one.
	Now func() time.Time
}

// Account is one job's record. It is safe for concurrent use by the relays
// of its sessions, the command forwarders and the retry driver: one lock
// guards it, taken once per frame.
type Account struct {
	mu        sync.Mutex
	now       func() time.Time
	realClock bool // now is time.Now: elapsed may use time.Since
	start     time.Time
	status    string

	items    *items
	sessions []session

	// Files, across attempts (see the package doc).
	finished    nameset.Set // named files counted completed
	retrying    nameset.Set // named files an earlier attempt attempted and did not finish
	retried     bool        // a retry was made: files may be reported again
	currentFile []byte
	failedFiles []events.FailedFile
	failedOf    []int // the session of each failed file, whose retry forgets it
	failedCount int64
	unverified  int64 // completed files whose check failed (--verify, --checksums)
	// unverifiedSkipped counts those of them a SKIP reported.
	unverifiedSkipped int64

	// What the progress lines showed last: neither goes back.
	shownWritten int64
	percentage   float64
	changed      bool
	lastProgress atomic.Int64 // elapsed() at the last progress line, or noProgressYet
}

// session is one ascp process's record: its current attempt on top of
// what its earlier attempts finished (base).
type session struct {
	ledger *ledger

	// Bytes of this attempt (package doc, Bytes).
	sent       int64 // TransferBytes
	fileBytes  int64 // FileBytes
	resumed    int64 // parts of resumed files already on disk, files closed
	curResumed int64 // that of the file in transfer
	there      int64 // files already there and skipped
	finished   int64 // Size of the files finished this attempt
	sizes      int64 // Size of the files reported this attempt
	expected   int64 // the session's expected total, earlier attempts included
	precalc    bool  // this attempt's NOTIFICATION gave PreTransferBytes

	counts      events.FileCounts
	fileFrames  int  // START, STOP, SKIP and FILEERROR frames this attempt
	open        bool // a file is in transfer
	openCounted bool // and was counted attempted at its START
	lastStart   []byte
	failedNames []uint64 // named files this attempt failed

	verdict attemptVerdict

	base struct {
		written, sent int64
		counts        events.FileCounts
	}
}

// New starts the account of a job.
func New(opts Options) *Account {
	realClock := opts.Now == nil
	now := opts.Now
	if realClock {
		now = time.Now
	}
	n := max(opts.Sessions, 1)
	a := &Account{now: now, realClock: realClock, start: now(), status: events.StatusInitiating,
		items: newItems(opts.List), sessions: make([]session, n), changed: true}
	for i := range a.sessions {
		a.sessions[i].ledger = newLedger(a.items, n > 1)
	}
	a.lastProgress.Store(noProgressYet)
	return a
}

// SetList gives the account the job's list file, once it is built: its
// arguments are the job's items.
func (a *Account) SetList(list *ascp.ListFile) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.items = newItems(list)
	for i := range a.sessions {
		a.sessions[i].ledger = newLedger(a.items, len(a.sessions) > 1)
	}
}

// Observe takes one frame of session i (1-based), and says whether it
// finished a file, and how: ItemDelivered, ItemAlreadyThere or
// ItemSkipped for a STOP or SKIP of a file not finished before, else
// ItemPending. It does not allocate once the buffers for the current
// file's name have grown.
func (a *Account) Observe(i int, f *mgmt.Frame) (finished ItemState) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := &a.sessions[i-1]
	// A switch on the string compiles to compares of the length first; a
	// chain of bytes.Equal was slower on every frame.
	switch string(f.Type()) {
	case "STATS":
		a.running()
		a.stats(s, f)
	case "START":
		a.running()
		s.fileFrames++
		a.startFile(s, f)
	case "STOP":
		s.fileFrames++
		return a.stopFile(s, f)
	case "SKIP":
		s.fileFrames++
		return a.skipFile(s, f)
	case "FILEERROR":
		s.fileFrames++
		a.fileError(i, s, f)
	case "ARGSTOP":
		failed, ok := intField(f, mgmt.NameArgTransfersFailed)
		s.ledger.argStop(ok && failed == 0)
	case "NOTIFICATION":
		if v, ok := intField(f, mgmt.NamePreTransferBytes); ok {
			s.precalc = true
			s.expected = s.base.written + v
			a.changed = true
		}
	case "SESSION":
		a.running()
	case "ERROR":
		a.totals(s, f)
		s.verdict.sawError(f)
	case "DONE":
		a.totals(s, f)
		s.verdict.sawDone(f)
	}
	return ItemPending
}

// setInt stores a counter a frame carries, noting a change.
func (a *Account) setInt(dst *int64, f *mgmt.Frame, name mgmt.Name) {
	if v, ok := intField(f, name); ok && v != *dst {
		*dst = v
		a.changed = true
	}
}

func (a *Account) stats(s *session, f *mgmt.Frame) {
	a.setInt(&s.sent, f, mgmt.NameTransferBytes)
	a.setInt(&s.fileBytes, f, mgmt.NameFileBytes)
	start, hasStart := intField(f, mgmt.NameStartByte)
	if !hasStart {
		return
	}
	if !s.open {
		a.openFile(s, f, start)
	}
	if !s.ledger.multi && start != s.curResumed {
		s.curResumed = start
		a.changed = true
	}
}

// openFile notes a file in transfer that no START announced (IBM's
// excerpts of real transfers): in a job of one ascp it is attempted now;
// in a job of several, the STATS may be of one share of a file that
// another ascp moves too, and the file is attempted once, at its first
// STOP.
func (a *Account) openFile(s *session, f *mgmt.Frame, start int64) {
	name, named := f.Lookup(mgmt.NameFile)
	s.open, s.openCounted = true, false
	s.lastStart = append(s.lastStart[:0], name...)
	if named {
		a.currentFile = append(a.currentFile[:0], name...)
	}
	if size, ok := intField(f, mgmt.NameSize); ok && (!s.ledger.multi || start == 0) {
		// A share's Size is the whole file's: counted by the share that
		// starts it.
		s.sizes += size
	}
	if !s.ledger.multi && !a.finishedBefore(name) && !a.attemptedBefore(name) {
		s.counts.Attempted++
		s.openCounted = true
	}
	s.ledger.inTransfer()
	a.changed = true
}

func (a *Account) startFile(s *session, f *mgmt.Frame) {
	name, _ := f.Lookup(mgmt.NameFile)
	if a.finishedBefore(name) {
		// Sent again although an earlier attempt finished it: its bytes
		// are counted done already.
		s.open = false
		a.dropExpected(s, f)
		return
	}
	s.closeFile()
	if !a.attemptedBefore(name) {
		s.counts.Attempted++
	}
	s.open, s.openCounted = true, true
	s.lastStart = append(s.lastStart[:0], name...)
	a.currentFile = append(a.currentFile[:0], name...)
	if v, ok := intField(f, mgmt.NameSize); ok {
		s.sizes += v
	}
	if v, ok := intField(f, mgmt.NameStartByte); ok && !s.ledger.multi {
		s.curResumed = v
	}
	s.ledger.inTransfer()
	a.changed = true
}

// closeFile folds the resumed part of the file in transfer into the
// attempt's: its bytes are on disk whatever became of it.
func (s *session) closeFile() {
	s.resumed += s.curResumed
	s.curResumed = 0
	s.open = false
}

// inTransfer reports whether the STOP, SKIP or FILEERROR naming name is
// about the file in transfer.
func (s *session) inTransfer(name []byte) bool {
	return s.open && (len(name) == 0 || len(s.lastStart) == 0 || bytes.Equal(name, s.lastStart))
}

func (a *Account) stopFile(s *session, f *mgmt.Frame) ItemState {
	a.setInt(&s.sent, f, mgmt.NameTransferBytes)
	a.setInt(&s.fileBytes, f, mgmt.NameFileBytes)
	name, _ := f.Lookup(mgmt.NameFile)
	size, hasSize := intField(f, mgmt.NameSize)
	start, hasStart := intField(f, mgmt.NameStartByte)
	moved := s.inTransfer(name)
	// An empty file has nothing to tell it by: delivered.
	there := !moved && hasStart && hasSize && size > 0 && start == size
	if !a.finish(name) {
		if moved {
			s.closeFile()
		} else if there {
			a.dropExpected(s, f)
		}
		return ItemPending
	}
	a.countFinished(s, name, moved)
	state := ItemDelivered
	if there {
		s.counts.Skipped++
		s.there += size
		state = ItemAlreadyThere
	}
	if moved {
		s.closeFile()
	} else {
		if hasSize {
			s.sizes += size
		}
		if hasStart && !there && !s.ledger.multi {
			s.resumed += start // resumed and finished between two frames
		}
	}
	s.finished += size
	if src, ok := f.Lookup(mgmt.NameSource); ok {
		s.ledger.finished(src, state)
	}
	a.changed = true
	return state
}

func (a *Account) skipFile(s *session, f *mgmt.Frame) ItemState {
	name, _ := f.Lookup(mgmt.NameFile)
	if !a.finish(name) {
		a.dropExpected(s, f)
		return ItemPending
	}
	moved := s.inTransfer(name)
	a.countFinished(s, name, moved)
	s.counts.Skipped++
	if size, ok := intField(f, mgmt.NameSize); ok {
		s.there += size
		s.finished += size
		if !moved {
			s.sizes += size
		}
	}
	if moved {
		s.closeFile()
	}
	if src, ok := f.Lookup(mgmt.NameSource); ok {
		s.ledger.finished(src, ItemSkipped)
	}
	a.changed = true
	return ItemSkipped
}

// countFinished counts a finished file completed, and attempted unless its
// START did, or another session's report of it missing (a failure the
// job may forgive once this STOP is known) did already.
func (a *Account) countFinished(s *session, name []byte, moved bool) {
	if !(moved && s.openCounted) && !a.attemptedBefore(name) && !a.takeAttempt(name) {
		s.counts.Attempted++
	}
	s.counts.Completed++
}

// takeAttempt finds a pending failure (package doc, Verdicts) of the file
// named name that counted it attempted, and hands that count over to its
// delivery: the file is attempted once, and the count never goes back
// when the failure is forgiven.
func (a *Account) takeAttempt(name []byte) bool {
	if len(name) == 0 || len(a.sessions) == 1 {
		return false
	}
	h := nameHash(name)
	for i := range a.sessions {
		pending := a.sessions[i].verdict.pending
		for k := range pending {
			if pending[k].counted && pending[k].name == h {
				pending[k].counted = false
				return true
			}
		}
	}
	return false
}

func (a *Account) fileError(i int, s *session, f *mgmt.Frame) {
	name, _ := f.Lookup(mgmt.NameFile)
	code, _ := intField(f, mgmt.NameCode)
	v := &s.verdict
	if v.fileCode == 0 {
		v.fileCode = int(code)
	}
	refs := a.items.refsOf(name)
	if len(refs) > 0 && a.items.allFinished(refs) {
		// Delivered before, by an earlier attempt or another session,
		// and its source removed since: not a failure.
		v.forgiven++
		if s.inTransfer(name) {
			s.closeFile()
		}
		return
	}
	moved := s.inTransfer(name)
	counted := !(moved && s.openCounted) && !a.attemptedBefore(name)
	if counted {
		s.counts.Attempted++
	}
	if moved {
		s.closeFile()
	}
	s.counts.Failed++
	v.failed++
	if len(name) > 0 {
		s.failedNames = append(s.failedNames, nameHash(name))
	}
	a.items.failRefs(refs)
	if s.ledger.multi && len(refs) > 0 {
		// Another session may have delivered it, its STOP not relayed
		// yet: looked at again when this attempt ends.
		v.pending = append(v.pending, pendingFailure{refs: refs, name: nameHash(name), counted: counted})
	}
	a.recordFailedFile(i, f)
	a.changed = true
}

// totals takes the running totals a closing ERROR or DONE carries. Its
// failed count stands when FILEERRORs said less; its other counts stand in
// for the files of an attempt that reported none, as IBM's excerpts of
// real transfers do (where files are reported, a retry's counters would
// count again the files an earlier attempt counted).
func (a *Account) totals(s *session, f *mgmt.Frame) {
	a.setInt(&s.sent, f, mgmt.NameTransferBytes)
	a.setInt(&s.fileBytes, f, mgmt.NameFileBytes)
	c := &s.counts
	raise := func(dst *int64, v int64) {
		if v > *dst {
			*dst = v
			a.changed = true
		}
	}
	if v, ok := intField(f, mgmt.NameTransfersFailed); ok {
		raise(&c.Failed, v-int64(s.verdict.forgiven))
	}
	if s.fileFrames > 0 {
		return
	}
	skipped, _ := intField(f, mgmt.NameTransfersSkipped)
	raise(&c.Skipped, skipped)
	if v, ok := intField(f, mgmt.NameTransfersPassed); ok {
		raise(&c.Completed, v+skipped)
	}
	if v, ok := intField(f, mgmt.NameTransfersAttempted); ok {
		raise(&c.Attempted, v)
	}
	if string(f.Type()) == "DONE" && c.Failed == 0 && !hasCode(f) {
		// A DONE that reports no failure passed what it attempted.
		raise(&c.Completed, c.Attempted)
	}
	raise(&c.Attempted, c.Completed+c.Failed)
}

// hasCode reports whether a frame carries a non-zero Code.
func hasCode(f *mgmt.Frame) bool {
	code, ok := intField(f, mgmt.NameCode)
	return ok && code != 0
}

// finish records that the file named name is finished; false means an
// earlier attempt finished it already. Names are kept as 64-bit hashes
// (nameHash) in a compact set: a million finished files cost 8 MB for the
// hours of the transfer, where a map holds several times that. A frame
// without a name is a file of its own.
func (a *Account) finish(name []byte) bool {
	if len(name) == 0 {
		return true
	}
	return a.finished.Add(nameHash(name))
}

func (a *Account) finishedBefore(name []byte) bool {
	return a.retried && len(name) > 0 && a.finished.Has(nameHash(name))
}

// attemptedBefore reports whether an earlier attempt counted the file
// attempted without finishing it: a retry tries it again, but it is one
// file.
func (a *Account) attemptedBefore(name []byte) bool {
	return a.retried && len(name) > 0 && a.retrying.Has(nameHash(name))
}

// dropExpected takes out of the expected bytes those of a file that an
// earlier attempt finished and this one counted again in its
// PreTransferBytes (a re-sent directory).
func (a *Account) dropExpected(s *session, f *mgmt.Frame) {
	if v, ok := intField(f, mgmt.NameSize); ok && s.precalc && s.expected-v >= s.base.written {
		s.expected -= v
		a.changed = true
	}
}

func (a *Account) running() {
	if a.status == events.StatusInitiating || a.status == events.StatusWillRetry {
		a.status = events.StatusRunning
		a.changed = true
	}
}

func (a *Account) recordFailedFile(session int, f *mgmt.Frame) {
	a.failedCount++
	if len(a.failedFiles) >= maxFailedFiles {
		return
	}
	name, _ := f.Lookup(mgmt.NameFile)
	desc, _ := f.Lookup(mgmt.NameDescription)
	code, _ := intField(f, mgmt.NameCode)
	a.failedFiles = append(a.failedFiles, events.FailedFile{File: clipText(name), Code: int(code), Description: clipText(desc)})
	a.failedOf = append(a.failedOf, session)
}

// maxFailedFiles bounds what the summary lists: a job of a million failing
// files must not hold a million records.
const maxFailedFiles = 1000

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

// Retry marks sessions as restarting, and the job shows willretry
// meanwhile. What their attempts finished stays counted, with its bytes; a
// later attempt that reports a finished file again (a re-sent directory,
// whose files the resume check skips) does not count it twice. The files
// that failed or did not finish are tried again: they stay attempted, and
// leave the failed count. A retry of several sessions as one ascp is
// counted as the first of them: the others expect nothing more.
func (a *Account) Retry(sessions ...int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.retried = true
	for k, i := range sessions {
		s := &a.sessions[i-1]
		if s.open && len(s.lastStart) > 0 {
			a.retrying.Add(nameHash(s.lastStart))
		}
		for _, h := range s.failedNames {
			a.retrying.Add(h)
		}
		s.closeFile()
		base := s.base
		base.sent += s.sent
		base.written += s.finished
		base.counts.Attempted += s.counts.Attempted
		base.counts.Completed += s.counts.Completed
		base.counts.Skipped += s.counts.Skipped
		a.forgetFailedFiles(i, s.counts.Failed)
		expected := s.expected
		if !s.precalc {
			expected = max(expected, s.base.written+s.sizes)
		}
		if k > 0 {
			expected = base.written // the first session's ascp reports the rest
		}
		ledger := s.ledger
		*s = session{ledger: ledger, expected: expected, lastStart: s.lastStart[:0], failedNames: s.failedNames[:0], base: base}
	}
	a.status = events.StatusWillRetry
	a.changed = true
}

// forgetFailedFiles drops session i's n failed files: its retry tries them
// again.
func (a *Account) forgetFailedFiles(i int, n int64) {
	kept, of := a.failedFiles[:0], a.failedOf[:0]
	for k, f := range a.failedFiles {
		if a.failedOf[k] != i {
			kept, of = append(kept, f), append(of, a.failedOf[k])
		}
	}
	a.failedFiles, a.failedOf = kept, of
	a.failedCount = max(0, a.failedCount-n)
}

// Unverified moves a completed file to the failed ones: its checksum did
// not match what ascp reported (--verify).
func (a *Account) Unverified(file, description string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unverified++
	a.failedCount++
	if len(a.failedFiles) < maxFailedFiles {
		a.failedFiles = append(a.failedFiles, events.FailedFile{File: file, Description: description})
		a.failedOf = append(a.failedOf, 0)
	}
	a.changed = true
}

// UnverifiedSkipped is Unverified for a file a SKIP reported: it leaves
// the skipped count too.
func (a *Account) UnverifiedSkipped(file, description string) {
	a.mu.Lock()
	a.unverifiedSkipped++
	a.mu.Unlock()
	a.Unverified(file, description)
}

// Finish sets the final status. A job that completed did so on ascp's
// word, a DONE and exit status 0 from every ascp it ran last: the items no
// frame named (a folder given to several ascp processes, IBM's excerpts
// that name no file) are delivered by that word.
func (a *Account) Finish(status string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.status = status
	a.changed = true
	if status != events.StatusCompleted {
		return
	}
	for i := range a.items.n() {
		a.items.finish(i, ItemDelivered)
	}
	for _, c := range a.items.cmds {
		if !c.state.finished() {
			c.state = ItemDelivered
		}
	}
}

// Items counts the job's items by state; nil when it has none (sources on
// ascp's command line, or a persistent session given no START).
func (a *Account) Items() *events.ItemCounts {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.items.counts()
	if c.Total == 0 {
		return nil
	}
	return &c
}

// NameHash is nameHash for the job's other records of file names (the
// file checks' set of files hashed once).
func NameHash(b []byte) uint64 { return nameHash(b) }

// nameHash is the 64-bit hash by which the account remembers file names
// without keeping (or allocating) them. It is maphash with a seed chosen
// at start: the runtime's hash reads a name many bytes at a time, and a
// seed nobody can know keeps anyone from choosing file names that
// collide. Hashes live only in this process.
func nameHash(b []byte) uint64 { return maphash.Bytes(nameSeed, b) }

var nameSeed = maphash.MakeSeed()

// intField parses a decimal field without allocating; a value that is not
// a decimal integer is absent.
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

// itoa is for messages.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
