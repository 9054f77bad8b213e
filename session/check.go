package session

import (
	"fmt"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

// CheckInput parses and validates a job description. With strict, unknown
// fields are problems too; otherwise the caller may warn about in.Unknown.
func CheckInput(data []byte, strict bool) (*schema.Input, *events.Error) {
	in, problems := schema.ParseInput(data)
	if strict {
		for _, ptr := range in.Unknown {
			problems = append(problems, schema.Problem{Pointer: ptr, Expected: "a known field (--strict)", Found: "an unknown field"})
		}
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
