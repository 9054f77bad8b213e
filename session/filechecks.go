package session

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/account"
	"github.com/faspkit/asession/internal/human"
	"github.com/faspkit/asession/internal/nameset"
	"github.com/faspkit/asession/schema"
)

// completion is how a file became complete at its destination, as the
// account decided it: delivered, already there (a STOP with StartByte its
// Size and no START, reference §9), or skipped (a SKIP).
type completion = account.ItemState

const (
	completedDelivered    = account.ItemDelivered
	completedAlreadyThere = account.ItemAlreadyThere
	completedSkipped      = account.ItemSkipped
)

func frameInt(f *mgmt.Frame, n mgmt.Name) (int64, bool) {
	v, ok := f.Lookup(n)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(string(v), 10, 64)
	return i, err == nil
}

// fileChecks is what asession does with each file once it is complete at
// its destination: --verify compares it with the checksum ascp reported,
// --checksums with the publisher's list, and --manifest records its
// SHA-256. The relay hands it each file as ascp reports it complete
// (complete: the one hook, a call from frameRelay.frame), never waiting:
// the files are queued (completionQueue) and read by hashers beside the
// relay, each file once, every hash it needs in one pass. At the end of
// the job, finish waits for them and gives the verdict.
type fileChecks struct {
	job      *job
	upload   bool
	verify   bool
	list     *ChecksumList   // nil without --checksums
	manifest *manifestWriter // nil without --manifest
	destRoot string          // destination_root, local on a download, remote on an upload
	cwd      string          // what relative local paths are relative to
	queue    *completionQueue
	// deferred: ascp may split a file across the sessions of the job
	// (multi_session_threshold), each STOP then a part of it: the files
	// are hashed once every session has ended.
	deferred  bool
	hashers   sync.WaitGroup
	abandoned atomic.Bool // cancelled: the rest is not hashed
	stopWatch func() bool

	mu           sync.Mutex
	seen         nameset.Set  // NameHash of the files taken: one finished twice is checked once
	states       []entryState // per entry of list
	verified     int
	verifyFailed int
	unreadable   int // files that could not be read
}

type entryState uint8

const (
	entryUnseen     entryState = iota
	entryMatched               // hashed, equal
	entryMismatched            // hashed and different, or unreadable
)

// hashWorkers is how many files are hashed at once: two, so that a
// large file's hash does not hold back the small ones behind it, but
// never every core: hashing is all CPU, and the relay must keep one.
var hashWorkers = min(2, max(1, runtime.GOMAXPROCS(0)-1))

// newFileChecks readies the checks the job asked for; nil when none.
func newFileChecks(ctx context.Context, j *job) (*fileChecks, error) {
	opts := j.opts
	if !j.in.Agent.Verify && opts.Checksums == nil && opts.Manifest == "" {
		return nil, nil
	}
	spec := j.in.Spec
	c := &fileChecks{job: j, upload: spec.String("direction") == "send", verify: j.in.Agent.Verify,
		list: opts.Checksums, destRoot: spec.String("destination_root"), queue: newCompletionQueue(j.listDir),
		deferred: spec.Int("multi_session") > 1 && spec.Int("multi_session_threshold") > 0}
	c.cwd, _ = os.Getwd()
	if c.list != nil {
		c.states = make([]entryState, c.list.Len())
	}
	if opts.Manifest != "" {
		m, err := newManifestWriter(opts.Manifest, opts.ManifestFormat)
		if err != nil {
			return nil, fmt.Errorf("cannot create the manifest: %w", err)
		}
		c.manifest = m
	}
	c.stopWatch = context.AfterFunc(ctx, func() { c.abandoned.Store(true) })
	if !c.deferred {
		c.startHashers()
	}
	return c, nil
}

func (c *fileChecks) startHashers() {
	for range hashWorkers {
		c.hashers.Go(c.hash)
	}
}

// complete is the relay's hook: the file f names (a STOP or a SKIP) is
// complete at its destination. It copies what it needs from the frame
// and returns at once.
func (c *fileChecks) complete(session int, f *mgmt.Frame, how completion) {
	file, _ := f.Lookup(mgmt.NameFile)
	source, _ := f.Lookup(mgmt.NameSource)
	var sumType, sum []byte
	if c.verify {
		sumType, _ = f.Lookup(mgmt.NameFileChecksumType)
		sum, _ = f.Lookup(mgmt.NameFileChecksum)
	}
	size, ok := frameInt(f, mgmt.NameSize)
	if !ok {
		size = -1
	}
	c.queue.push(session, how, size, file, source, sumType, sum)
}

// hash is one hasher: it takes files until the queue is closed and empty.
func (c *fileChecks) hash() {
	buf := make([]byte, 1<<20)
	for {
		rec, ok := c.queue.take()
		if !ok {
			return
		}
		if !c.abandoned.Load() {
			c.check(&rec, buf)
		}
	}
}

// digests is the hashes one read of a file feeds.
type digests struct {
	kinds  []*hashKind
	hashes []hash.Hash
}

// want adds kind unless it is there, and returns its index.
func (d *digests) want(kind *hashKind) int {
	for i, k := range d.kinds {
		if k == kind {
			return i
		}
	}
	d.kinds = append(d.kinds, kind)
	d.hashes = append(d.hashes, kind.new())
	return len(d.kinds) - 1
}

// check hashes one file for what the job asked, and reports what differs.
func (c *fileChecks) check(rec *completedFile, buf []byte) {
	c.mu.Lock()
	first := c.seen.Add(account.NameHash([]byte(rec.file)))
	c.mu.Unlock()
	if !first {
		return
	}
	name := c.relative(rec.file)
	entry := -1
	if c.list != nil {
		entry = c.list.lookup(c.keys(rec, name))
	}
	// An already-there STOP may come without ascp's checksum: --verify
	// has nothing to compare then.
	verifyIt := c.verify && (rec.how == completedDelivered || rec.sum != "")
	if entry < 0 && !verifyIt && c.manifest == nil {
		return
	}
	var d digests
	verifyAt, listAt, manifestAt := -1, -1, -1
	verifyProblem := ""
	if verifyIt {
		if kind := kindNamed(rec.sumType); rec.sum == "" {
			verifyProblem = "ascp reported no FileChecksum for it"
		} else if kind == nil {
			verifyProblem = fmt.Sprintf("ascp reported a checksum of unknown type %q", rec.sumType)
		} else {
			verifyAt = d.want(kind)
		}
	}
	if entry >= 0 {
		listAt = d.want(c.list.entries[entry].kind)
	}
	if c.manifest != nil {
		manifestAt = d.want(kindNamed("sha256"))
	}
	local := rec.file
	if c.upload {
		local = rec.source
	}
	size, err := c.read(local, &d, buf)
	if c.abandoned.Load() {
		return
	}
	failed := false
	fail := func(line *events.Error, why string) {
		if failed {
			c.emit(rec, line)
			return
		}
		failed = true
		c.report(rec, line, why)
	}
	readProblem := ""
	if err != nil {
		readProblem = "cannot read the local copy: " + err.Error()
		c.mu.Lock()
		c.unreadable++
		c.mu.Unlock()
	}
	if verifyIt {
		switch {
		case verifyProblem != "":
		case readProblem != "":
			verifyProblem = readProblem
		default:
			got := d.hashes[verifyAt].Sum(nil)
			want, herr := hex.DecodeString(strings.TrimSpace(rec.sum))
			if herr != nil || !bytes.Equal(got, want) {
				verifyProblem = fmt.Sprintf("checksum differs: ascp reported %s %s, the local copy %s %s has %s",
					rec.sumType, rec.sum, rec.sumType, local, hex.EncodeToString(got))
			}
		}
		c.countVerify(verifyProblem == "")
		// A file that cannot be read gets one line, the checksums' one,
		// when those read it too.
		if verifyProblem != "" && (verifyProblem != readProblem || entry < 0 && c.manifest == nil) {
			fail(events.NewError(events.FromVerify, 0, "file "+rec.file+": "+verifyProblem), verifyProblem)
		}
	}
	if readProblem != "" {
		if entry >= 0 || c.manifest != nil {
			c.setState(entry, entryMismatched)
			fail(events.NewError(events.FromChecksums, 0, "file "+rec.file+": "+readProblem), readProblem)
		}
		return
	}
	if entry >= 0 {
		e := &c.list.entries[entry]
		got := d.hashes[listAt].Sum(nil)
		if bytes.Equal(got, e.digest) {
			c.setState(entry, entryMatched)
		} else {
			c.setState(entry, entryMismatched)
			listed := ""
			if e.path != rec.file {
				listed = " (listed as " + e.path + ")"
			}
			desc := fmt.Sprintf("file %s%s: %s differs from --checksums: expected %x, got %x", rec.file, listed, e.kind.name, e.digest, got)
			line := events.NewError(events.FromChecksums, 0, desc)
			line.File, line.Algorithm, line.Expected, line.Actual = rec.file, e.kind.name, hex.EncodeToString(e.digest), hex.EncodeToString(got)
			fail(line, e.kind.name+" differs from --checksums")
		}
	}
	if c.manifest != nil && !failed {
		c.manifest.add(name, size, d.hashes[manifestAt].Sum(nil), rec.source, rec.how)
	}
}

// read feeds the file at local to every hash of d, and returns its size.
// It stops early when the job is cancelled.
func (c *fileChecks) read(local string, d *digests, buf []byte) (int64, error) {
	if testHookHash != nil {
		testHookHash(local)
	}
	in, err := os.Open(local)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	var size int64
	for {
		n, err := in.Read(buf)
		for _, h := range d.hashes {
			h.Write(buf[:n])
		}
		size += int64(n)
		if err == io.EOF {
			return size, nil
		}
		if err != nil {
			return size, err
		}
		if c.abandoned.Load() {
			return size, context.Canceled
		}
	}
}

// testHookHash, when set by a test, runs before each file is read: a
// test can hold the hashers to show that the relay does not wait for
// them.
var testHookHash func(local string)

// countVerify counts a file --verify compared.
func (c *fileChecks) countVerify(ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok {
		c.verified++
	} else {
		c.verifyFailed++
	}
}

// report writes a file's error line and moves the file from the
// completed ones to the failed (once, whatever else fails it).
func (c *fileChecks) report(rec *completedFile, line *events.Error, why string) {
	c.emit(rec, line)
	if rec.how == completedSkipped {
		c.job.acct.UnverifiedSkipped(rec.file, why)
	} else {
		c.job.acct.Unverified(rec.file, why)
	}
}

func (c *fileChecks) emit(rec *completedFile, line *events.Error) {
	if c.job.prepared != nil && len(c.job.prepared.Invocations) > 1 {
		line.Session = rec.session
	}
	_ = c.job.opts.Out.Event(line)
}

func (c *fileChecks) setState(entry int, s entryState) {
	if entry < 0 {
		return
	}
	c.mu.Lock()
	if c.states[entry] != entryMismatched {
		c.states[entry] = s
	}
	c.mu.Unlock()
}

// relative names a destination file relative to destination_root, as a
// checksum list or a manifest names it: slash-separated, the local file
// system's rules on a download, the server's (always slashes) on an
// upload. A file outside the root keeps its name.
func (c *fileChecks) relative(file string) string {
	if c.upload {
		root := strings.Trim(path.Clean("/"+c.destRoot), "/")
		f := strings.TrimPrefix(path.Clean("/"+file), "/")
		if root == "" {
			return f
		}
		if rest, ok := strings.CutPrefix(f, root+"/"); ok {
			return rest
		}
		return file
	}
	abs, root := file, c.destRoot
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(c.cwd, abs)
	}
	if !filepath.IsAbs(root) {
		root = filepath.Join(c.cwd, root)
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(file)
	}
	return filepath.ToSlash(rel)
}

// keys are the names under which a checksum list may list a file, tried
// in this order: relative to destination_root; as ascp names the
// destination; the source as ascp names it, and without its leading
// slash (a remote path as archives list it, vol1/fastq/...); on an
// upload, the source relative to the working folder too (the list
// sha256sum wrote there).
func (c *fileChecks) keys(rec *completedFile, name string) []string {
	keys := []string{name, filepath.ToSlash(rec.file), filepath.ToSlash(rec.source), strings.TrimPrefix(filepath.ToSlash(rec.source), "/")}
	if c.upload && c.cwd != "" {
		if rel, err := filepath.Rel(c.cwd, rec.source); err == nil && !strings.HasPrefix(rel, "..") {
			keys = append(keys, filepath.ToSlash(rel))
		}
	}
	return keys
}

// checkVerdict is what the checks found, for the summary and the exit.
type checkVerdict struct {
	verified  *int                   // with --verify
	checksums *events.ChecksumCounts // with --checksums
	err       *events.Error          // why the checks fail the job; nil when they do not
}

// maxMissingLines bounds the error lines for listed files not delivered:
// the count says how many there were.
const maxMissingLines = 100

// finish waits for every file to be hashed, reports the listed files the
// job did not deliver, puts the manifest in place, and returns the
// verdict. nil-safe: a job without checks has an empty verdict.
func (c *fileChecks) finish() checkVerdict {
	if c == nil {
		return checkVerdict{}
	}
	c.queue.close()
	if c.deferred {
		c.startHashers()
	}
	c.hashers.Wait()
	c.stopWatch()
	cancelled := c.abandoned.Load()
	queueErr := c.queue.dispose()
	var v checkVerdict
	type failure struct {
		origin events.Origin
		text   string
	}
	var failures []failure
	if c.verify {
		verified := c.verified
		v.verified = &verified
		if c.verifyFailed > 0 {
			failures = append(failures, failure{events.FromVerify, human.Count(c.verifyFailed, "file differs from the checksum ascp reported for it", "files differ from the checksum ascp reported for them")})
		}
	}
	if c.list != nil {
		counts := c.listCounts(cancelled)
		v.checksums = &counts
		if counts.Mismatched > 0 {
			failures = append(failures, failure{events.FromChecksums, human.Count(counts.Mismatched, "file differs from --checksums or could not be read", "files differ from --checksums or could not be read")})
		}
		if counts.Missing > 0 {
			failures = append(failures, failure{events.FromChecksums, human.Count(counts.Missing, "file listed in --checksums was not delivered", "files listed in --checksums were not delivered")})
		}
	}
	if c.unreadable > 0 && c.manifest != nil {
		failures = append(failures, failure{events.FromChecksums, human.Count(c.unreadable, "file could not be read for the manifest", "files could not be read for the manifest")})
	}
	if queueErr != nil {
		failures = append(failures, failure{events.FromSetup, "cannot queue the files to check: " + queueErr.Error()})
	}
	if c.manifest != nil {
		if cancelled {
			c.manifest.discard()
		} else if err := c.manifest.commit(); err != nil {
			failures = append(failures, failure{events.FromSetup, err.Error()})
		}
	}
	if len(failures) > 0 && !cancelled {
		texts := make([]string, len(failures))
		for i, f := range failures {
			texts[i] = f.text
		}
		v.err = events.NewError(failures[0].origin, 0, strings.Join(texts, "; "))
	}
	return v
}

// listCounts counts the list's entries, and writes an error line for
// each of the first maxMissingLines no file matched (none when the job
// was cancelled: it did not try them all).
func (c *fileChecks) listCounts(cancelled bool) events.ChecksumCounts {
	var n events.ChecksumCounts
	for i, s := range c.states {
		switch s {
		case entryMatched:
			n.Matched++
		case entryMismatched:
			n.Mismatched++
		default:
			n.Missing++
			if cancelled || n.Missing > maxMissingLines {
				continue
			}
			line := events.NewError(events.FromChecksums, 0, c.list.entries[i].path+" is listed in --checksums but the job neither delivered it nor found it already there")
			line.File = c.list.entries[i].path
			_ = c.job.opts.Out.Event(line)
		}
	}
	if more := n.Missing - maxMissingLines; more > 0 && !cancelled {
		_ = c.job.opts.Out.Event(events.NewError(events.FromChecksums, 0, fmt.Sprintf("and %d more files listed in --checksums were not delivered", more)))
	}
	n.Checked = n.Matched + n.Mismatched
	return n
}

// checkFileChecks refuses what the checks cannot do with this spec:
// --verify's own conditions, and an upload whose sources ascp removes or
// moves once sent (the local copy is gone before it can be read).
func checkFileChecks(spec *schema.Spec, verify, readsSources bool) schema.Problems {
	if verify {
		if p := checkVerify(spec); p != nil {
			return p
		}
	}
	if readsSources {
		return sourcesStay(spec, "--checksums and --manifest")
	}
	return nil
}

// checkFileChecks refuses, before anything starts, the checks this job
// cannot do, and a manifest that could not be written at its end.
func (j *job) checkFileChecks() *Outcome {
	if p := checkFileChecks(j.in.Spec, j.in.Agent.Verify, j.opts.Checksums != nil || j.opts.Manifest != ""); p != nil {
		return outcome(InputError(p), ExitUsage)
	}
	if j.opts.Manifest == "" {
		return nil
	}
	if err := CheckManifest(j.opts.Manifest, j.opts.ManifestFormat); err != nil {
		return outcome(events.NewError(events.FromInput, 0, err.Error()), ExitUsage)
	}
	return nil
}

// CheckManifest tells before a job starts whether a manifest can be
// written at path in format ("" is the default).
func CheckManifest(path string, format ManifestFormat) error {
	if format != "" && !slices.Contains(ManifestFormats, format) {
		return fmt.Errorf("manifest format: expected sha256sum or json, got %q", format)
	}
	if err := CheckOutputFile(path); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	return nil
}
