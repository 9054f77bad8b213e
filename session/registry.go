package session

import (
	"sync"

	"github.com/faspkit/asession/ascp"
)

// running holds every ascp this process has started and not yet reaped, so
// that a second signal can kill them all without waiting for the grace
// period.
var running = struct {
	sync.Mutex
	procs map[*ascp.Process]struct{}
}{procs: map[*ascp.Process]struct{}{}}

func register(p *ascp.Process) {
	running.Lock()
	running.procs[p] = struct{}{}
	running.Unlock()
}

func unregister(p *ascp.Process) {
	running.Lock()
	delete(running.procs, p)
	running.Unlock()
}

// KillAll kills every running ascp and its process group at once.
func KillAll() {
	running.Lock()
	defer running.Unlock()
	for p := range running.procs {
		p.Kill()
	}
}
