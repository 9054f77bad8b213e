package account

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/faspkit/asession/ascp"
)

// listReader reads the lines of a list forward, from memory while the
// list holds them, else from its file through a small window: the file
// is opened for each refill and closed at once, so that a transfer of
// hours holds neither the text of a million paths nor a descriptor that
// would keep the file from being removed (Windows).
type listReader struct {
	held *ascp.ListLines // the lines in memory, or nil: read path
	path string
	n    int // lines the list has

	line int    // number of the line next returns
	buf  []byte // held: a copy of the last line; file: the window
	data []byte // file: the unread bytes of the window
	off  int64  // file: the offset of data[0]
	eof  bool   // file: nothing after data
}

// listWindow is the size of a file reader's window: a few hundred lines
// per read of the file.
const listWindow = 32 << 10

func newListReader(list *ascp.ListFile) *listReader {
	return &listReader{held: list.Held(), path: list.Path, n: list.Len()}
}

// seek makes line the next line read, starting at byte off of the file
// (for a list held in memory, off is not used).
func (r *listReader) seek(line int, off int64) {
	r.line, r.off, r.data, r.eof = line, off, nil, false
}

// offset is where the next line starts in the file.
func (r *listReader) offset() int64 { return r.off }

// next returns the next line, without its '\n', valid until the next
// call. Past the last line, or a file that is not what was written (a
// line without its end), is an error.
func (r *listReader) next() ([]byte, error) {
	if r.line >= r.n {
		return nil, io.EOF
	}
	if r.held != nil {
		r.buf = append(r.buf[:0], r.held.Line(r.line)...)
		r.line++
		return r.buf, nil
	}
	for {
		if i := bytes.IndexByte(r.data, '\n'); i >= 0 {
			line := r.data[:i]
			r.data = r.data[i+1:]
			r.off += int64(i + 1)
			r.line++
			return line, nil
		}
		if r.eof {
			return nil, fmt.Errorf("the list file %s is not what was written: line %d has no end", r.path, r.line+1)
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

// fill reads more of the file after the unread bytes, growing the
// window when one line does not fit in it.
func (r *listReader) fill() error {
	if r.buf == nil {
		r.buf = make([]byte, listWindow)
	}
	kept := len(r.data)
	if kept == len(r.buf) {
		r.buf = append(r.buf, make([]byte, len(r.buf))...)
	}
	copy(r.buf, r.data)
	f, err := os.Open(r.path)
	if err != nil {
		return fmt.Errorf("cannot read back the list file: %w", err)
	}
	n, err := f.ReadAt(r.buf[kept:], r.off+int64(kept))
	f.Close()
	if errors.Is(err, io.EOF) {
		r.eof = true
	} else if err != nil {
		return fmt.Errorf("cannot read back the list file: %w", err)
	}
	r.data = r.buf[:kept+n]
	return nil
}

// end checks that the list has no line after the last one read: a file
// longer than was written is not the list the ledger counts.
func (r *listReader) end() error {
	if r.held != nil || r.line < r.n {
		return nil
	}
	for len(r.data) == 0 && !r.eof {
		if err := r.fill(); err != nil {
			return err
		}
	}
	if len(r.data) > 0 {
		return fmt.Errorf("the list file %s is not what was written: it has more than %d lines", r.path, r.n)
	}
	return nil
}
