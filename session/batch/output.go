package batch

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/faspkit/asession/events"
)

// tagger is the sink of one attempt's events.Writer: it puts the job's id
// and the attempt at the front of each line ({"job":"a","attempt":2,...})
// and hands whole lines to the batch's writer, which keeps the lines of
// concurrent jobs from mixing. The frame encoder keeps ascp from writing
// members of those names (internal/framejson's reservedKeys), so no frame
// can pass for another job.
type tagger struct {
	out     *events.Writer
	members []byte // `"job":"a","attempt":2,`
	mu      sync.Mutex
	buf     []byte
	partial []byte // a line not ended yet (a Writer writes whole lines, but a sink must not count on it)
}

func newTagger(out *events.Writer, id string, attempt int) *tagger {
	return &tagger{out: out, members: tagMembers(id, attempt)}
}

func tagMembers(id string, attempt int) []byte {
	quoted, _ := json.Marshal(id)
	m := append([]byte(`"job":`), quoted...)
	if attempt > 0 {
		m = append(m, `,"attempt":`...)
		m = strconv.AppendInt(m, int64(attempt), 10)
	}
	return append(m, ',')
}

func (t *tagger) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = t.buf[:0]
	data := p
	if len(t.partial) > 0 {
		data = append(t.partial, p...)
		t.partial = nil
	}
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 {
			t.partial = append([]byte(nil), data...)
			break
		}
		t.buf = tagLine(t.buf, data[:n], t.members)
		data = data[n:]
	}
	if len(t.buf) == 0 {
		return len(p), nil
	}
	if err := t.out.Lines(t.buf); err != nil {
		return 0, err
	}
	// A job's Writer writes when it flushes: a burst, or a lone line
	// someone waits for. The batch's Writer must not hold it back.
	if err := t.out.Flush(); err != nil {
		return 0, err
	}
	return len(p), nil
}

// tagLine appends line with members after its opening brace.
func tagLine(dst, line, members []byte) []byte {
	if len(line) < 2 || line[0] != '{' {
		return append(dst, line...)
	}
	dst = append(dst, '{')
	dst = append(dst, members...)
	if line[1] == '}' {
		// An empty object: no member follows the tag's comma.
		dst = dst[:len(dst)-1]
	}
	return append(dst, line[1:]...)
}

// commandPipe is one attempt's command channel (session.Options.Commands):
// the batch writes RATE lines to it, and they wait in it, never blocking
// the batch, until the job reads them. It has a read deadline, so that
// the job can interrupt its reader and join it before its summary.
type commandPipe struct {
	mu       sync.Mutex
	cond     *sync.Cond
	buf      []byte
	closed   bool
	deadline time.Time
	timer    *time.Timer
}

func newCommandPipe() *commandPipe {
	p := &commandPipe{}
	p.cond = sync.NewCond(&p.mu)
	return p
}

func (p *commandPipe) send(line []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.buf = append(p.buf, line...)
	p.cond.Broadcast()
}

func (p *commandPipe) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		switch {
		case len(p.buf) > 0:
			n := copy(b, p.buf)
			p.buf = p.buf[n:]
			return n, nil
		case p.closed:
			return 0, io.EOF
		case !p.deadline.IsZero() && !time.Now().Before(p.deadline):
			return 0, os.ErrDeadlineExceeded
		}
		p.cond.Wait()
	}
}

// SetReadDeadline makes a blocked Read, and any later one, fail once t
// has passed; the zero time clears it.
func (p *commandPipe) SetReadDeadline(t time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deadline = t
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	if wait := time.Until(t); !t.IsZero() && wait > 0 {
		p.timer = time.AfterFunc(wait, func() {
			p.mu.Lock()
			p.cond.Broadcast()
			p.mu.Unlock()
		})
	}
	p.cond.Broadcast()
	return nil
}

// close ends the channel: the job reads what is left, then end of input.
func (p *commandPipe) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.timer != nil {
		p.timer.Stop()
	}
	p.cond.Broadcast()
}
