package ascp

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/faspkit/asession/schema"
)

// GrowPrefix starts a source that ascp's file adapter reads while it is
// still being written (reference §8).
const GrowPrefix = schema.GrowPrefix

// Growing is a parsed growing-file source.
type Growing struct {
	Path        string // local path: absolute, or relative as ./x or ../x
	Grow        int    // seconds without change that end the file
	WaitStart   string // "mtime" or "null_read"
	ConfirmStop bool
}

// growParams are the query parameters ascp's file adapter knows, with the
// values each accepts (nil: a number of seconds).
var growParams = map[string][]string{
	"grow":         nil,
	"wait_start":   {"mtime", "null_read"},
	"confirm_stop": {"true", "false"},
}

// ParseGrowing reads file:///PATH?grow=N[&wait_start=…][&confirm_stop=…].
// ok is false for a source that is not such a URL (an ordinary path); err
// says what is wrong with one that is. ascp itself takes a grow value that
// is not a number as 10 seconds; asession refuses it, so that a typing
// mistake does not silently change when the transfer ends.
func ParseGrowing(source string) (g Growing, ok bool, err error) {
	if !strings.HasPrefix(source, GrowPrefix) {
		return g, false, nil
	}
	u, perr := url.Parse(source)
	if perr != nil || u.Host != "" || u.Path == "" || u.Path == "/" || u.Fragment != "" || u.User != nil {
		return g, true, growError("file:///ABSOLUTE/PATH?grow=SECONDS")
	}
	q, perr := url.ParseQuery(u.RawQuery)
	if perr != nil {
		return g, true, growError("a query of grow=SECONDS[&wait_start=mtime|null_read][&confirm_stop=true|false]")
	}
	for name, values := range q {
		allowed, known := growParams[name]
		if !known {
			return g, true, growError("only the parameters grow, wait_start and confirm_stop (found " + strconv.Quote(name) + ")")
		}
		if len(values) != 1 {
			return g, true, growError(name + " given once")
		}
		if allowed != nil && !contains(allowed, values[0]) {
			return g, true, growError(name + " one of " + strings.Join(allowed, ", "))
		}
	}
	if !q.Has("grow") {
		return g, true, growError("a grow=SECONDS parameter")
	}
	n, nerr := strconv.Atoi(q.Get("grow"))
	if nerr != nil || n < 1 || n > 86400 {
		return g, true, growError("grow a whole number of seconds from 1 to 86400")
	}
	// IBM's own example names a file relative to the working folder as
	// file:///./growing: such a path keeps its relative form.
	path := u.Path
	if strings.HasPrefix(path, "/./") || strings.HasPrefix(path, "/../") {
		path = path[1:]
	}
	g = Growing{Path: path, Grow: n, WaitStart: "mtime", ConfirmStop: q.Get("confirm_stop") == "true"}
	if w := q.Get("wait_start"); w != "" {
		g.WaitStart = w
	}
	return g, true, nil
}

type growErr string

func (e growErr) Error() string { return string(e) }

func growError(expected string) error { return growErr(expected) }

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// checkGrowingSource reports whether source is a growing-file URL, and a
// problem at entry i of the paths array when it is a malformed one.
func checkGrowingSource(source, paths string, i int) (bool, error) {
	_, ok, err := ParseGrowing(source)
	if err != nil {
		return true, schema.Problem{Pointer: entryPointer(paths, i, "source"), Expected: "a growing-file source: " + err.Error(), Found: strconv.Quote(source)}
	}
	return ok, nil
}
