package schema

// Handled is the one row with handling h; the argument builder finds its
// special fields this way. It panics when the table has no such row or
// several, which every test of a package that asks at init then shows.
func Handled(h Handling) *Field {
	return one(func(f *Field) bool { return f.Handling == h }, "handling "+string(h))
}

// Playing is the one row with role r (see Handled).
func Playing(r Role) *Field {
	return one(func(f *Field) bool { return f.Role == r }, "role "+string(r))
}

// AllPlaying are the rows with role r, in table order.
func AllPlaying(r Role) []*Field {
	var rows []*Field
	for i := range Fields {
		if Fields[i].Role == r {
			rows = append(rows, &Fields[i])
		}
	}
	return rows
}

func one(match func(*Field) bool, what string) *Field {
	var found *Field
	for i := range Fields {
		if match(&Fields[i]) {
			if found != nil {
				panic("schema: two fields with " + what + ": " + found.Name + ", " + Fields[i].Name)
			}
			found = &Fields[i]
		}
	}
	if found == nil {
		panic("schema: no field with " + what)
	}
	return found
}

// requirement is a field a spec must give. Validation reads it as it is;
// the JSON Schema, which cannot expand a link, also accepts any of Or (the
// fields that expand into this one) instead.
type requirement struct {
	Field    string
	Expected string   // what the problem says was expected
	Or       []string // fields that supply it once expanded
	// UnlessTrue is a Boolean field whose true value lifts the rule.
	UnlessTrue string
}

// requirements are the spec's required fields, in the order their problems
// are reported.
var requirements = []requirement{
	{Field: "remote_host", Expected: "the transfer server's host name", Or: []string{"fasp_url"}},
	{Field: "paths", Expected: `an array of {"source": ...} (required unless keepalive is true or agent.ascp_args gives a --file-list)`, Or: []string{"fasp_url"}, UnlessTrue: "keepalive"},
	{Field: "direction", Expected: `"send" or "receive"`},
}

// requiredSchema is requirements as JSON Schema: the fields required
// outright, and one anyOf per rule with alternatives.
func requiredSchema() (required []string, allOf []any) {
	for _, r := range requirements {
		if len(r.Or) == 0 && r.UnlessTrue == "" {
			required = append(required, r.Field)
			continue
		}
		anyOf := []any{map[string]any{"required": []string{r.Field}}}
		for _, alt := range r.Or {
			anyOf = append(anyOf, map[string]any{"required": []string{alt}})
		}
		if r.UnlessTrue != "" {
			anyOf = append(anyOf, map[string]any{
				"properties": map[string]any{r.UnlessTrue: map[string]any{"const": true}},
				"required":   []string{r.UnlessTrue},
			})
		}
		allOf = append(allOf, map[string]any{"anyOf": anyOf})
	}
	return required, allOf
}
