package schema

import (
	"maps"
	"strings"
)

// PathList is the paths array as ascp's list file holds it: each source
// on a line of its own, followed in a pair list by its destination. The
// check's walk of the paths makes it, so that nothing walks a million
// entries again, and its text is written to the list file as it is.
type PathList struct {
	Text    string // the lines, each ended by '\n'
	Entries int
	Pairs   bool // every entry has a destination
}

// Lines is the number of lines of the text.
func (p *PathList) Lines() int {
	if p.Pairs {
		return 2 * p.Entries
	}
	return p.Entries
}

// PathList is the spec's paths made into list lines by the check, nil
// when the spec has no valid paths array.
func (s *Spec) PathList() *PathList {
	if s.paths == nil {
		if v, ok := s.Get("paths"); ok && v.JSON.IsArray() {
			if problems, list := checkPaths(v, true); len(problems) == 0 {
				s.paths = list
			}
		}
	}
	return s.paths
}

// plainEntry reads an entry written as nearly every client writes it,
// {"source":"S"} or {"source":"S","destination":"D"}, without blanks and
// with strings that need no decoding: a million of them are read at the
// speed of a byte search. Any other entry (and any string holding a
// backslash or a control character, which is then either an escape or
// not JSON) is left to gjson, so that its meaning and its problems are
// those of every other entry.
func plainEntry(raw string) (src, dst string, ok bool) {
	rest, found := strings.CutPrefix(raw, `{"source":"`)
	if !found {
		return "", "", false
	}
	if src, rest, ok = plainString(rest); !ok {
		return "", "", false
	}
	if rest == "}" {
		return src, "", true
	}
	if rest, found = strings.CutPrefix(rest, `,"destination":"`); !found {
		return "", "", false
	}
	if dst, rest, ok = plainString(rest); !ok || rest != "}" {
		return "", "", false
	}
	return src, dst, true
}

// plainString reads a non-empty string up to its closing quote, when it
// holds nothing to decode.
func plainString(s string) (str, rest string, ok bool) {
	q := strings.IndexByte(s, '"')
	if q <= 0 {
		return "", "", false
	}
	for i := 0; i < q; i++ {
		if c := s[i]; c < 0x20 || c == '\\' {
			return "", "", false
		}
	}
	return s[:q], s[q+1:], true
}

// own is v holding none of the input it was read from, so that the input
// can be freed: a value is a few bytes, and a substring of the input would
// keep all of it. The paths stay where they are, as the list file's text
// is made from them: WithoutPaths lets them go once it is written.
func (v Value) own(paths bool) Value {
	if paths {
		return v
	}
	v.Text = strings.Clone(v.Text)
	raw := strings.Clone(v.JSON.Raw)
	if v.JSON.Str == v.JSON.Raw {
		v.JSON.Str = raw
	} else {
		v.JSON.Str = strings.Clone(v.JSON.Str)
	}
	v.JSON.Raw = raw
	return v
}

// WithoutPaths is a copy of in whose spec no longer holds the paths
// array's JSON nor its list lines, the spec's only hold on its input
// once they are in the list file: the paths value keeps its pointer
// only. in itself is left as it is.
func (in *Input) WithoutPaths() *Input {
	out := *in
	if in.Spec == nil || in.Spec.paths == nil && !in.Spec.Has("paths") {
		return &out
	}
	spec := *in.Spec
	spec.values = maps.Clone(in.Spec.values)
	spec.paths = nil
	if v, ok := spec.values["paths"]; ok {
		spec.values["paths"] = Value{Pointer: v.Pointer}
	}
	out.Spec = &spec
	return &out
}
