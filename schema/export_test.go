package schema

// ParseFaspURL lets the fuzz tests, in package schema_test, reach the
// Faspex link parser, which is not part of the API: a library user gives
// a link to ParseInput.
func ParseFaspURL(link string) (map[string]string, error) {
	members, _, err := parseFaspURL(link)
	return members, err
}
