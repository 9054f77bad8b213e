package session

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// ReadInput returns the job description from the command's single argument
// or, without one, the first JSON value on stdin. The argument is
// `@file:PATH`, literal JSON, or the path of an existing file; aspera-cli's
// `@json:` prefix is accepted in front, and `@json:@stdin` means stdin (with
// or without the trailing colon IBM's asession writes: `@json:@stdin:`). rest
// is what stdin holds after the description: the command channel.
func ReadInput(arg string, stdin io.Reader) (data []byte, rest io.Reader, err error) {
	arg = strings.TrimPrefix(arg, "@json:")
	switch {
	case arg == "" || arg == "@stdin" || arg == "@stdin:":
		return readFirstValue(stdin)
	case strings.HasPrefix(arg, "@file:"):
		data, err := os.ReadFile(strings.TrimPrefix(arg, "@file:"))
		if err != nil {
			return nil, stdin, fmt.Errorf("cannot read the session file: %w", err)
		}
		return data, stdin, nil
	case !strings.HasPrefix(strings.TrimSpace(arg), "{"):
		if data, err := os.ReadFile(arg); err == nil {
			return data, stdin, nil
		}
	}
	return []byte(arg), stdin, nil
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
