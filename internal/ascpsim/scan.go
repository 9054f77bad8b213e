package ascpsim

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

type entryKind int

const (
	kindDir entryKind = iota
	kindFile
	kindLink
)

// entry is one thing to create at the destination.
type entry struct {
	kind               entryKind
	srcLocal, srcShown string
	dstLocal, dstShown string
	size               int64
	mtime, atime       time.Time
	linkTarget         string
	lo, hi             int64 // byte range to move; hi < 0 means "to the end"
	fail               *sessionError
	grow               *growSpec // a growing file (file adapter), nil for others
	mine               bool      // false when -C gives this file to another session
	argBase            string    // parent of the source argument, for --move-after-transfer
}

// srcArg is one source argument: a positional, a list line, or a START.
type srcArg struct {
	raw      string
	dst      string // explicit destination (pair list, START); "" = derived
	hasDst   bool
	lo, hi   int64
	shown    string
	entries  []*entry
	fail     *sessionError
	grow     *growSpec // set for a file:///PATH?grow=N command-line source
	srcLocal string
	topDst   string // where the argument itself lands
}

// placement says how a source's top level maps onto the destination.
type placement int

const (
	placeInto   placement = iota // destination is a directory: keep the name
	placeRename                  // destination is the new name
)

// planDestination applies ascp's destination rule for the command-line
// sources: an existing directory receives them; a missing one is created
// with -d (implied for file lists); a single source may take a new name;
// anything else is "target is not a directory".
func (s *faspSession) planDestination(nsources int, lists bool) (string, placement, error) {
	raw := "."
	if s.tgt.hasDest {
		raw = s.tgt.dest
	}
	local, shown, err := s.dst.resolve(raw)
	if err != nil {
		return "", 0, sessionErr(codeOutsideDocroot, "%v: %s", err, raw)
	}
	fi, statErr := os.Stat(local)
	switch {
	case statErr == nil && fi.IsDir():
		return local, placeInto, nil
	case statErr == nil:
		if nsources == 1 && !s.cfg.hasSrcBase && !lists {
			return local, placeRename, nil
		}
		return "", 0, sessionErr(codeNotDirectory, "Target is not a directory: %s", shown)
	case s.cfg.createDir || lists:
		if err := s.mkdirAll(local); err != nil {
			return "", 0, err
		}
		return local, placeInto, nil
	case nsources == 1 && !s.cfg.hasSrcBase:
		if pfi, err := os.Stat(filepath.Dir(local)); err != nil || !pfi.IsDir() {
			return "", 0, sessionErr(codeNoSuchFile, "No such file or directory: %s", path.Dir(shown))
		}
		return local, placeRename, nil
	default:
		return "", 0, sessionErr(codeNotDirectory, "Target is not a directory: %s", shown)
	}
}

// mkdirAll creates a destination directory, refusing to follow a link out
// of the docroot on the way.
func (s *faspSession) mkdirAll(local string) error {
	if err := s.dst.check(local); err != nil {
		return sessionErr(codeOutsideDocroot, "%v: %s", err, s.dst.show(local))
	}
	if err := os.MkdirAll(local, 0o755); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && errors.Is(pe.Err, fs.ErrExist) {
			return sessionErr(codeNotDirectory, "Target is not a directory: %s", s.dst.show(local))
		}
		return sessionErr(codeDiskWrite, "Cannot create directory %s: %v", s.dst.show(local), err)
	}
	if err := s.dst.check(local); err != nil {
		return sessionErr(codeOutsideDocroot, "%v: %s", err, s.dst.show(local))
	}
	return nil
}

// withPrefix applies --source-prefix to a source path.
func (s *faspSession) withPrefix(p string) string {
	if s.cfg.sourcePrefix == "" {
		return p
	}
	return strings.TrimSuffix(s.cfg.sourcePrefix, "/") + "/" + strings.TrimPrefix(p, "/")
}

// scanArg resolves one source argument and walks it into entries.
func (s *faspSession) scanArg(a *srcArg, destDir string, place placement) {
	a.shown = a.raw
	if a.fail = s.flt.atSource(a.raw); a.fail != nil {
		return
	}
	srcLocal, srcShown, err := s.src.resolve(s.withPrefix(a.raw))
	if err != nil {
		a.fail = &sessionError{code: codeOutsideDocroot, desc: "Path outside docroot", file: a.raw}
		return
	}
	a.shown, a.srcLocal = srcShown, srcLocal
	if _, err := os.Lstat(srcLocal); err != nil {
		a.fail = &sessionError{code: codeNoSuchFile, desc: "No such file or directory", file: srcShown}
		return
	}

	var top string
	switch {
	case a.hasDst:
		d := a.dst
		if !path.IsAbs(d) && s.tgt.hasDest && !s.dst.remote() {
			d = filepath.Join(s.tgt.dest, d)
		} else if !path.IsAbs(d) && s.tgt.hasDest {
			d = strings.TrimSuffix(s.tgt.dest, "/") + "/" + d
		}
		local, _, err := s.dst.resolve(d)
		if err != nil {
			a.fail = &sessionError{code: codeOutsideDocroot, desc: "Path outside docroot", file: d}
			return
		}
		top = local
		if fi, err := os.Stat(local); err == nil && fi.IsDir() && !isDirLocal(srcLocal) {
			top = filepath.Join(local, filepath.Base(srcLocal))
		}
	case s.cfg.hasSrcBase:
		baseLocal, _, err := s.src.resolve(s.cfg.srcBase)
		if err != nil {
			a.fail = &sessionError{code: codeOutsideDocroot, desc: "Path outside docroot", file: s.cfg.srcBase}
			return
		}
		rel, err := filepath.Rel(baseLocal, srcLocal)
		if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			a.fail = &sessionError{code: codeGeneric, desc: "Source is not below --src-base", file: srcShown}
			return
		}
		top = filepath.Join(destDir, rel)
	case place == placeRename:
		top = destDir
	default:
		base := filepath.Base(srcLocal)
		if srcLocal == s.src.rootLocal() {
			base = "."
		}
		top = filepath.Join(destDir, base)
	}
	a.topDst = top
	visited := map[string]bool{}
	s.walk(a, srcLocal, top, true, visited)
}

func isDirLocal(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

func (sd side) rootLocal() string {
	if sd.dr != nil {
		return sd.dr.root
	}
	return ""
}

func (s *faspSession) addEntry(a *srcArg, e *entry) {
	e.srcShown = s.src.show(e.srcLocal)
	e.dstShown = s.dst.show(e.dstLocal)
	e.lo, e.hi = a.lo, a.hi
	if e.kind == kindFile {
		e.grow = a.grow
	}
	e.argBase = filepath.Dir(a.srcLocal)
	e.mine = true
	a.entries = append(a.entries, e)
}

func (s *faspSession) failEntry(a *srcArg, srcLocal string, code int, desc string) {
	e := &entry{kind: kindFile, srcLocal: srcLocal, fail: &sessionError{code: code, desc: desc}}
	s.addEntry(a, e)
	e.fail.file = e.srcShown
}

// walk turns a source tree into entries, applying the symlink policy,
// the -E/-N filters and the --exclude-*-than limits on the way down.
func (s *faspSession) walk(a *srcArg, srcLocal, dstLocal string, top bool, visited map[string]bool) {
	fi, err := os.Lstat(srcLocal)
	if err != nil {
		s.failEntry(a, srcLocal, codeNoSuchFile, "No such file or directory")
		return
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		switch s.cfg.symlinks {
		case "skip":
			return
		case "copy", "copy+force":
			target, err := os.Readlink(srcLocal)
			if err != nil {
				s.failEntry(a, srcLocal, codeDiskRead, "Cannot read symbolic link")
				return
			}
			s.addEntry(a, &entry{kind: kindLink, srcLocal: srcLocal, dstLocal: dstLocal, linkTarget: target, mtime: fi.ModTime()})
			return
		}
		if err := s.src.check(srcLocal); err != nil {
			s.failEntry(a, srcLocal, codeOutsideDocroot, "Path outside docroot")
			return
		}
		if fi, err = os.Stat(srcLocal); err != nil {
			s.failEntry(a, srcLocal, codeNoSuchFile, "No such file or directory (dangling symbolic link)")
			return
		}
	}
	if !top && s.filteredOut(a, srcLocal, fi.IsDir()) {
		return
	}
	switch {
	case fi.IsDir():
		real, _ := filepath.EvalSymlinks(srcLocal)
		if visited[real] {
			s.failEntry(a, srcLocal, codeSymlinkLoop, "Symbolic link loop")
			return
		}
		visited[real] = true
		defer delete(visited, real)
		s.addEntry(a, &entry{kind: kindDir, srcLocal: srcLocal, dstLocal: dstLocal, mtime: fi.ModTime()})
		des, err := os.ReadDir(srcLocal)
		if err != nil {
			s.failEntry(a, srcLocal, codeDiskRead, "Cannot read directory")
			return
		}
		sort.Slice(des, func(i, j int) bool { return des[i].Name() < des[j].Name() })
		for _, de := range des {
			child := filepath.Join(srcLocal, de.Name())
			if s.src.remote() && child == filepath.Join(s.src.dr.root, stateDir) {
				continue
			}
			s.walk(a, child, filepath.Join(dstLocal, de.Name()), false, visited)
		}
	case fi.Mode().IsRegular():
		if s.excludedByTime(fi.ModTime()) {
			return
		}
		s.addEntry(a, &entry{kind: kindFile, srcLocal: srcLocal, dstLocal: dstLocal, size: fi.Size(),
			mtime: fi.ModTime(), atime: accessTime(fi)})
	default:
		if s.cfg.skipSpecial {
			return
		}
		s.failEntry(a, srcLocal, codeNotRegular, "Not a regular file")
	}
}

// excludedByTime applies --exclude-newer-than / --exclude-older-than: a
// positive value is seconds since the epoch, a negative one seconds before
// now.
func (s *faspSession) excludedByTime(mtime time.Time) bool {
	limit := func(v int64) time.Time {
		if v < 0 {
			return s.start.Add(time.Duration(v) * time.Second)
		}
		return time.Unix(v, 0)
	}
	if s.cfg.excludeNewer != nil && mtime.After(limit(*s.cfg.excludeNewer)) {
		return true
	}
	if s.cfg.excludeOlder != nil && mtime.Before(limit(*s.cfg.excludeOlder)) {
		return true
	}
	return false
}

// filteredOut applies -E/-N rules in order; the first that matches
// decides. A pattern with a slash matches the path below the source
// argument ("/sub/file"), one without matches the name alone.
func (s *faspSession) filteredOut(a *srcArg, srcLocal string, isDir bool) bool {
	rel, err := filepath.Rel(a.srcLocal, srcLocal)
	if err != nil {
		return false
	}
	relPath := "/" + filepath.ToSlash(rel)
	name := filepath.Base(srcLocal)
	for _, r := range s.cfg.filters {
		p := r.pattern
		subject := name
		if strings.Contains(p, "/") {
			subject = relPath
			if isDir && strings.HasSuffix(p, "/") {
				subject += "/"
			}
		}
		if ok, _ := path.Match(p, subject); ok {
			return !r.include
		}
	}
	return false
}

// assignShares implements -C nodeid:nodecount: the files of the job, in
// order of destination path, are dealt round-robin over the sessions, so
// the sessions of one job move each file exactly once.
func (s *faspSession) assignShares(args []*srcArg) {
	if s.cfg.nodeCount <= 1 {
		return
	}
	var files []*entry
	for _, a := range args {
		for _, e := range a.entries {
			if e.kind != kindDir && e.fail == nil {
				files = append(files, e)
			}
		}
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].dstLocal < files[j].dstLocal })
	for k, e := range files {
		e.mine = k%s.cfg.nodeCount == s.cfg.nodeID-1
	}
}
