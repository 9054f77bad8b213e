package ascpsim

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// stateDir holds the simulator's own bookkeeping inside the docroot. It is
// invisible to transfers: a path into it is treated as outside the docroot.
const stateDir = ".ascpsim"

var errOutsideDocroot = errors.New("path outside docroot")

// splitRemote reads "[[user@]host:]path". A colon only marks a host when no
// slash comes before it, so "./a:b" and "/x:y" stay local paths; on
// Windows, as with ascp there, neither does a drive's (C:\data, C:/data,
// \\server\share), while h:path still names host h.
func splitRemote(arg string) (user, host, path string, remote bool) {
	if vol := filepath.VolumeName(arg); len(vol) > 2 || vol != "" && len(arg) > 2 && os.IsPathSeparator(arg[2]) {
		return "", "", arg, false
	}
	rest := arg
	if strings.HasPrefix(rest, "[") { // [v6addr]:path
		if end := strings.Index(rest, "]:"); end > 0 {
			return "", rest[1:end], rest[end+2:], true
		}
	}
	i := strings.IndexByte(rest, ':')
	if i <= 0 || strings.ContainsRune(rest[:i], '/') || strings.ContainsRune(rest[:i], filepath.Separator) {
		return "", "", arg, false
	}
	host, path = rest[:i], rest[i+1:]
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		user, host = host[:at], host[at+1:]
	}
	if host == "" {
		return "", "", arg, false
	}
	return user, host, path, true
}

// target is where the transfer goes: direction, peer, and the raw source
// and destination strings as the command line named them.
type target struct {
	send       bool
	host, user string
	sources    []string
	dest       string
	hasDest    bool
}

func (c *config) target() (*target, error) {
	t := &target{user: c.user}
	pos := c.positionals
	if c.mode != "" {
		t.send, t.host = c.mode == "send", c.host
		if len(pos) > 0 {
			t.sources, t.dest, t.hasDest = pos[:len(pos)-1], pos[len(pos)-1], true
		}
	} else {
		if len(pos) == 0 {
			return nil, usagef("no remote host given (use [user@]host:path or --host with --mode)")
		}
		var srcRemote, srcLocal int
		for i, p := range pos {
			u, h, path, remote := splitRemote(p)
			if i == len(pos)-1 {
				t.dest, t.hasDest = path, true
				if remote {
					t.send, t.host = true, h
					if u != "" && t.user == "" {
						t.user = u
					}
				}
				continue
			}
			t.sources = append(t.sources, path)
			if !remote {
				srcLocal++
				continue
			}
			srcRemote++
			if t.host != "" && t.host != h {
				return nil, usagef("sources on more than one host")
			}
			t.host = h
			if u != "" && t.user == "" {
				t.user = u
			}
		}
		switch {
		case t.send && srcRemote > 0:
			return nil, usagef("source and destination cannot both be remote")
		case !t.send && srcRemote == 0:
			return nil, usagef("no remote host given (use [user@]host:path or --host with --mode)")
		case !t.send && srcLocal > 0:
			return nil, usagef("cannot mix local and remote sources")
		}
	}
	if t.user == "" {
		t.user = os.Getenv("USER")
	}
	if t.user == "" {
		t.user = "root"
	}
	return t, nil
}

// docroot confines remote paths to ASCPSIM_ROOT, the way a transfer user's
// docroot confines them on a real server.
type docroot struct{ root string }

func newDocroot(dir string) (*docroot, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	if err := os.MkdirAll(filepath.Join(real, stateDir), 0o755); err != nil {
		return nil, err
	}
	return &docroot{root: real}, nil
}

func (d *docroot) stateFile(name string) string { return filepath.Join(d.root, stateDir, name) }

// contains reports whether a symlink-free absolute path is inside the
// docroot and outside the simulator's own folder.
func (d *docroot) contains(real string) bool {
	if real != d.root && !strings.HasPrefix(real, d.root+string(filepath.Separator)) {
		return false
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(real, d.root), string(filepath.Separator))
	first, _, _ := strings.Cut(rel, string(filepath.Separator))
	return first != stateDir
}

// resolve maps a remote path (absolute or relative to the docroot) to a
// local path. ".." may not climb above the docroot; a cleaned-away escape
// is still an escape, so components are walked rather than filepath.Clean'd.
func (d *docroot) resolve(p string) (local, shown string, err error) {
	var stack []string
	for _, comp := range strings.Split(p, "/") {
		switch comp {
		case "", ".":
		case "..":
			if len(stack) == 0 {
				return "", "", errOutsideDocroot
			}
			stack = stack[:len(stack)-1]
		default:
			stack = append(stack, comp)
		}
	}
	if len(stack) > 0 && stack[0] == stateDir {
		return "", "", errOutsideDocroot
	}
	rel := strings.Join(stack, "/")
	local = filepath.Join(d.root, filepath.FromSlash(rel))
	if err := d.check(local); err != nil {
		return "", "", err
	}
	return local, "/" + rel, nil
}

// check follows symlinks on the deepest existing ancestor of local and
// fails when they lead outside the docroot.
func (d *docroot) check(local string) error {
	p := local
	for {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			rest, _ := filepath.Rel(p, local)
			if !d.contains(filepath.Join(real, rest)) {
				return errOutsideDocroot
			}
			return nil
		}
		parent := filepath.Dir(p)
		if parent == p {
			return errOutsideDocroot
		}
		p = parent
	}
}

// showRemote is the docroot view of a local path known to be inside it.
func (d *docroot) showRemote(local string) string {
	rel, err := filepath.Rel(d.root, local)
	if err != nil || rel == "." {
		return "/"
	}
	return "/" + filepath.ToSlash(rel)
}

// side is one end of the transfer: the local file system, or the docroot.
type side struct{ dr *docroot }

func (s side) remote() bool { return s.dr != nil }

func (s side) resolve(p string) (local, shown string, err error) {
	if s.dr != nil {
		return s.dr.resolve(p)
	}
	abs, err := filepath.Abs(p)
	return abs, abs, err
}

func (s side) check(local string) error {
	if s.dr == nil {
		return nil
	}
	return s.dr.check(local)
}

func (s side) show(local string) string {
	if s.dr != nil {
		return s.dr.showRemote(local)
	}
	return local
}
