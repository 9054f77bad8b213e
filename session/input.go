package session

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

// ReadJob reads and checks the job description given as the command's
// single argument or, without one, as the first JSON value on stdin. The
// argument is `@file:PATH`, literal JSON, or the path of an existing file;
// aspera-cli's `@json:` prefix is accepted in front, and `@json:@stdin` or
// `-` means stdin (with or without the trailing colon IBM's asession
// writes: `@json:@stdin:`). rest is what stdin holds after the
// description: the command channel.
//
// The description is read as it arrives and never held whole: the
// entries of its paths array are checked one at a time and written to a
// list file in a private temporary folder (schema.ReadInput). What is
// held, the rest of the description, is bounded by opts.MaxBytes. The
// caller closes in (Input.Close) once the job is over, which removes the
// list file; a description refused leaves nothing behind.
//
// A missing file is an error that matches fs.ErrNotExist; every other
// error is the *events.Error of the job's error line.
func ReadJob(arg string, stdin io.Reader, opts CheckOptions) (in *schema.Input, rest io.Reader, err error) {
	arg = strings.TrimPrefix(arg, "@json:")
	r, source, first := io.Reader(nil), "the session file", false
	switch {
	case arg == "" || arg == "@stdin" || arg == "@stdin:" || arg == "-":
		r, source, first = stdin, "stdin", true
	case strings.HasPrefix(arg, "@file:"), !IsLiteralJSON(arg):
		// Not JSON: a path, and a missing file must say so rather than
		// fail as JSON.
		path := strings.TrimPrefix(arg, "@file:")
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, stdin, missingFileError(path)
		} else if err != nil {
			return nil, stdin, InputError(UnreadableInput(fmt.Errorf("cannot read the session file: %w", err)))
		}
		defer f.Close()
		r = f
	default:
		r = strings.NewReader(arg)
	}
	in, rest, problems, err := schema.ReadInput(r, schema.ReadOptions{MaxHeld: opts.MaxBytes, FaspURL: opts.FaspURL, FirstValue: first, Spool: true})
	if !first {
		rest = stdin
	}
	if err != nil {
		return nil, rest, readError(err, source)
	}
	if e := checkParsed(in, problems, opts); e != nil {
		in.Close()
		return in, rest, e
	}
	return in, rest, nil
}

// IsLiteralJSON reports whether the JOB argument is the description
// itself rather than where to find it: literal JSON starts with one of
// these; a path does not (a file whose name does is read as @file:NAME).
func IsLiteralJSON(arg string) bool {
	arg = strings.TrimSpace(strings.TrimPrefix(arg, "@json:"))
	return arg != "" && strings.ContainsRune("{[\"", rune(arg[0]))
}

// readError is the error line of a description that could not be read
// from source (stdin, the session file).
func readError(err error, source string) error {
	var syntax *schema.SyntaxError
	var read *schema.ReadError
	switch {
	case source == "stdin" && errors.Is(err, schema.ErrNoInput):
		err = errors.New("no transfer spec on stdin")
	case source == "stdin" && errors.As(err, &syntax):
		err = fmt.Errorf("stdin is not valid JSON: %s", syntax.Msg)
	case errors.Is(err, schema.ErrNoInput), errors.As(err, &syntax):
		return InputError(schema.Problems{{Pointer: "/", Expected: "a JSON object", Found: "text that is not valid JSON"}})
	case errors.As(err, &read):
		err = fmt.Errorf("cannot read %s: %w", source, read.Err)
	case !errors.Is(err, schema.ErrTooLarge):
		// Not the input's fault: the list file could not be written.
		return events.NewError(events.FromSetup, 0, err.Error()).WithCause(err)
	}
	return InputError(UnreadableInput(err))
}

// missingFileError is a session file that does not exist.
type missingFileError string

func (e missingFileError) Error() string { return "no such file: " + string(e) }
func (e missingFileError) Unwrap() error { return fs.ErrNotExist }

// readAll is ReadJob of a description in memory, its paths' lines kept
// in memory: CheckInput's.
func readAll(data []byte, opts CheckOptions) (*schema.Input, schema.Problems, error) {
	in, _, problems, err := schema.ReadInput(bytes.NewReader(data), schema.ReadOptions{MaxHeld: opts.MaxBytes, FaspURL: opts.FaspURL})
	return in, problems, err
}
