package ascpsim

import (
	"encoding/json"
	"os"
	"time"
)

// commandLog is the ASCPSIM_COMMAND_LOG hook: a file to which each
// ascpsim appends, as JSON lines, what its client asked of it: its start
// with the rates of its command line, every command received on the
// management port, as received, and its end. Tests read it to see what a
// real ascp would have been told (the RATE commands of a bandwidth
// budget); ascp itself has no such file, and the log changes nothing
// ascpsim does. Each line is one write on a file opened for appending, so
// the lines of concurrent processes do not mix.
type commandLog struct {
	path    string
	pid     int
	userStr string
	host    string
}

// commandLogEntry is one line of the log.
type commandLogEntry struct {
	Time    string            `json:"time"` // RFC 3339, nine digits of nanoseconds: sorts as text
	PID     int               `json:"pid"`
	UserStr string            `json:"user_str,omitempty"` // -u: asession's job id
	Host    string            `json:"host,omitempty"`
	Event   string            `json:"event"`              // start, command or end
	Rate    *int64            `json:"rate,omitempty"`     // start: -l in kbps, 0 when not given
	MinRate *int64            `json:"min_rate,omitempty"` // start: -m
	Type    string            `json:"type,omitempty"`     // command: its Type
	Fields  map[string]string `json:"fields,omitempty"`   // command: its other fields, first of each name
}

// openCommandLog is nil when ASCPSIM_COMMAND_LOG is not set.
func openCommandLog(cfg *config, tgt *target) *commandLog {
	path := os.Getenv("ASCPSIM_COMMAND_LOG")
	if path == "" {
		return nil
	}
	l := &commandLog{path: path, pid: os.Getpid(), host: tgt.host}
	if cfg.hasUserStr {
		l.userStr = cfg.userStr
	}
	return l
}

func (l *commandLog) started(rate, minRate int64) {
	l.write(commandLogEntry{Event: "start", Rate: &rate, MinRate: &minRate})
}

func (l *commandLog) command(c command) {
	fields := make(map[string]string, len(c.fields))
	for k, v := range c.fields {
		if k != "Type" {
			fields[k] = v
		}
	}
	l.write(commandLogEntry{Event: "command", Type: c.kind, Fields: fields})
}

func (l *commandLog) ended() { l.write(commandLogEntry{Event: "end"}) }

func (l *commandLog) write(e commandLogEntry) {
	if l == nil {
		return
	}
	// Not RFC3339Nano, which drops trailing zeros: ".5Z" would sort
	// after ".45Z" as text, and Windows' clock, in 100 ns ticks, always
	// ends in zeros.
	e.Time = time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
	e.PID, e.UserStr, e.Host = l.pid, l.userStr, l.host
	line, err := json.Marshal(e)
	if err != nil {
		return
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	_, _ = f.Write(append(line, '\n'))
	_ = f.Close()
}
