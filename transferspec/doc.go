// Package transferspec builds transfer specs in Go. Spec is generated
// from the field table (schema.Fields), so every field the validator
// knows is here with its documentation, and nothing else; json.Marshal of
// a Spec is the JSON that asession and session.Transfer accept.
package transferspec

// Path is one entry of paths: a source and, optionally, where it goes.
type Path struct {
	Source      string `json:"source"`
	Destination string `json:"destination,omitempty"`
}

// Int returns a pointer to n, for the integer fields of Spec.
func Int(n int64) *int64 { return &n }

// Bool returns a pointer to b, for the boolean fields of Spec.
func Bool(b bool) *bool { return &b }
