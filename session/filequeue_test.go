package session

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// The queue takes any number of files without a taker, in bounded
// memory: past queueMemory the records go to a file in its folder. They
// come out once each, in order, and the file goes with the queue.
func TestCompletionQueueSpillsAndKeepsOrder(t *testing.T) {
	defer func(old int) { queueMemory = old }(queueMemory)
	queueMemory = 4 << 10
	dir := t.TempDir()
	q := newCompletionQueue(dir)
	const n = 20_000
	name := func(i int) string { return fmt.Sprintf("/dest/folder/file-%06d.fastq.gz", i) }
	for i := range n {
		how := completedDelivered
		if i%3 == 0 {
			how = completedSkipped
		}
		q.push(1+i%4, how, int64(i), []byte(name(i)), []byte("/src/"+name(i)), []byte("md5"), []byte("00ff"))
	}
	if q.spill == nil || q.spillEnd == 0 {
		t.Fatalf("nothing spilled after %d files with %d bytes of memory", n, queueMemory)
	}
	if held := cap(q.mem); held > 2*queueMemory {
		t.Errorf("the queue holds %d bytes in memory, want at most about %d", held, queueMemory)
	}
	// Files pushed while the spill is being read back still come after.
	for i := range n {
		rec, ok := q.take()
		if !ok {
			t.Fatalf("the queue ended after %d files", i)
		}
		if rec.file != name(i) || rec.source != "/src/"+name(i) || rec.size != int64(i) || rec.session != 1+i%4 || rec.sumType != "md5" || rec.sum != "00ff" {
			t.Fatalf("file %d came out as %+v", i, rec)
		}
		if i == n/2 {
			q.push(9, completedAlreadyThere, -1, []byte("late"), nil, nil, nil)
		}
	}
	rec, ok := q.take()
	if !ok || rec.file != "late" || rec.how != completedAlreadyThere || rec.size != -1 || rec.session != 9 {
		t.Fatalf("the file pushed last came out as %+v, %v", rec, ok)
	}
	q.close()
	if _, ok := q.take(); ok {
		t.Fatal("a closed, empty queue gave a file")
	}
	if err := q.dispose(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left in the queue's folder: %v", left)
	}
}

// Several takers, one pusher, a spill on the way: every file is taken
// exactly once.
func TestCompletionQueueTakersShareTheFiles(t *testing.T) {
	defer func(old int) { queueMemory = old }(queueMemory)
	queueMemory = 2 << 10
	q := newCompletionQueue(t.TempDir())
	const n = 10_000
	seen := make([]int, n)
	var mu sync.Mutex
	var takers sync.WaitGroup
	for range 3 {
		takers.Go(func() {
			for {
				rec, ok := q.take()
				if !ok {
					return
				}
				mu.Lock()
				seen[rec.size]++
				mu.Unlock()
			}
		})
	}
	for i := range n {
		q.push(1, completedDelivered, int64(i), []byte(fmt.Sprint("file ", i)), nil, nil, nil)
	}
	q.close()
	takers.Wait()
	for i, k := range seen {
		if k != 1 {
			t.Fatalf("file %d taken %d times", i, k)
		}
	}
	if err := q.dispose(); err != nil {
		t.Fatal(err)
	}
}

// The relay's push allocates nothing once the buffer has grown.
func TestCompletionQueuePushDoesNotAllocate(t *testing.T) {
	q := newCompletionQueue(t.TempDir())
	file, src := []byte("/dest/a/b/c.bin"), []byte("/src/a/b/c.bin")
	for range 100 {
		q.push(1, completedDelivered, 10, file, src, nil, nil)
	}
	q.mem, q.memOff = q.mem[:0], 0
	if n := testing.AllocsPerRun(50, func() { q.push(1, completedDelivered, 10, file, src, nil, nil) }); n != 0 {
		t.Errorf("%.1f allocations per push", n)
	}
}
