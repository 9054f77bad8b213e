package session

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// ReadInput returns the job description from the command's single argument
// or, without one, the first JSON value on stdin. The argument is
// `@file:PATH`, literal JSON, or the path of an existing file; aspera-cli's
// `@json:` prefix is accepted in front, and `@json:@stdin` or `-` means stdin
// (with or without the trailing colon IBM's asession writes: `@json:@stdin:`). rest
// is what stdin holds after the description: the command channel.
func ReadInput(arg string, stdin io.Reader) (data []byte, rest io.Reader, err error) {
	arg = strings.TrimPrefix(arg, "@json:")
	switch {
	case arg == "" || arg == "@stdin" || arg == "@stdin:" || arg == "-":
		return readFirstValue(stdin)
	case strings.HasPrefix(arg, "@file:"):
		data, err := readFile(strings.TrimPrefix(arg, "@file:"))
		return data, stdin, err
	case !looksLikeJSON(arg):
		// Not JSON: a path, and a missing file must say so rather than
		// fail as JSON.
		data, err := readFile(arg)
		return data, stdin, err
	}
	return []byte(arg), stdin, nil
}

// readFile reads the session file at path; a missing one is an error that
// says so and matches fs.ErrNotExist.
func readFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, missingFileError(path)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the session file: %w", err)
	}
	return data, nil
}

// missingFileError is a session file that does not exist.
type missingFileError string

func (e missingFileError) Error() string { return "no such file: " + string(e) }
func (e missingFileError) Unwrap() error { return fs.ErrNotExist }

// looksLikeJSON: literal JSON starts with one of these; a path does not
// (a file whose name does is read as @file:NAME).
func looksLikeJSON(arg string) bool {
	arg = strings.TrimSpace(arg)
	return arg != "" && strings.ContainsRune("{[\"", rune(arg[0]))
}

// readFirstValue reads one JSON value and leaves the rest of the stream
// unread, so that commands written after the spec stay available.
func readFirstValue(r io.Reader) ([]byte, io.Reader, error) {
	br := bufio.NewReader(r)
	dec := json.NewDecoder(br)
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		if err == io.EOF {
			return nil, br, fmt.Errorf("no transfer spec on stdin")
		}
		return nil, br, fmt.Errorf("stdin is not valid JSON: %v", err)
	}
	return raw, io.MultiReader(bytes.NewReader(bufferedOf(dec)), br), nil
}

func bufferedOf(dec *json.Decoder) []byte {
	b, _ := io.ReadAll(dec.Buffered())
	return b
}
