package ascp

import (
	"bufio"
	"os"
)

// Write creates the list file at l.Path, readable by its owner only, and
// writes its lines through a small buffer: a list of a million paths costs
// no copy of its whole content in memory (Content builds one).
func (l *ListFile) Write() error {
	f, err := os.OpenFile(l.Path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 256<<10)
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
