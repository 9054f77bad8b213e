package ascpsim

// What happens to the sources once sent: --remove-after-transfer,
// --move-after-transfer, emptied folders, --delete-before-transfer.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// afterSource carries out --remove-after-transfer and --move-after-transfer.
func (s *faspSession) afterSource(e *entry) {
	switch {
	case s.cfg.moveAfter != "":
		s.moveSource(e)
	case s.cfg.removeAfter:
		s.removeSource(e)
	}
}

// A source that cannot be removed or moved leaves the transfer as it was,
// as with ascp, which says so in its log: here on stderr.
func (s *faspSession) removeSource(e *entry) {
	if s.src.check(e.srcLocal) == nil {
		if err := os.Remove(e.srcLocal); err != nil {
			fmt.Fprintf(s.stderr, "ascp: cannot remove source %s after transfer: %v\n", e.srcShown, err)
		}
	}
}

// moveSource moves a transferred source file under the archive folder,
// keeping its path below the source argument's parent.
func (s *faspSession) moveSource(e *entry) {
	archive, _, err := s.src.resolve(s.cfg.moveAfter)
	if err != nil {
		return
	}
	rel, err := filepath.Rel(e.argBase, e.srcLocal)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = filepath.Base(e.srcLocal)
	}
	dest := filepath.Join(archive, rel)
	if s.src.check(dest) != nil {
		return
	}
	os.MkdirAll(filepath.Dir(dest), 0o755)
	if err := os.Rename(e.srcLocal, dest); err != nil {
		fmt.Fprintf(s.stderr, "ascp: cannot move source %s after transfer: %v\n", e.srcShown, err)
	}
}

// cleanSources removes emptied source directories once an argument is done.
func (s *faspSession) cleanSources(a *srcArg) {
	if !s.cfg.removeEmptyDirs && !s.cfg.removeEmptySourceDir {
		return
	}
	for i := len(a.entries) - 1; i >= 0; i-- {
		e := a.entries[i]
		if e.kind != kindDir || e.fail != nil {
			continue
		}
		if e.srcLocal == a.srcLocal && !s.cfg.removeEmptySourceDir {
			continue
		}
		if s.src.remote() && e.srcLocal == s.src.dr.root {
			continue
		}
		os.Remove(e.srcLocal) // fails, as wanted, when not empty
	}
}

// deleteExtraneous is --delete-before-transfer: whatever the destination
// holds under a directory argument that the source does not, goes.
func (s *faspSession) deleteExtraneous(a *srcArg) {
	if a.fail != nil || a.topDst == "" || !isDirLocal(a.srcLocal) {
		return
	}
	keep := map[string]bool{}
	for _, e := range a.entries {
		keep[e.dstLocal] = true
		if e.kind == kindFile {
			keep[e.dstLocal+s.cfg.partialSuffix] = true
			keep[e.dstLocal+aspxSuffix] = true
		}
	}
	var doomed []string
	filepath.WalkDir(a.topDst, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == a.topDst {
			return nil
		}
		if s.dst.remote() && p == filepath.Join(s.dst.dr.root, stateDir) {
			return filepath.SkipDir
		}
		if !keep[p] {
			doomed = append(doomed, p)
			if d.IsDir() {
				return filepath.SkipDir
			}
		}
		return nil
	})
	for _, p := range doomed {
		if s.dst.check(filepath.Dir(p)) == nil {
			os.RemoveAll(p)
		}
	}
}
