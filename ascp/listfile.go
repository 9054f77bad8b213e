package ascp

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// newListFile is the list file of a spec's paths: text holds n lines,
// each ended by '\n', as schema.PathList made them.
func newListFile(option, path, text string, n int) *ListFile {
	return &ListFile{Option: option, Path: path, text: text, n: n}
}

// Len is the number of lines, without reading back a released list.
func (l *ListFile) Len() int {
	if l.Lines != nil {
		return len(l.Lines)
	}
	return l.n
}

// Content is the list file's bytes.
func (l *ListFile) Content() []byte {
	if l.Lines == nil {
		v, err := l.Load()
		if err != nil {
			return nil
		}
		return []byte(v.text)
	}
	var b strings.Builder
	for _, line := range l.Lines {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// Write creates the list file at l.Path, readable by its owner only. A
// list built from a spec is one block of text, written as it is; one made
// line by line goes through a small buffer, so that a list of a million
// paths costs no copy of its whole content in memory.
func (l *ListFile) Write() error {
	f, err := os.OpenFile(l.Path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	if l.Lines == nil {
		l.mu.Lock()
		w.WriteString(l.text)
		l.mu.Unlock()
	}
	for _, line := range l.Lines {
		w.WriteString(line)
		w.WriteByte('\n')
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Release drops the text of a written list built from a spec: a transfer
// of a million files may last hours, and needs the lines again only when
// a file is reported or a retry is made, when Load reads them back.
func (l *ListFile) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Lines == nil && l.view == nil {
		l.text, l.released = "", true
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
	if l.Lines != nil {
		l.view = &ListLines{lines: l.Lines}
		return l.view, nil
	}
	text := l.text
	if l.released {
		var err error
		if text, err = readText(l.Path); err != nil {
			return nil, fmt.Errorf("cannot read back the list file: %w", err)
		}
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
	lines  []string // a list made line by line
	text   string   // or its text, each line ended by '\n'
	starts []int    // where each line of text starts, and its end
}

// Len is the number of lines.
func (v *ListLines) Len() int {
	if v.lines != nil {
		return len(v.lines)
	}
	return len(v.starts) - 1
}

// Line is line i, without its '\n'.
func (v *ListLines) Line(i int) string {
	if v.lines != nil {
		return v.lines[i]
	}
	return v.text[v.starts[i] : v.starts[i+1]-1]
}
