package events

// Typed reports whether a management field's value is written as a JSON
// number or boolean rather than text: an integer counter (Size, Bytescont,
// Code...) holding an integer, or a Yes/No flag. Such a value is data, never
// an echo of text, so secret redaction leaves it alone: a password "200000"
// must not turn a file's size into "***".
//
// It runs only on a value that holds a secret, which is rare: the name's
// conversion to a string is no cost to the relay.
func Typed(name, value []byte) bool {
	switch kindOf(string(name)) {
	case kindInteger:
		_, ok := integerDigits(value)
		return ok
	case kindYesNo:
		return string(value) == "Yes" || string(value) == "No"
	}
	return false
}

// nameFields hold paths: the user's own data, which redaction must not
// alter. Only a value that is a whole secret is hidden there.
var nameFields = []string{"File", "Source", "Destination", "ManifestFile"}

// IsName reports whether a management field holds a file or folder name.
func IsName(name []byte) bool {
	for _, f := range nameFields {
		if f == string(name) {
			return true
		}
	}
	return false
}
