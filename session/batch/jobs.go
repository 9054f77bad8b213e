package batch

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
	"github.com/faspkit/asession/session"
)

// Job is one transfer of a batch.
type Job struct {
	// ID names the job in its output lines, the journal and the batch
	// summary; unique within a batch. Empty: the job's place in the
	// input, counted from 1 ("1", "2", ...), which is its line number
	// when ReadJobs made it.
	ID    string
	Input *schema.Input // the checked job description (session.CheckInput)
}

// maxIDBytes bounds a job's id: it is repeated on every line of its
// output.
const maxIDBytes = 256

// ParseJob checks one job line: any input shape asession accepts, with an
// optional top-level "id" (a non-empty string), which is taken out before
// the rest is checked as the job description. line is the job's line
// number, its id when it has none. The job keeps data (schema.ParseInput
// reads it in place): the caller must not reuse it.
func ParseJob(data []byte, line int, opts session.CheckOptions) (Job, *events.Error) {
	id := strconv.Itoa(line)
	if p := schema.CheckDepth(data); p != nil {
		return Job{ID: id}, session.InputError(schema.Problems{*p})
	}
	obj := gjson.ParseBytes(data)
	if gjson.ValidBytes(data) && obj.IsObject() {
		if v := obj.Get(`id`); v.Exists() {
			if problem := checkID(v); problem != nil {
				return Job{ID: id}, session.InputError(schema.Problems{*problem})
			}
			id = v.Str
			data = withoutID(obj)
		}
	}
	in, err := session.CheckInput(data, opts)
	if err != nil {
		return Job{ID: id}, err
	}
	if in.Spec.Bool("keepalive") {
		// A persistent session waits for files on its command channel,
		// and a batch job has none: it would never end.
		return Job{ID: id}, session.InputError(schema.Problems{{Pointer: in.SpecPointer + "/keepalive",
			Expected: "false or nothing: a batch job takes no files on a command channel", Found: "true"}})
	}
	return Job{ID: id, Input: in}, nil
}

func checkID(v gjson.Result) *schema.Problem {
	expected := fmt.Sprintf("a non-empty string of at most %d bytes, without control characters", maxIDBytes)
	found := ""
	switch {
	case v.Type != gjson.String:
		found = v.Type.String()
	case v.Str == "":
		found = "an empty string"
	case len(v.Str) > maxIDBytes:
		found = fmt.Sprintf("%d bytes", len(v.Str))
	case !utf8.ValidString(v.Str):
		found = "bytes that are not UTF-8"
	case strings.ContainsFunc(v.Str, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		found = "a control character"
	default:
		return nil
	}
	return &schema.Problem{Pointer: "/id", Expected: expected, Found: found}
}

// withoutID rebuilds the object without its top-level "id" members, each
// other member as it was written.
func withoutID(obj gjson.Result) []byte {
	out := make([]byte, 0, len(obj.Raw))
	out = append(out, '{')
	obj.ForEach(func(k, v gjson.Result) bool {
		if k.String() == "id" {
			return true
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, k.Raw...)
		out = append(out, ':')
		out = append(out, v.Raw...)
		return true
	})
	return append(out, '}')
}

// ReadOptions tune ReadJobs.
type ReadOptions struct {
	Check session.CheckOptions // how each job description is checked; MaxBytes bounds one line
}

// Refused is a line of a job list that is not a job.
type Refused struct {
	Line int           // counted from 1
	ID   string        // the job's id as far as it could be read, else its line number
	Err  *events.Error // what is wrong, every problem located by a JSON pointer
}

// ReadJobs reads a list of jobs, one JSON value a line (blank lines are
// skipped), and checks them all. It returns the jobs, and each line that
// is not a job with what is wrong with it; a batch with any should not
// start. A read error ends the list.
func ReadJobs(r io.Reader, opts ReadOptions) ([]Job, []Refused) {
	limit := opts.Check.MaxBytes
	if limit <= 0 {
		limit = schema.DefaultMaxInputBytes
	}
	var jobs []Job
	var problems []Refused
	seen := map[string]int{}
	br := bufio.NewReaderSize(r, 64<<10)
	for line := 1; ; line++ {
		data, err := readLine(br, limit)
		if errors.Is(err, errLineTooLong) {
			problems = append(problems, lineError(line, strconv.Itoa(line),
				session.InputError(session.UnreadableInput(fmt.Errorf("the line is over %d bytes (--max-input raises the limit)", limit)))))
			continue
		}
		if err != nil && err != io.EOF {
			problems = append(problems, lineError(line, strconv.Itoa(line), session.InputError(session.UnreadableInput(err))))
			break
		}
		if len(strings.TrimSpace(string(data))) > 0 {
			job, bad := ParseJob(data, line, opts.Check)
			switch first, dup := seen[job.ID]; {
			case bad != nil:
				problems = append(problems, lineError(line, job.ID, bad))
			case dup:
				problems = append(problems, lineError(line, job.ID, session.InputError(schema.Problems{{Pointer: "/id",
					Expected: "an id no other job of the batch has", Found: fmt.Sprintf("the id of line %d", first)}})))
			default:
				seen[job.ID] = line
				jobs = append(jobs, job)
			}
		}
		if err == io.EOF {
			return jobs, problems
		}
	}
	return jobs, problems
}

// WriteLine writes the error line, tagged with the job's id as the batch
// tags every line of a job.
func (r Refused) WriteLine(out *events.Writer) error {
	return events.NewWriter(newTagger(out, r.ID, 0)).Event(r.Err)
}

func lineError(line int, id string, e *events.Error) Refused {
	e.Description = fmt.Sprintf("line %d: %s", line, e.Description)
	return Refused{Line: line, ID: id, Err: e}
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its line feed, a fresh copy (a
// job keeps it); over limit bytes, the line is skipped to its end and
// errLineTooLong returned. io.EOF comes with the last line.
func readLine(br *bufio.Reader, limit int64) ([]byte, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if int64(len(line)+len(chunk)) > limit+1 {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if tooLong {
			if err == nil {
				err = errLineTooLong
			} else if err == io.EOF {
				// The last line was too long: say so, then end.
				return nil, errLineTooLong
			}
			return nil, err
		}
		line = trimEOL(line)
		return line, err
	}
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// digest identifies what a job transfers, leaving out its secrets
// (passwords, tokens: a renewed token leaves the job the same): the
// journal skips a job recorded done only when it is still the same job.
func digest(in *schema.Input) string {
	if in == nil || in.Spec == nil {
		return ""
	}
	h := sha256.New()
	for _, name := range in.Spec.Names() {
		f, _ := schema.Lookup(name)
		if f != nil && f.Secret || name == "cookie" && in.Agent.SecretCookie {
			continue
		}
		v, _ := in.Spec.Get(name)
		text := v.Text
		if text == "" {
			text = v.JSON.Raw
		}
		fmt.Fprintf(h, "%s\x00%d\x00%s\x00", name, len(text), text)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
