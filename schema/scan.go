package schema

import (
	"bytes"
	"fmt"
)

// valueScanner finds where one JSON value ends, chunk by chunk, without
// decoding it: strings are skipped with their escapes and brackets are
// matched. A bracket that closes the wrong one, or nesting past maxDepth,
// is an error at once, so that a broken spec never waits on input that
// may not come. Everything else is left to the parser that reads the
// value.
type valueScanner struct {
	started  bool   // the value's first byte has been seen
	scalar   bool   // the value is a number or a literal: it ends at a delimiter
	inString bool   // inside a string
	escaped  bool   // after a backslash in a string
	open     []byte // the closing brackets owed, innermost last
	depth    int    // the nesting around the value
}

// errTooDeep is nesting past maxDepth.
var errTooDeep = fmt.Errorf("nested deeper than %d levels", maxDepth)

// scan consumes buf, which starts at the value or inside it, and reports
// how many of its bytes belong to the value and whether it ended there.
func (s *valueScanner) scan(buf []byte) (n int, done bool, err error) {
	for i := 0; i < len(buf); i++ {
		c := buf[i]
		switch {
		case !s.started:
			switch c {
			case '{':
				s.open = append(s.open, '}')
			case '[':
				s.open = append(s.open, ']')
			case '"':
				s.inString = true
			case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 't', 'f', 'n':
				s.scalar = true
			default:
				return i, false, fmt.Errorf("invalid character %q looking for beginning of value", c)
			}
			s.started = true
			if s.depth+len(s.open) > maxDepth {
				return i, false, errTooDeep
			}
		case s.scalar:
			switch c {
			case ' ', '\t', '\n', '\r', ',', ']', '}', '[', '{', '"':
				return i, true, nil
			}
		case s.inString:
			// Most of a spec is string bytes: skip to the next quote or
			// backslash at memchr speed.
			if !s.escaped {
				rest := buf[i:]
				q := bytes.IndexByte(rest, '"')
				if q < 0 {
					q = len(rest)
				}
				if b := bytes.IndexByte(rest[:q], '\\'); b >= 0 {
					q = b
				}
				if i += q; i == len(buf) {
					return len(buf), false, nil
				}
				c = buf[i]
			}
			switch {
			case s.escaped:
				s.escaped = false
			case c == '\\':
				s.escaped = true
			case c == '"':
				s.inString = false
				if len(s.open) == 0 {
					return i + 1, true, nil
				}
			}
		default:
			// Between strings only quotes and brackets matter: skip the
			// rest (blanks of a pretty-printed spec, numbers, colons)
			// without the switch above for each byte.
			for !structural[c] {
				if i++; i == len(buf) {
					return len(buf), false, nil
				}
				c = buf[i]
			}
			switch c {
			case '"':
				s.inString = true
			case '{':
				s.open = append(s.open, '}')
			case '[':
				s.open = append(s.open, ']')
			case '}', ']':
				if last := len(s.open) - 1; s.open[last] != c {
					return i, false, fmt.Errorf("invalid character %q: %q expected", c, s.open[last])
				}
				s.open = s.open[:len(s.open)-1]
				if len(s.open) == 0 {
					return i + 1, true, nil
				}
			}
			if s.depth+len(s.open) > maxDepth {
				return i, false, errTooDeep
			}
		}
	}
	return len(buf), false, nil
}

// structural marks the bytes valueScanner looks at between strings.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}
