package proc

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"time"
)

// Process is a running ascp. It never reads our stdin (which may carry
// commands), and a password or passphrase prompt, which ascp writes before
// waiting for ever, is seen at once: on Unix ascp runs in its own session on
// a pseudo-terminal (process_unix.go); on Windows its output is a pipe, its
// stdin is empty and a job object holds it and its children
// (process_windows.go).
type Process struct {
	cmd      *exec.Cmd
	tty      *os.File // what ascp writes to its terminal (or its output pipe)
	sys      *procSys // the platform's hold on ascp and its children
	terminal *Terminal
	exited   chan struct{}
	waitErr  error
	prompt   chan string
	stop     context.CancelFunc
	stopping context.Context
}

// Start runs ascp with args and the inherited environment plus env. Once
// Stop is called, ascp has grace to exit before it is killed.
//
// The stop policy is os/exec's: Stop cancels the command's context, and
// WaitDelay kills ascp grace later if it has not exited by then. The
// request itself is not a signal but CANCEL on the management port, which
// the caller writes after Stop, so Cancel sends nothing (returning nil, it
// lets WaitDelay keep the time). A killed ascp's group (or job) goes with it
// as soon as it is reaped.
func Start(path string, args, env []string, terminalLines int, grace time.Duration) (*Process, error) {
	stopping, stop := context.WithCancel(context.Background())
	cmd := exec.CommandContext(stopping, path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Cancel = func() error { return nil }
	// A zero WaitDelay would never kill: no grace means none at all.
	cmd.WaitDelay = max(grace, time.Nanosecond)
	tty, sys, err := startProcess(cmd)
	if err != nil {
		stop()
		return nil, err
	}
	p := &Process{
		cmd:      cmd,
		tty:      tty,
		sys:      sys,
		terminal: newTerminal(terminalLines),
		exited:   make(chan struct{}),
		prompt:   make(chan string, 1),
		stop:     stop,
		stopping: stopping,
	}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		p.readTerminal()
	}()
	go func() {
		p.waitErr = cmd.Wait()
		if p.stopping.Err() != nil {
			// WaitDelay killed ascp alone, or it obeyed: either way what
			// it started goes too, as Kill would have it.
			p.sys.kill(cmd)
		}
		stop()
		// The terminal may still hold the last lines ascp wrote: give the
		// reader a moment to drain them before the master is closed.
		// (WaitDelay cannot bound this: it closes only the pipes os/exec
		// copies itself, and a pseudo-terminal's master is not one.)
		select {
		case <-readDone:
		case <-time.After(200 * time.Millisecond):
		}
		_ = tty.Close()
		p.sys.release()
		close(p.exited)
	}()
	return p, nil
}

// Pid is ascp's process id; on Unix also its process group id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited is closed once ascp has exited and been reaped.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Prompt delivers the text of a password or passphrase prompt, once.
func (p *Process) Prompt() <-chan string { return p.prompt }

// Terminal is what ascp wrote to its terminal.
func (p *Process) Terminal() *Terminal { return p.terminal }

// ExitCode returns ascp's exit status once Exited is closed; -1 when it was
// killed by a signal.
func (p *Process) ExitCode() int {
	if p.cmd.ProcessState == nil {
		return -1
	}
	return p.cmd.ProcessState.ExitCode()
}

// Kill ends ascp and everything it started (its ssh, for one): they share
// its process group on Unix, its job object on Windows.
func (p *Process) Kill() { p.sys.kill(p.cmd) }

// Stop starts the grace Start was given: ascp is killed with its group
// once it has passed, unless it has exited. It returns at once; the caller
// asks ascp to stop (CANCEL) after it, so that the grace counts from before
// the request, however long writing it takes.
func (p *Process) Stop() { p.stop() }

// WaitOrKill waits up to grace for ascp to exit, then kills its group and
// waits for the reaping. It always returns with ascp gone.
func (p *Process) WaitOrKill(grace time.Duration) {
	select {
	case <-p.exited:
		return
	case <-time.After(grace):
	}
	p.Kill()
	<-p.exited
}

// promptPattern matches what ssh and ascp print when they want a secret
// typed: "user@host's password:", "Enter passphrase for key '...':".
// Compiled on first use, as most jobs never read a terminal: compiling it
// at start cost a tenth of a millisecond before every spawn.
var promptPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(password|passphrase)[^\n]*:\s*$`)
})

func (p *Process) readTerminal() {
	buf := make([]byte, 4096)
	prompted := false
	for {
		n, err := p.tty.Read(buf)
		if n > 0 {
			partial := p.terminal.write(buf[:n])
			if !prompted && promptPattern().Match(partial) {
				prompted = true
				p.prompt <- string(bytes.TrimSpace(partial))
			}
		}
		if err != nil {
			return
		}
	}
}

// Terminal keeps the last lines ascp wrote, for diagnostics. A carriage
// return starts the line again, as it does on screen, so progress lines
// redrawn in place count once.
type Terminal struct {
	mu        sync.Mutex
	lines     []string
	max       int
	current   []byte
	pendingCR bool
}

func newTerminal(max int) *Terminal {
	if max < 1 {
		max = 1
	}
	return &Terminal{max: max}
}

// write adds output and returns the unfinished last line.
func (t *Terminal) write(b []byte) []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range b {
		switch {
		case c == '\n':
			t.push()
		case c == '\r':
			// CR LF (a terminal's line end) ends the line; a lone CR redraws
			// it, which is only known at the next byte.
			t.pendingCR = true
			continue
		default:
			if t.pendingCR {
				t.current = t.current[:0]
			}
			if len(t.current) < 4096 {
				t.current = append(t.current, c)
			}
		}
		t.pendingCR = false
	}
	return append([]byte(nil), t.current...)
}

func (t *Terminal) push() {
	line := string(t.current)
	t.current = t.current[:0]
	if line == "" {
		return
	}
	t.lines = append(t.lines, line)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

// Lines returns the last lines, including an unfinished one.
func (t *Terminal) Lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]string(nil), t.lines...)
	if len(t.current) > 0 {
		out = append(out, string(t.current))
	}
	return out
}
