package session

import (
	"sync"

	"github.com/faspkit/asession/ascp/proc"
)

// registry holds every ascp one job has started and not yet reaped, so
// that Options.Kill can stop them without waiting for the grace period.
// It belongs to the job: a program running several transfers kills one
// without touching the others.
type registry struct {
	mu     sync.Mutex
	procs  map[*proc.Process]struct{}
	killed bool // later processes are killed as soon as they register
}

func (r *registry) register(p *proc.Process) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.killed {
		p.Kill()
	}
	if r.procs == nil {
		r.procs = map[*proc.Process]struct{}{}
	}
	r.procs[p] = struct{}{}
}

func (r *registry) unregister(p *proc.Process) {
	r.mu.Lock()
	delete(r.procs, p)
	r.mu.Unlock()
}

// killAll kills every running ascp of the job and its process group.
func (r *registry) killAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.killed = true
	for p := range r.procs {
		p.Kill()
	}
}
