package session

import (
	"bufio"
	"encoding/binary"
	"errors"
	"os"
	"sync"
)

// completedFile is a file the relay reported complete at its destination,
// as the hashing goroutines get it.
type completedFile struct {
	session int
	how     completion
	size    int64  // ascp's Size, -1 when the frame had none
	file    string // File: the destination as ascp names it
	source  string // Source
	sumType string // FileChecksumType, with --verify
	sum     string // FileChecksum, with --verify
}

// completionQueue carries the files the relay reports complete to the
// goroutines that hash them. The relay never waits on it: hashing a large
// file takes seconds, while ascp may finish thousands of small files
// behind it, and their STOP, DONE and progress lines must flow meanwhile.
// So push never blocks, and the queue has no bound; it stays cheap
// however long it grows: a file costs its names, encoded in one buffer,
// and past queueMemory bytes further files go to a file in the job's
// private folder, read back in order as the hashers catch up.
type completionQueue struct {
	mu     sync.Mutex
	ready  sync.Cond // a record, or the close, is there to take
	mem    []byte    // encoded records; the unread ones from memOff
	memOff int
	closed bool

	dir       string // where the spill file goes ("" for the system's)
	spill     *os.File
	spillW    *bufio.Writer
	spillEnd  int64 // bytes written to spill, buffered ones included
	spillRead int64 // bytes of spill moved back to mem
	loading   bool  // a hasher reads spill without the lock
	loadBuf   []byte
	scratch   []byte // a record on its way to the spill
	err       error  // the spill failed: what went there is lost
}

// queueMemory is how many bytes of records the queue keeps in memory
// before it spills to disk: some 20,000 files of typical names.
var queueMemory = 4 << 20

func newCompletionQueue(dir string) *completionQueue {
	q := &completionQueue{dir: dir}
	q.ready.L = &q.mu
	return q
}

// push queues a file; it never waits for a hasher. The values may be the
// frame's own bytes: push copies them.
func (q *completionQueue) push(session int, how completion, size int64, file, source, sumType, sum []byte) {
	q.mu.Lock()
	spilling := q.spill != nil && q.spillEnd > q.spillRead
	if !spilling && len(q.mem)-q.memOff < queueMemory {
		q.mem = appendRecord(q.mem, session, how, size, file, source, sumType, sum)
	} else {
		q.scratch = appendRecord(q.scratch[:0], session, how, size, file, source, sumType, sum)
		q.toSpill(q.scratch)
	}
	q.mu.Unlock()
	q.ready.Signal()
}

// toSpill appends a record to the spill file, which it creates when
// first needed. Called with q.mu held; a write is a memory copy but once
// every 64 KiB.
func (q *completionQueue) toSpill(rec []byte) {
	if q.err != nil {
		return
	}
	if q.spill == nil {
		f, err := os.CreateTemp(q.dir, "completed-*.bin")
		if err != nil {
			q.err = err
			return
		}
		q.spill, q.spillW = f, bufio.NewWriterSize(f, 64<<10)
	}
	if _, err := q.spillW.Write(rec); err != nil {
		q.err = err
		return
	}
	q.spillEnd += int64(len(rec))
}

// close says no file will be pushed any more: take returns false once the
// queue is empty.
func (q *completionQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.ready.Broadcast()
}

// take returns the next file, waiting for one; false once the queue is
// closed and empty.
func (q *completionQueue) take() (completedFile, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		if q.memOff < len(q.mem) {
			rec, n := decodeRecord(q.mem[q.memOff:])
			q.memOff += n
			switch {
			case q.memOff == len(q.mem):
				q.mem, q.memOff = q.mem[:0], 0
			case q.memOff > len(q.mem)/2 && q.memOff > 64<<10:
				// Keep the buffer from creeping: the read half goes.
				q.mem = q.mem[:copy(q.mem, q.mem[q.memOff:])]
				q.memOff = 0
			}
			return rec, true
		}
		if q.spill != nil && q.spillRead < q.spillEnd && !q.loading && q.err == nil {
			q.load()
			continue
		}
		if q.closed && !q.loading && (q.spill == nil || q.spillRead == q.spillEnd || q.err != nil) {
			return completedFile{}, false
		}
		q.ready.Wait()
	}
}

// load moves the next part of the spill file back to memory, which is
// empty, reading it without the lock: only whole records are moved. While
// the spill holds records, push appends to it, never to memory, so the
// order is kept.
func (q *completionQueue) load() {
	if err := q.spillW.Flush(); err != nil {
		q.err = err
		return
	}
	from := q.spillRead
	n := min(q.spillEnd-from, int64(queueMemory))
	q.loading = true
	buf := q.loadBuf
	if int64(cap(buf)) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	q.mu.Unlock()
	got, err := q.spill.ReadAt(buf, from)
	q.mu.Lock()
	q.loading = false
	q.loadBuf = buf
	whole := wholeRecords(buf[:got])
	if whole == 0 {
		if err == nil {
			err = errors.New("a record larger than the queue's memory")
		}
		q.err = err
		q.ready.Broadcast()
		return
	}
	q.mem = append(q.mem[:0], buf[:whole]...)
	q.memOff = 0
	q.spillRead += int64(whole)
	if q.spillRead == q.spillEnd && q.spillW.Buffered() == 0 {
		// Drained: the file starts again from nothing.
		if q.spill.Truncate(0) == nil {
			if _, err := q.spill.Seek(0, 0); err == nil {
				q.spillRead, q.spillEnd = 0, 0
			}
		}
	}
	q.ready.Broadcast()
}

// dispose removes the spill file; call once no hasher takes any more.
func (q *completionQueue) dispose() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.spill != nil {
		q.spill.Close()
		os.Remove(q.spill.Name())
		q.spill = nil
	}
	return q.err
}

// A record is its length (uvarint), then the session and size (varints),
// how (a byte) and the four strings, each its length then its bytes.
// Appended in place: the relay allocates nothing for it once the buffer
// has grown.
func appendRecord(dst []byte, session int, how completion, size int64, strs ...[]byte) []byte {
	var tmp [binary.MaxVarintLen64]byte
	n := binary.PutVarint(tmp[:], int64(session)) + binary.PutVarint(tmp[:], size) + 1
	for _, s := range strs {
		n += binary.PutUvarint(tmp[:], uint64(len(s))) + len(s)
	}
	dst = binary.AppendUvarint(dst, uint64(n))
	dst = binary.AppendVarint(dst, int64(session))
	dst = binary.AppendVarint(dst, size)
	dst = append(dst, byte(how))
	for _, s := range strs {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	return dst
}

// decodeRecord reads the record at the start of b, which holds it whole,
// and returns its length.
func decodeRecord(b []byte) (completedFile, int) {
	length, k := binary.Uvarint(b)
	body := b[k : k+int(length)]
	var c completedFile
	session, n := binary.Varint(body)
	body = body[n:]
	c.session = int(session)
	c.size, n = binary.Varint(body)
	body = body[n:]
	c.how = completion(body[0])
	body = body[1:]
	for _, s := range []*string{&c.file, &c.source, &c.sumType, &c.sum} {
		l, n := binary.Uvarint(body)
		*s = string(body[n : n+int(l)])
		body = body[n+int(l):]
	}
	return c, k + int(length)
}

// wholeRecords is how many bytes at the start of b are whole records.
func wholeRecords(b []byte) int {
	off := 0
	for off < len(b) {
		length, k := binary.Uvarint(b[off:])
		if k <= 0 || off+k+int(length) > len(b) {
			break
		}
		off += k + int(length)
	}
	return off
}
