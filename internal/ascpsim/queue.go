package ascpsim

// The keepalive queue and the client's commands: START adds to the queue, DONE
// ends it, RATE and CANCEL act on the running session.

import (
	"context"
	"sync"
)

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
func (s *faspSession) handleCommands(cmds <-chan command) {
	for c := range cmds {
		s.log.command(c)
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
