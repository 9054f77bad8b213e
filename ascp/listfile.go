package ascp

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/faspkit/asession/schema"
)

// Len is the number of lines, without reading back a released list.
func (l *ListFile) Len() int {
	if l.Lines != nil {
		return len(l.Lines)
	}
	return l.n
}

// Content is the list file's bytes.
func (l *ListFile) Content() []byte {
	v, err := l.Load()
	if err != nil {
		return nil
	}
	var b strings.Builder
	for i := range v.Len() {
		b.WriteString(v.Line(i))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// Write creates the list file at l.Path, readable by its owner only. A
// list the spec's reading already wrote to a file (schema.ReadInput) is
// linked there, or copied where a link cannot be made; one in memory is
// written at once. Neither costs a copy of its content in memory.
func (l *ListFile) Write() error {
	l.mu.Lock()
	paths := l.paths
	l.mu.Unlock()
	if paths == nil && l.n > 0 {
		return fmt.Errorf("the list file %s was released: it is written once", l.Path)
	}
	if paths != nil && paths.File() != "" {
		if paths.File() == l.Path {
			return nil // the job took the spec's folder as its own
		}
		if err := os.Link(paths.File(), l.Path); err == nil {
			return nil
		}
	}
	f, err := os.OpenFile(l.Path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	if paths != nil {
		_, err = paths.WriteTo(w)
	}
	for _, line := range l.Lines {
		if err != nil {
			break
		}
		w.WriteString(line)
		_, err = w.Write([]byte{'\n'})
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Streamed reports whether the lines were written to a file as the spec
// was read (schema.ReadInput), and never held in memory.
func (l *ListFile) Streamed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.paths != nil && l.paths.File() != ""
}

// Release drops the lines of a written list built from a spec: a transfer
// of a million files may last hours, and needs the lines again only when
// a file is reported or a retry is made, when they are read from the
// file (Held is nil then). A list read into a file as the spec came holds
// nothing to drop.
func (l *ListFile) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.paths != nil && l.view == nil && l.paths.File() == "" {
		l.paths, l.released = nil, true
	}
}

// Load returns the lines, read back from the file when they were
// released. The same ListLines is returned to every caller.
func (l *ListFile) Load() (*ListLines, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.view != nil {
		return l.view, nil
	}
	if !l.released {
		l.view = &ListLines{lines: l.Lines, paths: l.paths}
		return l.view, nil
	}
	text, err := readText(l.Path)
	if err != nil {
		return nil, fmt.Errorf("cannot read back the list file: %w", err)
	}
	v := &ListLines{text: text, starts: make([]int, 0, l.n+1)}
	for i := 0; i < len(text); {
		v.starts = append(v.starts, i)
		j := strings.IndexByte(text[i:], '\n')
		if j < 0 {
			return nil, fmt.Errorf("the list file %s is not what was written: its last line has no end", l.Path)
		}
		i += j + 1
	}
	v.starts = append(v.starts, len(text))
	if v.Len() != l.n {
		return nil, fmt.Errorf("the list file %s is not what was written: %d lines, not %d", l.Path, v.Len(), l.n)
	}
	l.view = v
	return v, nil
}

// Held returns the lines while they are in memory (not released, or
// already read back by Load), or nil: a reader of a released list of a
// million paths, or of one that never was in memory, reads the file as
// it goes rather than hold its text for the hours of the transfer.
func (l *ListFile) Held() *ListLines {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.view == nil && !l.released && (l.paths == nil || l.paths.File() == "") {
		l.view = &ListLines{lines: l.Lines, paths: l.paths}
	}
	return l.view
}

// readText reads a file into one string, sized from the file.
func readText(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	if info, err := f.Stat(); err == nil {
		b.Grow(int(info.Size()))
	}
	_, err = io.Copy(&b, f)
	return b.String(), err
}

// ListLines are the lines of a list file, by number.
type ListLines struct {
	lines  []string         // a list made line by line
	paths  *schema.PathList // or one built from a spec
	text   string           // or the text read back, each line ended by '\n'
	starts []int            // where each line of text starts, and its end
}

// Len is the number of lines.
func (v *ListLines) Len() int {
	switch {
	case v.paths != nil:
		return v.paths.Lines()
	case v.starts == nil:
		return len(v.lines)
	}
	return len(v.starts) - 1
}

// Line is line i, without its '\n'.
func (v *ListLines) Line(i int) string {
	switch {
	case v.paths != nil:
		return v.paths.Line(i)
	case v.starts == nil:
		return v.lines[i]
	}
	return v.text[v.starts[i] : v.starts[i+1]-1]
}
