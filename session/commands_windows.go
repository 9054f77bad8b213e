package session

import (
	"io"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/windows"
)

// readerThread lets the job end the command reader's blocked Read on
// Windows. Go reads an anonymous pipe or a console synchronously (it
// cannot poll them, so SetReadDeadline fails), and nothing but
// CancelSynchronousIo ends such a read: it takes the thread that is
// blocked. So read, for a reader of a handle (handleReader), keeps its
// goroutine on one OS thread and records that thread, and stop cancels
// the read on it. The cancelled
// read takes nothing from the pipe: the caller reads on where read left
// off, as after a deadline on Unix.
type readerThread struct {
	mu     sync.Mutex
	thread windows.Handle // 0 when read is not pinned (or has returned)
}

// handleReader is a reader that reads a handle on the calling goroutine:
// an *os.File, or a reader in front of one that has the file's Fd method
// (the command's stdin behind the buffer the spec was read through).
type handleReader interface {
	io.Reader
	Fd() uintptr
}

// pin is called by read before its first Read; unpin undoes it, before
// read closes readDone.
func (t *readerThread) pin(in io.Reader) (unpin func()) {
	if _, ok := in.(handleReader); !ok {
		return func() {} // not a handle read on this thread
	}
	runtime.LockOSThread()
	var h windows.Handle
	self := windows.CurrentProcess()
	if err := windows.DuplicateHandle(self, windows.CurrentThread(), self, &h, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		runtime.UnlockOSThread()
		return func() {}
	}
	t.mu.Lock()
	t.thread = h
	t.mu.Unlock()
	return func() {
		// Under the lock, so that cancel never uses a closed (and
		// perhaps reused) handle.
		t.mu.Lock()
		t.thread = 0
		t.mu.Unlock()
		windows.CloseHandle(h)
		runtime.UnlockOSThread()
	}
}

// readerCancelLimit bounds how long stop goes on cancelling a read that
// will not end (a device that ignores cancellation); read is silenced
// anyway, so it can then only stay blocked, as any reader that cannot be
// interrupted does.
const readerCancelLimit = 5 * time.Second

// cancel ends read's blocked Read of in and waits for read to return. It
// cancels again until read is done: the first cancel may come before read
// has pinned its thread or entered its Read (CancelSynchronousIo then
// finds nothing to cancel), and read, silenced already, returns after any
// Read that ends.
func (t *readerThread) cancel(in io.Reader, readDone <-chan struct{}) {
	if _, ok := in.(handleReader); !ok {
		return // read did not pin itself: nothing here can end its Read
	}
	deadline := time.Now().Add(readerCancelLimit)
	for {
		t.mu.Lock()
		if t.thread != 0 {
			_, _, _ = cancelSynchronousIo.Call(uintptr(t.thread))
		}
		t.mu.Unlock()
		select {
		case <-readDone:
			return
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return
		}
	}
}

// cancelSynchronousIo is kernel32's CancelSynchronousIo (Windows Vista
// and later; golang.org/x/sys at our version does not wrap it).
var cancelSynchronousIo = windows.NewLazySystemDLL("kernel32.dll").NewProc("CancelSynchronousIo")
