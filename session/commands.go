package session

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

// Command is one management frame a client asked for on stdin.
type Command struct {
	Type  string   // START, DONE, CANCEL or RATE
	Pairs []string // frame fields, name and value alternating
}

// maxCommandLine bounds one line of the command channel.
const maxCommandLine = 1 << 20

var adaptiveModes = []string{"Adaptive", "Fixed", "Trickle"}

// ParseCommand reads one command line: a JSON object such as
// {"type":"START","source":"/a","destination":"/b","file_bytes":"0:99"},
// {"type":"DONE"}, {"type":"CANCEL"} or
// {"type":"RATE","rate":50000,"min_rate":0,"adaptive":"Adaptive"}.
func ParseCommand(line []byte) (*Command, schema.Problems) {
	if !gjson.ValidBytes(line) {
		return nil, schema.Problems{{Pointer: "/", Expected: "a JSON object", Found: "text that is not valid JSON"}}
	}
	obj := gjson.ParseBytes(line)
	if !obj.IsObject() {
		return nil, schema.Problems{{Pointer: "/", Expected: "a JSON object", Found: "another JSON value"}}
	}
	typ := strings.ToUpper(obj.Get("type").String())
	cmd := &Command{Type: typ}
	var problems schema.Problems
	allowed := map[string]bool{"type": true}
	str := func(key, field string, required bool) {
		allowed[key] = true
		v := obj.Get(key)
		switch {
		case !v.Exists():
			if required {
				problems = append(problems, schema.Problem{Pointer: "/" + key, Expected: "a string", Found: "nothing"})
			}
		case v.Type != gjson.String || v.Str == "":
			problems = append(problems, schema.Problem{Pointer: "/" + key, Expected: "a non-empty string", Found: v.Type.String()})
		default:
			cmd.Pairs = append(cmd.Pairs, field, v.Str)
		}
	}
	integer := func(key, field string) {
		allowed[key] = true
		v := obj.Get(key)
		if !v.Exists() {
			return
		}
		if v.Type != gjson.Number || strings.ContainsAny(v.Raw, ".eE-") {
			problems = append(problems, schema.Problem{Pointer: "/" + key, Expected: "an integer >= 0", Found: v.Raw})
			return
		}
		cmd.Pairs = append(cmd.Pairs, field, v.Raw)
	}
	switch typ {
	case "START":
		str("source", "Source", true)
		str("destination", "Destination", true)
		str("file_bytes", "FileBytes", false)
	case "DONE", "CANCEL":
	case "RATE":
		integer("rate", "Rate")
		integer("min_rate", "MinRate")
		allowed["adaptive"] = true
		if v := obj.Get("adaptive"); v.Exists() {
			if !contains(adaptiveModes, v.String()) || v.Type != gjson.String {
				problems = append(problems, schema.Problem{Pointer: "/adaptive", Expected: `"Adaptive", "Fixed" or "Trickle"`, Found: v.Raw})
			} else {
				cmd.Pairs = append(cmd.Pairs, "Adaptive", v.Str)
			}
		}
	default:
		return nil, schema.Problems{{Pointer: "/type", Expected: `"START", "DONE", "CANCEL" or "RATE"`, Found: obj.Get("type").Raw}}
	}
	obj.ForEach(func(k, _ gjson.Result) bool {
		if !allowed[k.String()] {
			problems = append(problems, schema.Problem{Pointer: schema.Pointer("", k.String()), Expected: "a field of " + typ, Found: "an unknown field"})
		}
		return true
	})
	if len(problems) > 0 {
		return nil, problems
	}
	return cmd, nil
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
// connections: START to the first session (a persistent session is one
// ascp), DONE, CANCEL and RATE to every session.
type commandRouter struct {
	queues    []chan *Command
	keepalive bool
	out       *events.Writer
	log       zerolog.Logger
	writeMu   sync.Mutex
	closeOnce sync.Once
}

func newCommandRouter(sessions int, keepalive bool, out *events.Writer, log zerolog.Logger) *commandRouter {
	r := &commandRouter{keepalive: keepalive, out: out, log: log}
	for i := 0; i < sessions; i++ {
		r.queues = append(r.queues, make(chan *Command, 1024))
	}
	return r
}

// read consumes the command channel until EOF. End of input never aborts
// the transfer; for a persistent session it means "no more files", so
// DONE is sent for the client rather than leaving ascp waiting for ever.
func (r *commandRouter) read(in io.Reader) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxCommandLine)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Bytes()
		if len(strings.TrimSpace(string(text))) == 0 {
			continue
		}
		cmd, problems := ParseCommand(text)
		if problems != nil {
			e := events.NewError(events.FromCommand, 0, fmt.Sprintf("command line %d ignored: %s", line, problems.Error()))
			e.Problems = problems
			_ = r.out.Event(e)
			continue
		}
		r.dispatch(cmd)
	}
	if err := sc.Err(); err != nil {
		_ = r.out.Event(events.NewError(events.FromCommand, 0, "command channel closed: "+err.Error()))
	}
	r.closeInput()
}

func (r *commandRouter) closeInput() {
	r.closeOnce.Do(func() {
		if r.keepalive {
			r.dispatch(&Command{Type: "DONE"})
		}
	})
}

func (r *commandRouter) dispatch(cmd *Command) {
	if cmd.Type == "START" {
		r.queues[0] <- cmd
		return
	}
	for _, q := range r.queues {
		q <- cmd
	}
}

// forward writes to conn the commands an earlier attempt of session i had
// taken without finishing them (replay), then its queued commands, until
// done closes. A command that cannot be written is lost with this
// connection, and later ones are not tried: the connection is broken. The
// ledger keeps the STARTs and the DONE, so that a retry sends them again.
func (r *commandRouter) forward(session int, conn net.Conn, done <-chan struct{}, replay []*Command, led *ledger) {
	q := r.queues[session-1]
	broken := false
	send := func(cmd *Command) {
		if !broken {
			if err := r.writeFrame(conn, cmd.Type, cmd.Pairs...); err != nil {
				broken = true
				r.log.Warn().Err(err).Str("command", cmd.Type).Int("session", session).Msg("command not delivered; later commands wait for a retry")
			}
		}
		led.taken(cmd, !broken)
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
	return ascp.WriteFrame(conn, typ, pairs...)
}
