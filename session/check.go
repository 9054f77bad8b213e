package session

import (
	"fmt"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

// CheckOptions tune input checking.
type CheckOptions struct {
	Strict   bool   // unknown fields are problems, not warnings
	FaspURL  string // a fasp:// link merged under the spec (--url)
	MaxBytes int64  // largest description accepted (0: schema.DefaultMaxInputBytes)
	Verify   bool   // --verify, as agent.verify: the spec must allow it
	// HashesFiles: --checksums or --manifest will read the local copies,
	// which the spec must leave in place.
	HashesFiles bool
	// AllowInputOverrides is Options.AllowInputOverrides: without it,
	// an input that chooses the program's folder, asession's folders or
	// raw ascp arguments is refused (trust.go).
	AllowInputOverrides bool
}

// CheckInput parses and validates a job description. Unless strict, the
// caller may warn about in.Unknown. data is read in place, not copied
// (schema.ParseInput): it must not change while in is in use.
func CheckInput(data []byte, opts CheckOptions) (*schema.Input, *events.Error) {
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = schema.DefaultMaxInputBytes
	}
	if int64(len(data)) > limit {
		return &schema.Input{Envelope: schema.Bare, Spec: &schema.Spec{}}, InputError(UnreadableInput(tooLarge(limit)))
	}
	in, problems := schema.ParseInput(data, opts.FaspURL)
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
		return in, InputError(problems)
	}
	return in, nil
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
