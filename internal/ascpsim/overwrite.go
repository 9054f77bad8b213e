package ascpsim

// What happens to an existing destination file: --overwrite, the final
// rename of the partial file, --save-before-overwrite.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// saveNames numbers the --save-before-overwrite copies made within one
// second.
type saveNames struct {
	savedAt  string
	savedSeq int
}

// skipReason applies --overwrite to an existing destination file; ""
// means transfer, and identical that the destination is the source's
// copy already (ascp then reports it as a file transferred in full
// before: a STOP whose StartByte is its size, with no START; IBM's
// excerpts of real transfers show these). diff compares size and mtime,
// or checksums under -k 2 and 3.
func (s *faspSession) skipReason(e *entry, dfi os.FileInfo) (reason string, identical bool) {
	differs := func() bool {
		if dfi.Size() != e.size {
			return true
		}
		switch s.cfg.resume {
		case 2:
			return !sparseMatch(e.srcLocal, e.dstLocal, e.size)
		case 3:
			return !fullMatch(e.srcLocal, e.dstLocal, e.size)
		}
		return dfi.ModTime().Unix() != e.mtime.Unix()
	}
	older := func() bool { return dfi.ModTime().Before(e.mtime) }
	switch s.cfg.overwrite {
	case "always":
		return "", false
	case "never":
		return "destination exists (--overwrite=never)", false
	case "older":
		if older() {
			return "", false
		}
		return "destination is not older (--overwrite=older)", false
	case "diff+older":
		if !differs() {
			return "destination is identical (--overwrite=diff+older)", true
		}
		if older() {
			return "", false
		}
		return "destination is newer (--overwrite=diff+older)", false
	default:
		if differs() {
			return "", false
		}
		return "destination is identical (--overwrite=diff)", true
	}
}

// finishFile gives the completed partial its final name and times.
func (s *faspSession) finishFile(e *entry, partial string) error {
	atime, mtime := time.Now(), time.Now()
	if s.cfg.preserveMtime {
		mtime = e.mtime
	}
	if s.cfg.preserveAtime {
		atime = e.atime
	}
	if err := os.Chtimes(partial, atime, mtime); err != nil {
		return err
	}
	if partial == e.dstLocal {
		return nil
	}
	if s.cfg.saveBefore {
		if _, err := os.Lstat(e.dstLocal); err == nil {
			if err := os.Rename(e.dstLocal, s.savedName(e.dstLocal)); err != nil {
				return err
			}
		}
	}
	if err := os.Rename(partial, e.dstLocal); err != nil {
		return fmt.Errorf("cannot rename partial file: %v", err)
	}
	return nil
}

// savedName is --save-before-overwrite's name for the old file:
// name.yyyy.mm.dd.hh.mm.ss.index.ext, the index counting within a second.
func (s *faspSession) savedName(p string) string {
	stamp := time.Now().Format("2006.01.02.15.04.05")
	if stamp != s.savedAt {
		s.savedAt, s.savedSeq = stamp, 0
	}
	s.savedSeq++
	ext := filepath.Ext(p)
	return fmt.Sprintf("%s.%s.%d%s", strings.TrimSuffix(p, ext), stamp, s.savedSeq, ext)
}
