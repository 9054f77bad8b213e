package events

import "github.com/faspkit/asession/schema"

// Origin says where an error arose, so that a script can tell a bad spec
// from a failed transfer without parsing text. In JSON it is the member
// "source" of error lines and of the summary's error: a published name,
// kept, although everywhere else a source is a path of the transfer.
type Origin string

const (
	FromInput     Origin = "input"           // the spec or the command line
	FromLocate    Origin = "ascp_not_found"  // no usable ascp
	FromStart     Origin = "ascp_start"      // ascp could not be started
	FromConnect   Origin = "management_port" // ascp never connected, or the port failed
	FromPrompt    Origin = "auth_prompt"     // ascp asked for a secret on its terminal
	FromAscpError Origin = "ascp_error"      // an ERROR frame
	FromAscpExit  Origin = "ascp_exit"       // ascp's exit without a final frame, or a bad status
	FromStream    Origin = "management_stream"
	FromOutput    Origin = "output" // stdout could not be written
	FromCancel    Origin = "cancel"
	FromSetup     Origin = "setup"   // temp files and the like
	FromStall     Origin = "stall"   // no management message for too long
	FromCommand   Origin = "command" // a malformed line on the command channel
	FromVerify    Origin = "verify"  // --verify: a file's checksum differs from ascp's
	// FromChecksums: a file differs from --checksums, a listed file was not
	// delivered, or a file could not be read for them or for --manifest.
	FromChecksums Origin = "checksums"
)

// origins lists every Origin; schema/events.schema.json must name the same.
var origins = []Origin{FromInput, FromLocate, FromStart, FromConnect, FromPrompt, FromAscpError,
	FromAscpExit, FromStream, FromOutput, FromCancel, FromSetup, FromStall, FromCommand, FromVerify, FromChecksums}

// Error is the line of type "error". Code is ascp's error code when the
// error has one (reference §3), so that retry logic can key on it.
type Error struct {
	Type        string           `json:"type"`
	Origin      Origin           `json:"source"`
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
func NewError(origin Origin, code int, description string) *Error {
	e := &Error{Type: "error", Origin: origin, Code: code, Description: description}
	if code != 0 || origin == FromAscpError {
		e.Hint = hintFor(code, description)
	}
	return e
}

func (e *Error) Error() string { return string(e.Origin) + ": " + e.Description }

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
