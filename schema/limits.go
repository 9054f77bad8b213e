package schema

import (
	"fmt"
	"strings"
	"unsafe"
)

// Limits on what a job description may ask for, checked before anything
// starts. They are far above any real transfer and far below what would
// exhaust memory, the stack or the kernel's argument space.
const (
	// maxSessions bounds multi_session: one ascp process, goroutine set and
	// progress slot per session.
	maxSessions = 128
	// MaxRateKbps bounds target_rate_kbps, min_rate_kbps and the rates of
	// RATE commands: 100 Gbit/s.
	MaxRateKbps = 100_000_000
	// maxDepth bounds the nesting of arrays and objects in any JSON that
	// asession parses (the description, command lines).
	maxDepth = 64
	// maxValueBytes bounds a string that reaches ascp's argv or
	// environment: Linux refuses a single argument over 128 KiB.
	maxValueBytes = 64 << 10
	// DefaultMaxInputBytes bounds what is held of the job description
	// unless raised (--max-input): all of it but the entries of its paths
	// array, which are written to the list file as they are read, and any
	// one of those entries.
	DefaultMaxInputBytes = 256 << 20
	// MaxPathProblems bounds the problems listed for one paths array; the
	// rest are counted: an array of ten million bad entries must not make
	// an error line of a gigabyte.
	MaxPathProblems = 1000
)

// CheckDepth reports JSON text nested deeper than maxDepth, without
// recursion: parsers that recurse per level would exhaust the stack first.
// It scans brackets outside strings and does not otherwise validate.
func CheckDepth(data []byte) *Problem {
	text := unsafe.String(unsafe.SliceData(data), len(data)) // read only, here
	depth := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '"':
			i = stringEnd(text, i+1)
		case '[', '{':
			if depth++; depth > maxDepth {
				return &Problem{Pointer: "/", Expected: fmt.Sprintf("JSON nested at most %d levels deep", maxDepth), Found: "deeper nesting"}
			}
		case ']', '}':
			depth--
		}
	}
	return nil
}

// stringEnd is where the quote that ends a string begun before i is, or
// len(s): most of a spec is string bytes, skipped at memchr speed.
func stringEnd(s string, i int) int {
	for i < len(s) {
		q := strings.IndexByte(s[i:], '"')
		if q < 0 {
			break
		}
		b := strings.IndexByte(s[i:i+q], '\\')
		if b < 0 {
			return i + q
		}
		i += b + 2 // the backslash and the byte it escapes
	}
	return len(s)
}

// rawArgProblem says what is wrong with a raw ascp argument
// (agent.ascp_args), "" when nothing: the same as for any value that
// reaches argv.
func rawArgProblem(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "a value without NUL bytes"
	}
	if len(s) > maxValueBytes {
		return fmt.Sprintf("a value of at most %d bytes", maxValueBytes)
	}
	return ""
}
