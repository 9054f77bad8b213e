package batch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"sync"
	"time"

	"github.com/faspkit/asession/events"
)

// Journal states of a job. Only done is finished: a re-run runs a job in
// any other state again, resuming its partial files.
const (
	StateQueued    = "queued"
	StateRunning   = "running"
	StateDone      = "done"
	StateFailed    = "failed"
	StateCancelled = "cancelled"
)

// record is one line of the journal: a job's state as it changed.
type record struct {
	Time    string `json:"time"`
	Job     string `json:"job"`
	State   string `json:"state"`
	Attempt int    `json:"attempt"` // counted over every run of the journal; 0 until the job first runs
	// Digest is what the job transfers, secrets left out (see digest).
	Digest   string `json:"digest,omitempty"`
	PID      int    `json:"pid"`
	ExitCode *int   `json:"exit_code,omitempty"`
	Error    string `json:"error,omitempty"`
}

// journal is the batch's record of its jobs' states: a file of JSON lines,
// only ever appended to, each append written in one write and synced
// before the batch goes on. Two batch processes may share it: a job is
// claimed with a lock on a byte of the file that stands for it (claim),
// which the system releases when its process ends, however it ends; so a
// "running" record without its lock held is a run that was killed.
//
// Appends rely on O_APPEND putting each write whole at the end of the
// file: true of local file systems, not of NFS.
type journal struct {
	path string
	f    *os.File
	pid  int

	mu      sync.Mutex
	read    int64             // bytes of the file read so far, up to a line's end
	last    map[string]record // each job's last record
	claimed map[string]bool
	// ragged: the file does not end with a line feed (a write cut short
	// by a crash of the machine); the next append starts a new line.
	ragged bool
}

// openJournal opens (creating it, 0600: it names what is transferred)
// and reads the journal at path. Unlike the files asession replaces, a
// journal is appended to, run after run, so what is at path is opened:
// never through a symbolic link (one planted in a shared folder would
// have the batch append to a file of its user's choosing), and only a
// regular file of this user.
func openJournal(path string) (*journal, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s is a symbolic link", path)
	}
	// noFollow closes the gap between that look and the open.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND|noFollow, 0o600)
	if err != nil {
		return nil, err
	}
	if err := ownRegularFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	j := &journal{path: path, f: f, pid: os.Getpid(), last: map[string]record{}, claimed: map[string]bool{}}
	if err := j.refresh(); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// refresh reads what was appended since the last read, by this process
// or another. A line that is not a record (a write cut short) is skipped.
func (j *journal) refresh() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	info, err := j.f.Stat()
	if err != nil {
		return err
	}
	if info.Size() <= j.read {
		return nil
	}
	buf := make([]byte, info.Size()-j.read)
	n, err := j.f.ReadAt(buf, j.read)
	if err != nil && err != io.EOF {
		return err
	}
	buf = buf[:n]
	// Only whole lines: another process may be writing the next one.
	end := bytes.LastIndexByte(buf, '\n') + 1
	j.ragged = end < len(buf)
	for _, line := range bytes.Split(buf[:end], []byte("\n")) {
		var r record
		if len(line) == 0 || json.Unmarshal(line, &r) != nil || r.Job == "" {
			continue
		}
		j.last[r.Job] = r
	}
	j.read += int64(end)
	return nil
}

// state is the job's last recorded state, and whether it has one.
func (j *journal) state(id string) (record, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, ok := j.last[id]
	return r, ok
}

// append writes records in one write and syncs them to disk.
func (j *journal) append(recs ...record) error {
	if len(recs) == 0 {
		return nil
	}
	var buf []byte
	j.mu.Lock()
	if j.ragged {
		buf = append(buf, '\n')
		j.ragged = false
	}
	j.mu.Unlock()
	now := time.Now().UTC().Format(events.TimeFormat)
	for i := range recs {
		recs[i].PID = j.pid
		if recs[i].Time == "" {
			recs[i].Time = now
		}
		line, err := json.Marshal(&recs[i])
		if err != nil {
			return err
		}
		buf = append(append(buf, line...), '\n')
	}
	if _, err := j.f.Write(buf); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.mu.Lock()
	for _, r := range recs {
		j.last[r.Job] = r
	}
	j.mu.Unlock()
	return nil
}

// errClaimed: another batch process runs the job.
var errClaimed = errors.New("the job is running in another batch process")

// claim takes the job's lock without waiting; errClaimed when another
// process holds it. The lock is held until release, or the end of the
// process.
func (j *journal) claim(id string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.claimed[id] {
		return nil
	}
	if err := lockByte(j.f, lockOffset(id)); err != nil {
		return err
	}
	j.claimed[id] = true
	return nil
}

func (j *journal) release(id string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.claimed[id] {
		unlockByte(j.f, lockOffset(id))
		delete(j.claimed, id)
	}
}

func (j *journal) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.claimed = map[string]bool{}
	return j.f.Close() // releases every lock
}

// lockOffset is the byte that stands for a job: far past any record, so
// that no read or write of the records ever meets a lock (Windows' locks
// are mandatory), and spread by a 61-bit hash of the id, so that two ids
// share a byte about once in 10^18 pairs.
func lockOffset(id string) int64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return 1<<62 + int64(h.Sum64()&(1<<61-1))
}
