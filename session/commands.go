package session

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/framejson"
	"github.com/faspkit/asession/schema"
)

// Command is one management frame a client asked for on stdin.
type Command struct {
	Type  string   // START, DONE, CANCEL or RATE
	Pairs []string // frame fields, name and value alternating
}

// ibmFieldKeys maps the snake_case spelling of every management field
// IBM's client knows to its name: a command may carry any of them, as with
// IBM's asession. Built on the first command, as most jobs get none: at
// start it cost 0.05 ms before every spawn.
var ibmFieldKeys = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, len(mgmt.KnownFields))
	for i := range mgmt.KnownFields {
		if name := mgmt.KnownFields[i].Name; name != mgmt.NameType.String() {
			m[framejson.SnakeCase(name)] = name
		}
	}
	return m
})

// maxCommandLine bounds one line of the command channel.
const maxCommandLine = 1 << 20

var adaptiveModes = []string{"Adaptive", "Fixed", "Trickle"}

// ParseCommand reads one command line: a JSON object such as
// {"type":"START","source":"/a","destination":"/b","file_bytes":"0:99"}
// (the destination is optional, as in IBM's own example), {"type":"DONE"}
// or {"type":"DONE","operation":"Linger"}, {"type":"CANCEL"} or
// {"type":"RATE","rate":50000,"min_rate":0,"adaptive":"Adaptive"}. Any
// other field IBM's client knows may be added in snake_case (a string, an
// integer, or a boolean sent as Yes/No).
func ParseCommand(line []byte) (*Command, schema.Problems) {
	if p := schema.CheckDepth(line); p != nil {
		return nil, schema.Problems{*p}
	}
	if !gjson.ValidBytes(line) {
		return nil, schema.Problems{{Pointer: "/", Expected: "a JSON object", Found: "text that is not valid JSON"}}
	}
	obj := gjson.ParseBytes(line)
	if !obj.IsObject() {
		return nil, schema.Problems{{Pointer: "/", Expected: "a JSON object", Found: "another JSON value"}}
	}
	p := commandParser{obj: obj, cmd: &Command{Type: strings.ToUpper(obj.Get("type").String())}, allowed: map[string]bool{"type": true}}
	if !p.typeFields() {
		return nil, schema.Problems{{Pointer: "/type", Expected: `"START", "DONE", "CANCEL" or "RATE"`, Found: obj.Get("type").Raw}}
	}
	p.otherFields()
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	return p.cmd, nil
}

// commandParser builds one Command from its JSON object, field by field,
// gathering every problem rather than stopping at the first.
type commandParser struct {
	obj      gjson.Result
	cmd      *Command
	problems schema.Problems
	allowed  map[string]bool // the keys read so far
}

func (p *commandParser) problem(key, expected, found string) {
	p.problems = append(p.problems, schema.Problem{Pointer: "/" + key, Expected: expected, Found: found})
}

// typeFields reads the fields of the command's own type; false for a type
// that is not a command.
func (p *commandParser) typeFields() bool {
	switch p.cmd.Type {
	case "START":
		p.str(mgmt.NameSource, true)
		p.str(mgmt.NameDestination, false)
		p.str(mgmt.NameFileBytes, false)
	case "DONE":
		// Operation: Linger keeps a persistent session open but locked.
		p.allowed["operation"] = true
		if v := p.obj.Get("operation"); v.Exists() {
			if v.Type != gjson.String || v.Str != "Linger" {
				p.problem("operation", `"Linger"`, v.Raw)
			} else {
				p.cmd.Pairs = append(p.cmd.Pairs, mgmt.NameOperation.String(), v.Str)
			}
		}
	case "CANCEL":
	case "RATE":
		p.integer(mgmt.NameRate)
		p.integer(mgmt.NameMinRate)
		p.allowed["adaptive"] = true
		if v := p.obj.Get("adaptive"); v.Exists() {
			if !contains(adaptiveModes, v.String()) || v.Type != gjson.String {
				p.problem("adaptive", `"Adaptive", "Fixed" or "Trickle"`, v.Raw)
			} else {
				p.cmd.Pairs = append(p.cmd.Pairs, mgmt.NameAdaptive.String(), v.Str)
			}
		}
	default:
		return false
	}
	return true
}

// str reads the key of field, a non-empty string.
func (p *commandParser) str(field mgmt.Name, required bool) {
	key := framejson.SnakeCase(field.String())
	p.allowed[key] = true
	v := p.obj.Get(key)
	switch {
	case !v.Exists():
		if required {
			p.problem(key, "a string", "nothing")
		}
	case v.Type != gjson.String || v.Str == "":
		p.problem(key, "a non-empty string", v.Type.String())
	case strings.IndexByte(v.Str, 0) >= 0:
		p.problem(key, "a string without NUL bytes", "a NUL byte")
	default:
		p.cmd.Pairs = append(p.cmd.Pairs, field.String(), v.Str)
	}
}

// integer reads the key of field, a rate in kbps.
func (p *commandParser) integer(field mgmt.Name) {
	key := framejson.SnakeCase(field.String())
	p.allowed[key] = true
	v := p.obj.Get(key)
	if !v.Exists() {
		return
	}
	if n, err := strconv.ParseInt(v.Raw, 10, 64); v.Type != gjson.Number || err != nil || n < 0 || n > schema.MaxRateKbps {
		p.problem(key, fmt.Sprintf("an integer from 0 to %d", schema.MaxRateKbps), v.Raw)
		return
	}
	p.cmd.Pairs = append(p.cmd.Pairs, field.String(), v.Raw)
}

// otherFields passes on, under its IBM name, every other field IBM's
// client knows; any other key is a problem.
func (p *commandParser) otherFields() {
	p.obj.ForEach(func(k, v gjson.Result) bool {
		key := k.String()
		if p.allowed[key] {
			return true
		}
		ptr := schema.Pointer("", key)
		name, known := ibmFieldKeys()[key]
		if !known {
			p.problems = append(p.problems, schema.Problem{Pointer: ptr, Expected: "a field of " + p.cmd.Type + " or another management field IBM's client knows", Found: "an unknown field"})
			return true
		}
		p.allowed[key] = true
		switch {
		case v.Type == gjson.String && !strings.ContainsAny(v.Str, "\r\n"):
			p.cmd.Pairs = append(p.cmd.Pairs, name, v.Str)
		case v.Type == gjson.Number && !strings.ContainsAny(v.Raw, ".eE"):
			p.cmd.Pairs = append(p.cmd.Pairs, name, v.Raw)
		case v.IsBool():
			p.cmd.Pairs = append(p.cmd.Pairs, name, map[bool]string{true: "Yes", false: "No"}[v.Bool()])
		default:
			// As IBM's client: no line break in such a value.
			p.problems = append(p.problems, schema.Problem{Pointer: ptr, Expected: "a string without line breaks, an integer or a boolean", Found: v.Type.String()})
		}
		return true
	})
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// commandRouter carries commands from stdin to the sessions' management
// connections, every command to every session as IBM's runner does: each
// ascp of a multi-session job takes its own share (-C) of a START's files.
type commandRouter struct {
	queues    []chan *Command
	keepalive bool
	out       *events.Writer
	log       zerolog.Logger
	writeMu   sync.Mutex
	closeOnce sync.Once
	// finalSent is set once a DONE without Linger has been dispatched:
	// ascp ends on it, so the end of input must not send another, which
	// could reach ascp as it closes and reset the connection before its
	// last messages are read.
	finalSent atomic.Bool

	// quiet is closed by silence, just before the summary is written: from
	// then on read writes nothing and dispatches nothing, so no line
	// follows the summary and no reader stays blocked on a full queue.
	quiet     chan struct{}
	quietOnce sync.Once
	reportMu  sync.Mutex // orders read's error lines against silence
	// readDone is closed when read returns.
	readDone chan struct{}
	// reader is the thread of read's blocking Read, where the platform
	// can cancel one (see readerThread).
	reader readerThread
}

func newCommandRouter(sessions int, keepalive bool, out *events.Writer, log zerolog.Logger) *commandRouter {
	r := &commandRouter{keepalive: keepalive, out: out, log: log,
		quiet: make(chan struct{}), readDone: make(chan struct{})}
	for i := 0; i < sessions; i++ {
		r.queues = append(r.queues, make(chan *Command, 1024))
	}
	return r
}

// read consumes the command channel until EOF. End of input never aborts
// the transfer; for a persistent session it means "no more files", so
// DONE is sent for the client rather than leaving ascp waiting for ever.
//
// The job ends it with stop, which interrupts a read blocked on input
// where the reader allows it, and otherwise makes sure that whatever read
// takes after the job has ended is neither written nor queued.
func (r *commandRouter) read(in io.Reader) {
	defer close(r.readDone)
	defer r.reader.pin(in)()
	lines := newLineReader(in, maxCommandLine)
	line, done := 0, 0
	for {
		text, tooLong, err := lines.next()
		if err != nil {
			if err != io.EOF {
				r.report(events.NewError(events.FromCommand, 0, "command channel closed: "+err.Error()).WithCause(err))
			}
			break
		}
		if r.silenced() {
			return
		}
		line++
		if tooLong {
			// One bad line costs that command only: the channel goes on,
			// so a later CANCEL still works.
			r.report(events.NewError(events.FromCommand, 0,
				fmt.Sprintf("command line %d ignored: longer than %d bytes", line, maxCommandLine)))
			continue
		}
		if len(strings.TrimSpace(string(text))) == 0 {
			continue
		}
		cmd, problems := ParseCommand(text)
		if problems != nil {
			e := events.NewError(events.FromCommand, 0, fmt.Sprintf("command line %d ignored: %s", line, problems.Error()))
			e.Problems = problems
			r.report(e)
			continue
		}
		switch cmd.Type {
		case "START":
			if done > 0 {
				// ascp takes no file after DONE (Linger included): say
				// so rather than let the file be dropped unseen.
				r.report(events.NewError(events.FromCommand, 0,
					fmt.Sprintf("command line %d ignored: START after the DONE of line %d, once the session takes no more files", line, done)))
				continue
			}
		case "DONE":
			if done == 0 {
				done = line
			}
			if !lingers(cmd) {
				r.finalSent.Store(true)
			}
		}
		r.dispatch(cmd)
	}
	r.closeInput()
}

// report writes an error line about the command channel, unless the job
// has already written its summary.
func (r *commandRouter) report(e *events.Error) {
	r.reportMu.Lock()
	defer r.reportMu.Unlock()
	if !r.silenced() {
		_ = r.out.Event(e)
	}
}

// silence ends the command channel's output: after it returns, read writes
// no line. The job calls it before writing the summary.
func (r *commandRouter) silence() {
	r.reportMu.Lock() // waits out a report in progress
	defer r.reportMu.Unlock()
	r.quietOnce.Do(func() { close(r.quiet) })
}

// deadliner is a reader whose blocked Read can be interrupted: a net.Conn,
// the read end of an os.Pipe, a pollable *os.File.
type deadliner interface {
	SetReadDeadline(time.Time) error
}

// stop ends the command channel before the summary and joins read where it
// can. It silences read first, so that no line follows the summary either
// way. A reader with a read deadline is then interrupted (a deadline in the
// past fails the blocked Read at once), read is waited for, and the deadline
// is cleared, leaving the caller's reader usable, less what read had taken
// into its buffer. On Windows, where pipes and consoles take no deadline,
// a blocked Read of a handle is cancelled on read's thread instead
// (readerThread), with the same result. Any other reader (an io.Pipe, a
// bufio.Reader, a blocking *os.File on Unix: SetReadDeadline fails on it)
// offers no way to interrupt a Read in progress, so read cannot be joined:
// it stays blocked until the next line or the end of input, then returns
// having written and queued nothing. Options.Commands says so.
func (r *commandRouter) stop(in io.Reader) {
	r.silence()
	d, ok := in.(deadliner)
	if !ok || d.SetReadDeadline(time.Unix(1, 0)) != nil {
		r.reader.cancel(in, r.readDone)
		return
	}
	<-r.readDone
	_ = d.SetReadDeadline(time.Time{})
}

func (r *commandRouter) silenced() bool {
	select {
	case <-r.quiet:
		return true
	default:
		return false
	}
}

// lineReader reads lines of at most max bytes; a longer one is skipped to
// its end without being kept.
type lineReader struct {
	br  *bufio.Reader
	max int
	buf []byte
}

func newLineReader(in io.Reader, max int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(in, 64<<10), max: max}
}

// next returns the next line without its line feed, or tooLong for a line
// over the limit. A last line without a line feed counts.
func (l *lineReader) next() (line []byte, tooLong bool, err error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.br.ReadSlice('\n')
		if !tooLong {
			if len(l.buf)+len(chunk) > l.max+1 {
				tooLong, l.buf = true, l.buf[:0]
			} else {
				l.buf = append(l.buf, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && (len(l.buf) > 0 || tooLong):
			return bytes.TrimSuffix(l.buf, []byte("\n")), tooLong, nil
		case err != nil:
			return nil, false, err
		}
		return bytes.TrimSuffix(l.buf, []byte("\n")), tooLong, nil
	}
}

// lingers reports whether a DONE asks ascp to stay open, locked, until its
// client hangs up or sends a DONE without Linger.
func lingers(cmd *Command) bool {
	for i := 0; i+1 < len(cmd.Pairs); i += 2 {
		if cmd.Pairs[i] == mgmt.NameOperation.String() && cmd.Pairs[i+1] == "Linger" {
			return true
		}
	}
	return false
}

func (r *commandRouter) closeInput() {
	r.closeOnce.Do(func() {
		if r.keepalive && !r.finalSent.Load() {
			r.dispatch(&Command{Type: "DONE"})
		}
	})
}

func (r *commandRouter) dispatch(cmd *Command) {
	for _, q := range r.queues {
		select {
		case q <- cmd:
		case <-r.quiet:
			return
		}
	}
}

// forward writes to conn the commands an earlier attempt of session i had
// taken without finishing them (replay), then its queued commands, until
// done closes. A command that cannot be written is lost with this
// connection, and later ones are not tried: the connection is broken.
// taken tells the account of each, which keeps the STARTs and the DONE,
// so that a retry sends them again.
func (r *commandRouter) forward(session int, conn net.Conn, done <-chan struct{}, replay []*Command, taken func(cmd *Command, sent bool)) {
	q := r.queues[session-1]
	broken := false
	send := func(cmd *Command) {
		if !broken {
			if err := r.writeFrame(conn, cmd.Type, cmd.Pairs...); err != nil {
				broken = true
				r.log.Warn().Err(err).Str("command", cmd.Type).Int("session", session).Msg("command not delivered; later commands wait for a retry")
			}
		}
		taken(cmd, !broken)
	}
	for _, cmd := range replay {
		send(cmd)
	}
	for {
		select {
		case <-done:
			return
		case cmd := <-q:
			send(cmd)
		}
	}
}

// writeFrame serialises writers on a connection: commands and the
// runner's own CANCEL.
func (r *commandRouter) writeFrame(conn net.Conn, typ string, pairs ...string) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	return mgmt.WriteFrame(conn, typ, pairs...)
}

// commandSource is a START's Source.
func commandSource(cmd *Command) string {
	for i := 0; i+1 < len(cmd.Pairs); i += 2 {
		if cmd.Pairs[i] == mgmt.NameSource.String() {
			return cmd.Pairs[i+1]
		}
	}
	return ""
}
