package session

import (
	"errors"
	"fmt"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

// CheckOptions tune input checking.
type CheckOptions struct {
	Strict  bool   // unknown fields are problems, not warnings
	FaspURL string // a fasp:// link merged under the spec (--url)
	// MaxBytes bounds what is held of a description: all of it but the
	// entries of its paths array, and any one entry (0:
	// schema.DefaultMaxInputBytes).
	MaxBytes int64
	Verify   bool // --verify, as agent.verify: the spec must allow it
	// HashesFiles: --checksums or --manifest will read the local copies,
	// which the spec must leave in place.
	HashesFiles bool
	// AllowInputOverrides is Options.AllowInputOverrides: without it,
	// an input that chooses the program's folder, asession's folders or
	// raw ascp arguments is refused (trust.go).
	AllowInputOverrides bool
}

// CheckInput parses and validates a job description in memory, its
// paths' list lines kept in memory too. Unless strict, the caller may
// warn about in.Unknown.
func CheckInput(data []byte, opts CheckOptions) (*schema.Input, *events.Error) {
	in, problems, err := readAll(data, opts)
	if err != nil {
		if errors.Is(err, schema.ErrTooLarge) {
			return in, InputError(UnreadableInput(err))
		}
		return in, InputError(schema.Problems{{Pointer: "/", Expected: "a JSON object", Found: "text that is not valid JSON"}})
	}
	return in, checkParsed(in, problems, opts)
}

// checkParsed adds to the problems of a parsed description those of the
// options: --strict's unknown fields, the file checks' needs, the
// session's overrides.
func checkParsed(in *schema.Input, problems schema.Problems, opts CheckOptions) *events.Error {
	if opts.Strict {
		for _, u := range in.Unknown {
			problems = append(problems, u.Problem())
		}
	}
	if opts.Verify {
		in.Agent.Verify = true
	}
	if in.Spec != nil && len(problems) == 0 {
		problems = checkFileChecks(in.Spec, in.Agent.Verify, opts.HashesFiles)
	}
	if !opts.AllowInputOverrides && len(problems) == 0 {
		problems = sessionOverrides(in)
	}
	if len(problems) > 0 {
		return InputError(problems)
	}
	return nil
}

// InputError is the error line for input problems: every one of them, each
// located by a JSON pointer.
func InputError(problems schema.Problems) *events.Error {
	desc := "invalid input: " + problems[0].Error()
	if len(problems) > 1 {
		desc = fmt.Sprintf("invalid input: %d problems, first %s", len(problems), problems[0].Error())
	}
	e := events.NewError(events.FromInput, 0, desc)
	e.Problems = problems
	return e
}

// UnreadableInput is the problem of input that could not be read at all.
func UnreadableInput(err error) schema.Problems {
	return schema.Problems{{Pointer: "/", Expected: "a JSON object", Found: err.Error()}}
}
