package events

import "github.com/faspkit/asession/schema"

// Source says where an error line's information comes from, so that a
// script can tell a bad spec from a failed transfer without parsing text.
type Source string

const (
	FromInput     Source = "input"           // the spec or the command line
	FromLocate    Source = "ascp_not_found"  // no usable ascp
	FromStart     Source = "ascp_start"      // ascp could not be started
	FromConnect   Source = "management_port" // ascp never connected, or the port failed
	FromPrompt    Source = "auth_prompt"     // ascp asked for a secret on its terminal
	FromAscpError Source = "ascp_error"      // an ERROR frame
	FromAscpExit  Source = "ascp_exit"       // ascp's exit without a final frame, or a bad status
	FromStream    Source = "management_stream"
	FromOutput    Source = "output" // stdout could not be written
	FromCancel    Source = "cancel"
	FromSetup     Source = "setup"   // temp files and the like
	FromStall     Source = "stall"   // no management message for too long
	FromCommand   Source = "command" // a malformed line on the command channel
	FromVerify    Source = "verify"  // --verify: a file's checksum differs from ascp's
	// FromChecksums: a file differs from --checksums, a listed file was not
	// delivered, or a file could not be read for them or for --manifest.
	FromChecksums Source = "checksums"
)

// Sources lists every Source; schema/events.schema.json must name the same.
var Sources = []Source{FromInput, FromLocate, FromStart, FromConnect, FromPrompt, FromAscpError,
	FromAscpExit, FromStream, FromOutput, FromCancel, FromSetup, FromStall, FromCommand, FromVerify, FromChecksums}

// Error is the line of type "error". Code is ascp's error code when the
// error has one (reference §3), so that retry logic can key on it.
type Error struct {
	Type        string           `json:"type"`
	Source      Source           `json:"source"`
	Code        int              `json:"code,omitempty"`
	Description string           `json:"description"`
	Problems    []schema.Problem `json:"problems,omitempty"`
	Searched    []string         `json:"searched,omitempty"`
	ExitStatus  *int             `json:"exit_status,omitempty"`
	Terminal    []string         `json:"terminal,omitempty"`
	Session     int              `json:"session,omitempty"`
	// Hint is what the user can do about the error (ascp's error table).
	Hint string `json:"hint,omitempty"`
	// File names the file a checksum line is about; Algorithm, Expected
	// and Actual say how it differs.
	File      string `json:"file,omitempty"`
	Algorithm string `json:"algorithm,omitempty"`
	Expected  string `json:"expected,omitempty"`
	Actual    string `json:"actual,omitempty"`

	// cause is what made the error, such as the context's error after a
	// deadline; a Go program reaches it with errors.Is and errors.As.
	cause error
}

// NewError returns an error line, with the hint ascp's error table has
// for its code.
func NewError(source Source, code int, description string) *Error {
	e := &Error{Type: "error", Source: source, Code: code, Description: description}
	if code != 0 || source == FromAscpError {
		e.Hint = Hint(code, description)
	}
	return e
}

func (e *Error) Error() string { return string(e.Source) + ": " + e.Description }

// WithCause records cause as what made e and returns e.
func (e *Error) WithCause(cause error) *Error {
	e.cause = cause
	return e
}

// Unwrap gives errors.Is and errors.As the cause and, for input errors,
// the problems as a schema.Problems, so that a program can key on
// context.DeadlineExceeded or list what was wrong without parsing text.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	if len(e.Problems) > 0 {
		errs = append(errs, schema.Problems(e.Problems))
	}
	return errs
}
