package framejson

import "github.com/faspkit/asession/ascp/mgmt"

// Typed reports whether a management field's value is written as a JSON
// number or boolean rather than text: an integer counter (Size, Bytescont,
// Code...) holding an integer, or a Yes/No flag. Such a value is data, never
// an echo of text, so secret redaction leaves it alone: a password "200000"
// must not turn a file's size into "***".
func Typed(name, value []byte) bool {
	f := mgmt.Known(name)
	if f == nil {
		return false
	}
	switch f.Kind {
	case mgmt.Integer:
		_, ok := integerDigits(value)
		return ok
	case mgmt.YesNo:
		return string(value) == "Yes" || string(value) == "No"
	}
	return false
}

// IsName reports whether a management field holds a file name of the
// transfer (mgmt.KnownField.Path): the user's own data, which redaction
// must not alter. Only a value that is a whole secret is hidden there.
func IsName(name []byte) bool {
	f := mgmt.Known(name)
	return f != nil && f.Path
}
