package session

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/ascp/proc"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/human"
)

const (
	terminalKeep = 20
	// exitWait is how long ascp has to exit once its stream has ended.
	exitWait = 10 * time.Second
)

// testHookListening, when set by a test, runs once the management port
// listens and before ascp starts: a test can race ascp to the port.
var testHookListening func(port int)

// runner drives one attempt of one session: one ascp process.
type runner struct {
	job     *job
	cmd     *ascp.Invocation
	args    []string
	attempt int
	replay  []*Command // commands an earlier attempt took and did not finish
	proc    *proc.Process

	mu        sync.Mutex
	stop      *Outcome  // why asession stopped ascp, when it did
	secretSet secretSet // built on first use
}

func (r *runner) log() *zerolog.Logger { return &r.job.opts.Log }

// stopWith records the first reason asession had to stop ascp.
func (r *runner) stopWith(o *Outcome) {
	r.mu.Lock()
	if r.stop == nil {
		r.stop = o
	}
	r.mu.Unlock()
}

func (r *runner) stopReason() *Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stop
}

func (r *runner) run(ctx context.Context) *Outcome {
	opts := r.job.opts
	ln, err := listenLoopback()
	if err != nil {
		return outcome(events.NewError(events.FromConnect, 0, "cannot open the management port: "+err.Error()).WithCause(err), ExitNoAscp)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if testHookListening != nil {
		testHookListening(port)
	}
	args := append([]string{"-M", strconv.Itoa(port), "-u", opts.JobID}, r.args...)
	// argv holds no secret by construction (ascp gets them in its
	// environment): it is logged as it is.
	r.log().Debug().Strs("argv", args).Int("session", r.cmd.Index).Int("attempt", r.attempt+1).Msg("starting ascp")

	proc, err := proc.Start(r.job.prepared.AscpPath, args, r.cmd.Env, terminalKeep, opts.CancelGrace)
	if err != nil {
		return outcome(events.NewError(events.FromStart, 0, fmt.Sprintf("cannot start %s: %v", r.job.prepared.AscpPath, err)), ExitNoAscp)
	}
	r.proc = proc
	r.job.procs.register(proc)
	if r.job.startProbe != nil {
		r.job.startProbe()
	}
	defer func() {
		proc.WaitOrKill(opts.CancelGrace)
		// What ascp left in its process group (an ssh, a helper) goes
		// with it, whatever it was doing.
		proc.Kill()
		r.job.procs.unregister(proc)
		for _, line := range proc.Terminal().Lines() {
			r.log().Debug().Str("line", human.Printable(r.secrets().redactString(line))).Int("session", r.cmd.Index).Msg("ascp terminal")
		}
	}()

	conn, failure := r.accept(ctx, ln)
	if failure != nil {
		proc.Kill()
		<-proc.Exited()
		return r.withTerminal(failure)
	}
	defer conn.Close()
	// The port has served its purpose: nobody else gets to connect.
	ln.Close()
	return r.relay(ctx, conn)
}

// listenLoopback opens the management port on 127.0.0.1, as plain TCP:
// ascp connects with plain TCP, and net.Listen's defaults would first
// probe the host for IPv6 and open a multipath TCP socket, 80 µs of
// every start-up for nothing.
func listenLoopback() (net.Listener, error) {
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	return lc.Listen(context.Background(), "tcp4", "127.0.0.1:0")
}

func (r *runner) withTerminal(o *Outcome) *Outcome {
	if o.Err != nil {
		o.Err.Terminal = r.secrets().redactLines(r.proc.Terminal().Lines())
		if r.cmd.Sessions > 1 {
			o.Err.Session = r.cmd.Index
		}
	}
	return o
}

// promptError names the credential the spec lacks: a prompt means ascp
// would wait for a human who is not there.
func (r *runner) promptError(prompt string) *events.Error {
	what := "a password: the spec has no remote_password, token, ssh_private_key or ssh_private_key_path"
	if strings.Contains(strings.ToLower(prompt), "passphrase") {
		what = "the passphrase of its SSH key: set ssh_private_key_passphrase"
	}
	prompt = r.secrets().redactString(prompt)
	return events.NewError(events.FromPrompt, events.CodeAuth, fmt.Sprintf("ascp asked for %s (prompt %q); it was stopped", what, prompt))
}

// cancel asks ascp to stop through the management port; it is killed if
// it has not exited within the grace period (proc.Stop's policy).
func (r *runner) cancel(conn net.Conn, grace time.Duration) {
	r.proc.Stop()
	// An ascp that does not read its management port must not block the
	// CANCEL, nor a command write holding the connection, past the grace.
	_ = conn.SetWriteDeadline(time.Now().Add(grace))
	_ = r.job.commands.writeFrame(conn, "CANCEL")
}
