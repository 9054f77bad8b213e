package session

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"

	"github.com/faspkit/asession/schema"
)

// ReadInput is ReadInputLimit with the default size limit.
func ReadInput(arg string, stdin io.Reader) (data []byte, rest io.Reader, err error) {
	return ReadInputLimit(arg, stdin, schema.DefaultMaxInputBytes)
}

// ReadInputLimit returns the job description from the command's single
// argument or, without one, the first JSON value on stdin. The argument is
// `@file:PATH`, literal JSON, or the path of an existing file; aspera-cli's
// `@json:` prefix is accepted in front, and `@json:@stdin` or `-` means stdin
// (with or without the trailing colon IBM's asession writes: `@json:@stdin:`).
// rest is what stdin holds after the description: the command channel. A
// description over limit bytes is an error, wherever it comes from, and no
// more than that is ever read into memory.
func ReadInputLimit(arg string, stdin io.Reader, limit int64) (data []byte, rest io.Reader, err error) {
	if limit <= 0 {
		limit = schema.DefaultMaxInputBytes
	}
	arg = strings.TrimPrefix(arg, "@json:")
	switch {
	case arg == "" || arg == "@stdin" || arg == "@stdin:" || arg == "-":
		return readFirstValue(stdin, limit)
	case strings.HasPrefix(arg, "@file:"):
		data, err := readFile(strings.TrimPrefix(arg, "@file:"), limit)
		return data, stdin, err
	case !looksLikeJSON(arg):
		// Not JSON: a path, and a missing file must say so rather than
		// fail as JSON.
		data, err := readFile(arg, limit)
		return data, stdin, err
	}
	if int64(len(arg)) > limit {
		return nil, stdin, tooLarge(limit)
	}
	return []byte(arg), stdin, nil
}

// readFile reads the session file at path, at most limit bytes; a missing
// one is an error that says so and matches fs.ErrNotExist.
func readFile(path string, limit int64) ([]byte, error) {
	data, err := readFileLimit(path, limit)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, missingFileError(path)
	case errors.Is(err, errTooLarge):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("cannot read the session file: %w", err)
	}
	return data, nil
}

var errTooLarge = errors.New("input too large")

func tooLarge(limit int64) error {
	return fmt.Errorf("%w: the job description is over %d bytes (--max-input raises the limit)", errTooLarge, limit)
}

func readFileLimit(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Sized from the file, so that a big spec is read without the copies
	// of a growing buffer.
	size := int64(0)
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
		size = min(info.Size(), limit)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err = buf.ReadFrom(io.LimitReader(f, limit+1))
	data := buf.Bytes()
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(limit)
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
// unread, so that commands written after the spec stay available. A byte
// scanner (firstValue) finds where the value ends without decoding it:
// validation is ParseInput's, done once on the whole value. No more than
// limit bytes are ever taken, and none past the value's end.
func readFirstValue(r io.Reader, limit int64) ([]byte, io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var sc firstValue
	// Sized from what stdin holds when that is known (a file, a buffer),
	// so that a big spec is read without the copies of a growing slice;
	// from a pipe, in blocks joined once at the end.
	var data []byte
	var blocks blocks
	if n := sizeHint(r); n > 0 {
		data = make([]byte, 0, min(n, limit))
	}
	var taken int64
	for {
		if br.Buffered() == 0 {
			if _, err := br.Peek(1); err != nil {
				switch {
				case err != io.EOF:
					return nil, br, fmt.Errorf("cannot read stdin: %w", err)
				case !sc.started:
					return nil, br, fmt.Errorf("no transfer spec on stdin")
				case sc.scalar:
					// A top-level number or literal ends with the input.
					return blocks.join(data), br, nil
				}
				return nil, br, fmt.Errorf("stdin is not valid JSON: unexpected end of input")
			}
		}
		buf, _ := br.Peek(br.Buffered())
		if left := limit - taken; int64(len(buf)) > left {
			buf = buf[:left]
		}
		n, done, err := sc.scan(buf)
		if err != nil {
			return nil, br, fmt.Errorf("stdin is not valid JSON: %v", err)
		}
		if sc.started && cap(data) > 0 {
			data = append(data, buf[sc.skip:n]...)
		} else if sc.started {
			blocks.add(buf[sc.skip:n])
		}
		sc.skip = 0
		br.Discard(n)
		taken += int64(n)
		if done {
			return blocks.join(data), br, nil
		}
		if taken >= limit {
			return nil, br, tooLarge(limit)
		}
	}
}

// sizeHint is how many bytes r holds from where it is, 0 when unknown:
// stdin redirected from a file, or an in-memory reader.
func sizeHint(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Len() int }:
		return int64(r.Len())
	case *os.File:
		info, err := r.Stat()
		if err != nil || !info.Mode().IsRegular() {
			return 0
		}
		at, err := r.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0
		}
		return info.Size() - at
	}
	return 0
}

// blocks hold a value of unknown size as it is read: blocks that double
// up to 8 MB, joined once. A slice grown by append would copy a 45 MB
// spec about four times over and leave each old copy behind.
type blocks [][]byte

func (b *blocks) add(p []byte) {
	for len(p) > 0 {
		last := len(*b) - 1
		if last < 0 || len((*b)[last]) == cap((*b)[last]) {
			size := 64 << 10
			if last >= 0 {
				size = min(2*cap((*b)[last]), 8<<20)
			}
			*b = append(*b, make([]byte, 0, size))
			last++
		}
		block := &(*b)[last]
		n := min(len(p), cap(*block)-len(*block))
		*block = append(*block, p[:n]...)
		p = p[n:]
	}
}

// join is the value: data when it was read whole, else its blocks in one
// slice. Past a few megabytes, the blocks already copied are handed back
// to the system every joinStep bytes: the joined slice's pages are
// touched only as they are written, so a spec of a hundred megabytes from
// a pipe peaks near its size plus a step rather than twice its size.
func (b blocks) join(data []byte) []byte {
	if len(b) == 0 {
		return data
	}
	if len(b) == 1 {
		return b[0]
	}
	size := 0
	for _, block := range b {
		size += len(block)
	}
	data = make([]byte, 0, size)
	copied := 0
	for i, block := range b {
		data = append(data, block...)
		b[i] = nil
		if copied += len(block); copied >= joinStep {
			debug.FreeOSMemory()
			copied = 0
		}
	}
	if size >= 16<<20 {
		debug.FreeOSMemory()
	}
	return data
}

// joinStep is how much of a joined value is copied between two hand-backs
// of its blocks, the size of the largest block. Each costs a collection,
// cheap here as the value's bytes hold no pointers: joining 103 MB from a
// pipe took 111–126 ms with none and 117–149 ms with one every 8 MB, and
// peaked at 208 and 124 MB.
const joinStep = 8 << 20
