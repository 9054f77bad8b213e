package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/tidwall/gjson"

	"github.com/faspkit/asession/internal/human"
)

// humanRenderer turns the JSON lines asession writes into words for a
// person at a terminal, as gh does: a line per finished, skipped or failed
// file, errors, and the summary. Progress is left to the live line. It is
// an io.Writer under the events.Writer, so the JSON it reads is exactly
// what a pipe would have got.
type humanRenderer struct {
	mu      sync.Mutex
	w       io.Writer
	partial []byte // an unfinished line from the previous Write
	// above, when set, writes around a live progress line on the same
	// terminal that cannot keep a row of its own.
	above func(write func())
}

func newHumanRenderer(w io.Writer) *humanRenderer { return &humanRenderer{w: w} }

func (h *humanRenderer) shareWith(around func(write func())) {
	h.mu.Lock()
	h.above = around
	h.mu.Unlock()
}

func (h *humanRenderer) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	data := p
	if len(h.partial) > 0 {
		data = append(h.partial, p...)
	}
	var out bytes.Buffer
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		renderLine(&out, data[:i])
		data = data[i+1:]
	}
	h.partial = append(h.partial[:0], data...)
	if out.Len() == 0 {
		return len(p), nil
	}
	var err error
	write := func() { _, err = h.w.Write(out.Bytes()) }
	if h.above != nil {
		h.above(write)
	} else {
		write()
	}
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// renderLine writes the words for one JSON line, or nothing.
func renderLine(out *bytes.Buffer, line []byte) {
	v := gjson.ParseBytes(line)
	file := displayName(v.Get("file").String())
	switch v.Get("type").String() {
	case "STOP":
		fmt.Fprintf(out, "done     %s (%s)\n", file, human.Size(v.Get("size").Int()))
	case "SKIP":
		fmt.Fprintf(out, "skipped  %s (already there)\n", file)
	case "FILEERROR":
		fmt.Fprintf(out, "failed   %s: %s\n", file, displayName(v.Get("description").String()))
	case "error":
		renderError(out, v)
	case "summary":
		renderSummary(out, v)
	case "dry_run":
		var indented bytes.Buffer
		if json.Indent(&indented, line, "", "  ") == nil {
			out.Write(indented.Bytes())
			out.WriteByte('\n')
		}
	}
}

func renderError(out *bytes.Buffer, v gjson.Result) {
	prefix := "error"
	if v.Get("source").String() == "command" {
		prefix = "command refused"
	}
	fmt.Fprintf(out, "%s: %s\n", prefix, displayName(v.Get("description").String()))
	for _, p := range v.Get("problems").Array() {
		fmt.Fprintf(out, "  %s: expected %s", p.Get("pointer").String(), p.Get("expected").String())
		if found := p.Get("found"); found.Exists() {
			fmt.Fprintf(out, ", found %s", found.String())
		}
		if name := p.Get("did_you_mean"); name.Exists() {
			fmt.Fprintf(out, "; did you mean %s?", displayName(name.String()))
		}
		out.WriteByte('\n')
	}
	for _, place := range v.Get("searched").Array() {
		fmt.Fprintf(out, "  searched %s\n", displayName(place.String()))
	}
	for _, line := range v.Get("terminal").Array() {
		fmt.Fprintf(out, "  | %s\n", displayName(line.String()))
	}
	if hint := v.Get("hint").String(); hint != "" {
		fmt.Fprintf(out, "  hint: %s\n", displayName(hint))
	}
}

func renderSummary(out *bytes.Buffer, v gjson.Result) {
	files := v.Get("files")
	elapsed := time.Duration(v.Get("elapsed_usec").Int()) * time.Microsecond
	// Connect's completed count includes skipped files.
	skipped, failed := files.Get("skipped").Int(), files.Get("failed").Int()
	transferred, written := files.Get("completed").Int()-skipped, v.Get("bytes_written").Int()
	status := v.Get("status").String()
	switch {
	case transferred == 0 && skipped == 0 && failed == 0 && written == 0:
		// A job that never got going (a wrong password, no ascp): byte
		// counts and an average rate of nothing would only be noise.
		out.WriteString(statusWords[status])
		if elapsed >= time.Second {
			fmt.Fprintf(out, " after %s", human.Duration(elapsed))
		}
		out.WriteString(": nothing transferred")
	default:
		fmt.Fprintf(out, "%s: %d transferred, %d skipped, %d failed; %s in %s, average %s", statusWords[status],
			transferred, skipped, failed, human.Size(written), human.Duration(elapsed),
			human.Rate(v.Get("avg_rate_kbps").Int()))
	}
	if n := v.Get("retries").Int(); n > 0 {
		out.WriteString("; " + human.Count(n, "retry", "retries"))
	}
	out.WriteByte('\n')
	remote := displayName(v.Get("remote_host").String())
	if user := v.Get("remote_user").String(); user != "" {
		remote = displayName(user) + "@" + remote
	}
	dest := displayName(v.Get("destination").String())
	// Sent and received are what a completed job did; another is named
	// for what it was to do.
	switch direction := v.Get("direction").String(); {
	case direction == "send" && status == "completed":
		fmt.Fprintf(out, "  sent to %s:%s\n", remote, dest)
	case direction == "send":
		fmt.Fprintf(out, "  upload to %s:%s\n", remote, dest)
	case direction == "receive" && status == "completed":
		fmt.Fprintf(out, "  received from %s into %s\n", remote, dest)
	case direction == "receive":
		fmt.Fprintf(out, "  download from %s into %s\n", remote, dest)
	}
	if e := v.Get("error"); e.Exists() {
		retry := "retrying will not help"
		if e.Get("retryable").Bool() {
			retry = "retrying may help"
		}
		code := ""
		if n := e.Get("code").Int(); n != 0 {
			code = fmt.Sprintf(", ascp code %d", n)
		}
		fmt.Fprintf(out, "  %s (%s%s): %s\n", e.Get("mnemonic").String(), retry, code, displayName(e.Get("description").String()))
	}
	for _, f := range v.Get("failed_files").Array() {
		fmt.Fprintf(out, "  failed %s: %s\n", displayName(f.Get("file").String()), displayName(f.Get("description").String()))
	}
	if c := v.Get("checksums"); c.Exists() {
		fmt.Fprintf(out, "  checksums: %d checked, %d matched, %d mismatched, %d missing\n",
			c.Get("checked").Int(), c.Get("matched").Int(), c.Get("mismatched").Int(), c.Get("missing").Int())
	}
	fmt.Fprintf(out, "  job %s, exit code %d\n", v.Get("job_id").String(), v.Get("exit_code").Int())
}

var statusWords = map[string]string{"completed": "Completed", "failed": "Failed", "cancelled": "Cancelled"}

// displayName is the one place a name is made safe to print for a person.
func displayName(name string) string { return human.Printable(name) }

// teeWriter writes the JSON lines to the events file as well as to
// stdout. A failure of stdout is the job's output failure, as without the
// file. A failure of the file (a full disk) is reported to failed, which
// stops the job, and the file is not written to again; stdout goes on, so
// that the error line and the summary still reach it.
type teeWriter struct {
	primary, copy io.Writer

	mu     sync.Mutex
	err    error       // the file's first failure
	failed func(error) // told of it once, when set
}

func (t *teeWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	if t.err == nil {
		if _, err := t.copy.Write(p); err != nil {
			t.err = err
			if t.failed != nil {
				t.failed(err)
			}
		}
	}
	t.mu.Unlock()
	return t.primary.Write(p)
}

// onFailure sets what a failure of the file calls, at once if it failed
// already.
func (t *teeWriter) onFailure(failed func(error)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failed = failed
	if t.err != nil {
		failed(t.err)
	}
}

// failure is the file's first failure, nil while it takes every line.
func (t *teeWriter) failure() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}
