// Package session runs one asession job end to end: it finds ascp, builds
// the job's commands from the parsed input, runs each ascp with a
// management port, relays its frames as events and decides how the job
// ended, leaving no process or temporary file behind.
package session

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

// Exit codes of the asession command; a script can rely on them.
const (
	ExitOK       = 0 // the transfer completed
	ExitFailed   = 1 // the transfer failed
	ExitUsage    = 2 // invalid input or usage
	ExitNoAscp   = 3 // ascp not found, or it could not start
	ExitRetries  = 4 // failed after retries were exhausted
	ExitSIGINT   = 130
	ExitSIGTERM  = 143
	terminalKeep = 20
)

// Options tune one run.
type Options struct {
	Ascp           string        // explicit ascp path; empty searches PATH and install folders
	ConnectTimeout time.Duration // how long ascp has to connect to the management port
	CancelGrace    time.Duration // how long ascp has to stop after CANCEL before it is killed
	JobID          string        // sent to ascp as -u and repeated in every frame as UserStr
	Out            *events.Writer
	Log            zerolog.Logger
}

// Outcome is how a job ended.
type Outcome struct {
	ExitCode int
	Err      *events.Error // nil when the job completed
}

func (o *Options) defaults() {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 30 * time.Second
	}
	if o.CancelGrace <= 0 {
		o.CancelGrace = 5 * time.Second
	}
	if o.JobID == "" {
		o.JobID = NewJobID()
	}
}

// Prepared is a job ready to start: ascp found, commands built.
type Prepared struct {
	AscpPath string
	Searched []string
	Commands []ascp.Command
}

// PrepareOptions say where ascp and the list file are.
type PrepareOptions struct {
	Ascp      string        // explicit ascp path; empty searches
	ListDir   string        // folder of the list file; Run creates a private one
	NewXferID func() string // nil: random tags.aspera.xfer_id
}

// Prepare locates ascp and builds the job's commands.
func Prepare(in *schema.Input, opts PrepareOptions) (*Prepared, *events.Error, int) {
	path, searched, err := ascp.Locate(opts.Ascp)
	if err != nil {
		e := events.NewError(events.FromLocate, 0, err.Error())
		e.Searched = searched
		return nil, e, ExitNoAscp
	}
	cmds, err := ascp.Build(in.Spec, ascp.BuildOptions{
		ListDir:      opts.ListDir,
		ExtraArgs:    in.Agent.AscpArgs,
		MultiIncrUDP: in.Agent.MultiIncrUDP,
		BypassKeys:   ascp.BypassKeys(path),
		NewXferID:    opts.NewXferID,
	})
	if err != nil {
		var p schema.Problem
		if errors.As(err, &p) {
			return nil, InputError(schema.Problems{p}), ExitUsage
		}
		return nil, events.NewError(events.FromInput, 0, err.Error()), ExitUsage
	}
	return &Prepared{AscpPath: path, Searched: searched, Commands: cmds}, nil, ExitOK
}

// Run executes a parsed job and reports its outcome; every event, the final
// error line included, goes to opts.Out.
func Run(ctx context.Context, in *schema.Input, opts Options) *Outcome {
	opts.defaults()
	fail := func(e *events.Error, code int) *Outcome {
		_ = opts.Out.Event(e)
		return &Outcome{ExitCode: code, Err: e}
	}
	// MkdirTemp creates the folder 0700: the list file names what is
	// being transferred and is nobody else's business.
	dir, err := os.MkdirTemp(in.FileListFolder, "asession-")
	if err != nil {
		return fail(events.NewError(events.FromSetup, 0, "cannot create a private temporary folder: "+err.Error()), ExitFailed)
	}
	defer os.RemoveAll(dir)

	job, e, code := Prepare(in, PrepareOptions{Ascp: opts.Ascp, ListDir: dir})
	if e != nil {
		return fail(e, code)
	}
	opts.Log.Debug().Str("ascp", job.AscpPath).Int("sessions", len(job.Commands)).Str("job_id", opts.JobID).Msg("prepared")
	if list := job.Commands[0].ListFile; list != nil {
		if err := os.WriteFile(list.Path, list.Content(), 0o600); err != nil {
			return fail(events.NewError(events.FromSetup, 0, "cannot write the list file: "+err.Error()), ExitFailed)
		}
	}

	results := make([]*Outcome, len(job.Commands))
	var wg sync.WaitGroup
	for i := range job.Commands {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := &runner{opts: &opts, ascpPath: job.AscpPath, cmd: &job.Commands[i]}
			results[i] = r.run(ctx)
		}(i)
	}
	wg.Wait()
	for _, r := range results {
		if r.Err != nil {
			return fail(r.Err, r.ExitCode)
		}
	}
	return &Outcome{ExitCode: ExitOK}
}

// runner drives one ascp process.
type runner struct {
	opts     *Options
	ascpPath string
	cmd      *ascp.Command
	proc     *ascp.Process
}

func (r *runner) log() *zerolog.Logger { return &r.opts.Log }

func (r *runner) run(ctx context.Context) *Outcome {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return outcome(events.NewError(events.FromConnect, 0, "cannot open the management port: "+err.Error()), ExitNoAscp)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	args := append([]string{"-M", strconv.Itoa(port), "-u", r.opts.JobID}, r.cmd.Args...)
	r.log().Debug().Strs("argv", redact(args, r.cmd.Secrets)).Int("session", r.cmd.Session).Msg("starting ascp")

	proc, err := ascp.Start(r.ascpPath, args, r.cmd.Env, terminalKeep)
	if err != nil {
		return outcome(events.NewError(events.FromStart, 0, fmt.Sprintf("cannot start %s: %v", r.ascpPath, err)), ExitNoAscp)
	}
	r.proc = proc
	defer func() {
		proc.WaitOrKill(r.opts.CancelGrace)
		for _, line := range proc.Terminal().Lines() {
			r.log().Debug().Str("line", redactText(line, r.cmd.Secrets)).Int("session", r.cmd.Session).Msg("ascp terminal")
		}
	}()

	conn, failure := r.accept(ctx, ln)
	if failure != nil {
		proc.Kill()
		<-proc.Exited()
		return r.withTerminal(failure)
	}
	defer conn.Close()
	return r.relay(ctx, conn)
}

func outcome(e *events.Error, code int) *Outcome { return &Outcome{ExitCode: code, Err: e} }

func (r *runner) withTerminal(o *Outcome) *Outcome {
	if o.Err != nil {
		o.Err.Terminal = redactLines(r.proc.Terminal().Lines(), r.cmd.Secrets)
		if r.cmd.Sessions > 1 {
			o.Err.Session = r.cmd.Session
		}
	}
	return o
}

// accept waits for ascp's management connection, and for everything that
// can happen instead: ascp exits, asks for a password, or takes too long.
func (r *runner) accept(ctx context.Context, ln net.Listener) (net.Conn, *Outcome) {
	type accepted struct {
		conn net.Conn
		err  error
	}
	ch := make(chan accepted, 1)
	go func() {
		c, err := ln.Accept()
		ch <- accepted{c, err}
	}()
	timer := time.NewTimer(r.opts.ConnectTimeout)
	defer timer.Stop()
	select {
	case a := <-ch:
		if a.err != nil {
			return nil, outcome(events.NewError(events.FromConnect, 0, "management port failed: "+a.err.Error()), ExitNoAscp)
		}
		return a.conn, nil
	case <-r.proc.Exited():
		status := r.proc.ExitCode()
		e := events.NewError(events.FromAscpExit, 0, fmt.Sprintf("ascp exited with status %d before connecting to the management port", status))
		e.ExitStatus = &status
		return nil, outcome(e, ExitNoAscp)
	case prompt := <-r.proc.Prompt():
		return nil, outcome(r.promptError(prompt), ExitFailed)
	case <-timer.C:
		return nil, outcome(events.NewError(events.FromConnect, 0,
			fmt.Sprintf("ascp did not connect to the management port within %s", r.opts.ConnectTimeout)), ExitNoAscp)
	case <-ctx.Done():
		return nil, outcome(events.NewError(events.FromCancel, 28, "cancelled before ascp connected"), ExitFailed)
	}
}

// promptError names the credential the spec lacks: a prompt means ascp
// would wait for a human who is not there.
func (r *runner) promptError(prompt string) *events.Error {
	what := "a password: the spec has no remote_password, token, ssh_private_key or ssh_private_key_path"
	if strings.Contains(strings.ToLower(prompt), "passphrase") {
		what = "the passphrase of its SSH key: set ssh_private_key_passphrase"
	}
	return events.NewError(events.FromPrompt, 19, fmt.Sprintf("ascp asked for %s (prompt %q); it was stopped", what, prompt))
}

// relay copies frames to the output until ascp closes the connection, then
// decides the outcome from the last frame and the exit status.
func (r *runner) relay(ctx context.Context, conn net.Conn) *Outcome {
	var (
		mu         sync.Mutex
		stopReason *Outcome
	)
	stop := func(o *Outcome) {
		mu.Lock()
		if stopReason == nil {
			stopReason = o
		}
		mu.Unlock()
	}
	relayDone := make(chan struct{})
	defer close(relayDone)
	go func() {
		select {
		case prompt := <-r.proc.Prompt():
			stop(outcome(r.promptError(prompt), ExitFailed))
			r.proc.Kill()
		case <-ctx.Done():
			stop(outcome(events.NewError(events.FromCancel, 28, "cancelled"), ExitFailed))
			_ = ascp.WriteFrame(conn, "CANCEL")
			select {
			case <-r.proc.Exited():
			case <-time.After(r.opts.CancelGrace):
				r.proc.Kill()
			}
		case <-relayDone:
		}
	}()

	var extra []byte
	if r.cmd.Sessions > 1 {
		extra = []byte(`"session":` + strconv.Itoa(r.cmd.Session))
	}
	reader := ascp.NewReader(conn)
	var (
		finalType   string
		errorCode   int
		errorDesc   string
		streamError error
	)
	for {
		f, err := reader.Next()
		if err != nil {
			if err != io.EOF && !isClosedConn(err) {
				streamError = err
			}
			break
		}
		switch t := f.Type(); {
		case bytes.Equal(t, typeDone):
			finalType = "DONE"
		case bytes.Equal(t, typeError):
			finalType = "ERROR"
			code, _ := f.Get(fieldCode)
			errorCode, _ = strconv.Atoi(string(code))
			desc, _ := f.Get(fieldDescription)
			errorDesc = string(desc)
		}
		if err := r.opts.Out.Frame(f, extra); err != nil {
			stop(outcome(events.NewError(events.FromOutput, 28, "cannot write events: "+err.Error()), ExitFailed))
			_ = ascp.WriteFrame(conn, "CANCEL")
			break
		}
		if reader.Buffered() == 0 {
			_ = r.opts.Out.Flush()
		}
	}
	_ = r.opts.Out.Flush()
	if streamError != nil && streamError != ascp.ErrIncomplete {
		// The stream cannot be trusted any more: stop ascp rather than
		// let it run unobserved.
		r.proc.Kill()
	}
	r.proc.WaitOrKill(r.opts.CancelGrace)
	status := r.proc.ExitCode()

	mu.Lock()
	reason := stopReason
	mu.Unlock()
	if reason != nil {
		return r.withTerminal(reason)
	}
	var e *events.Error
	switch {
	case finalType == "ERROR":
		e = events.NewError(events.FromAscpError, errorCode, errorDesc)
	case streamError != nil && streamError != ascp.ErrIncomplete:
		e = events.NewError(events.FromStream, 0, "unreadable management stream: "+streamError.Error())
	case finalType == "DONE" && status == 0:
		return &Outcome{ExitCode: ExitOK}
	case finalType == "DONE":
		e = events.NewError(events.FromAscpExit, 0, fmt.Sprintf("ascp reported DONE but exited with status %d", status))
	default:
		desc := fmt.Sprintf("ascp exited with status %d without a final DONE or ERROR message", status)
		if streamError == ascp.ErrIncomplete {
			desc += " (its last message was cut off)"
		}
		e = events.NewError(events.FromAscpExit, 0, desc)
	}
	if finalType != "DONE" || status != 0 {
		e.ExitStatus = &status
	}
	return r.withTerminal(outcome(e, ExitFailed))
}

var (
	typeDone         = []byte("DONE")
	typeError        = []byte("ERROR")
	fieldCode        = []byte("Code")
	fieldDescription = []byte("Description")
)

func isClosedConn(err error) bool {
	return errors.Is(err, net.ErrClosed)
}

// NewJobID returns a random identifier for a job.
func NewJobID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("asession-%x", b)
}

// redact replaces secret values wherever they appear; argv never holds one
// by construction, and this keeps it so in logs even if that ever changed.
func redact(args, secrets []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = redactText(a, secrets)
	}
	return out
}

func redactLines(lines, secrets []string) []string { return redact(lines, secrets) }

func redactText(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}
