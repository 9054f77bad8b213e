package framejson

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faspkit/asession/ascp/mgmt"
)

var update = flag.Bool("update", false, "rewrite the generated parts from the current table")

// The events schema's raw line and the README's list of management
// fields are made from mgmt.KnownFields (make generate): they must be what
// the table makes now, and the schema must stay JSON.
func TestFieldTableOutputsAreCurrent(t *testing.T) {
	for _, g := range []struct {
		file, begin, end, want string
	}{
		{"../../schema/events.schema.json", rawSchemaBegin, rawSchemaEnd, rawSchemaDef()},
		{"../../README.md", readmeFieldsBegin, readmeFieldsEnd, readmeFieldList()},
	} {
		data, err := os.ReadFile(g.file)
		if err != nil {
			t.Fatal(err)
		}
		begin := strings.Index(string(data), g.begin)
		end := -1
		if begin >= 0 {
			end = strings.Index(string(data[begin:]), g.end)
		}
		if begin < 0 || end < 0 {
			t.Fatalf("%s lacks the generated part's bounds %q ... %q", g.file, g.begin, g.end)
		}
		end += begin + len(g.end)
		current := string(data[begin:end])
		if *update {
			data = append(append(append([]byte{}, data[:begin]...), g.want...), data[end:]...)
			if err := os.WriteFile(g.file, data, 0o644); err != nil {
				t.Fatal(err)
			}
			current = g.want
		}
		if diff := cmp.Diff(current, g.want); diff != "" {
			t.Errorf("%s is stale; run make generate (-committed +table):\n%s", g.file, diff)
		}
		if strings.HasSuffix(g.file, ".json") && !json.Valid(data) {
			t.Errorf("%s is not JSON", g.file)
		}
	}
}

// The bounds of the generated parts: the raw line's definition in the
// events schema, and the list in the README.
const (
	rawSchemaBegin    = "    \"raw\": {\n"
	rawSchemaEnd      = "\n    },\n"
	readmeFieldsBegin = "<!-- mgmt-fields:begin (generated from mgmt.KnownFields by `make generate`) -->\n"
	readmeFieldsEnd   = "<!-- mgmt-fields:end -->"
)

// rawSchemaDef is the events schema's definition of a raw line: a
// property for every field of the table, typed as the table types it.
func rawSchemaDef() string {
	var b strings.Builder
	b.WriteString(rawSchemaBegin)
	b.WriteString(`      "description": "one management message of ascp: its Type (with --timestamps, a time member first), then its fields in snake_case; the fields typed as integers or Yes/No booleans (README, Output) are numbers or booleans, each a string when ascp sends a value of another form; all other fields, known or not, are strings",` + "\n")
	b.WriteString(`      "type": "object",` + "\n")
	b.WriteString(`      "required": ["type"],` + "\n")
	b.WriteString(`      "properties": {` + "\n")
	b.WriteString(`        "type": {"type": "string", "pattern": "^[A-Z]+$"},` + "\n")
	b.WriteString(`        "job": {"$ref": "#/$defs/job"},` + "\n")
	b.WriteString(`        "attempt": {"$ref": "#/$defs/attempt"},` + "\n")
	b.WriteString(`        "session": {"type": "integer", "minimum": 1, "description": "session index of a multi-session job"}`)
	for i := range mgmt.KnownFields {
		f := &mgmt.KnownFields[i]
		if reservedKeys[SnakeCase(f.Name)] {
			continue
		}
		typ := `"string"`
		switch f.Kind {
		case mgmt.Integer:
			typ = `["integer", "string"]`
		case mgmt.YesNo:
			typ = `["boolean", "string"]`
		}
		desc, _ := json.Marshal(fieldDoc(f))
		fmt.Fprintf(&b, ",\n        %q: {\"type\": %s, \"description\": %s}", SnakeCase(f.Name), typ, desc)
	}
	b.WriteString("\n      },\n")
	b.WriteString(`      "additionalProperties": {"type": ["string", "integer", "boolean"]}`)
	b.WriteString(rawSchemaEnd)
	return b.String()
}

// fieldDoc says in words what the table knows of a field.
func fieldDoc(f *mgmt.KnownField) string {
	doc := "ascp's " + f.Name
	switch {
	case f.Kind != mgmt.Text && f.KindBy == mgmt.Ours:
		doc += "; " + f.Kind.String() + " by asession's choice (IBM's client leaves it a string)"
	case f.Kind != mgmt.Text && f.KindBy == mgmt.IBMNewest:
		doc += "; " + f.Kind.String() + " as IBM's newest parser types it (its released client leaves it a string)"
	case f.Kind != mgmt.Text:
		doc += "; " + f.Kind.String() + " as IBM types it"
	}
	if f.Escaped {
		doc += "; its escapes decoded, as IBM's newest parser does"
	}
	if f.Messages != "" {
		doc += "; in " + strings.Join(strings.Fields(f.Messages), ", ")
	}
	return doc
}

// readmeFieldList is the README's table of the management fields.
func readmeFieldList() string {
	var b strings.Builder
	b.WriteString(readmeFieldsBegin)
	b.WriteString("| JSON key | ascp field | JSON type | typed by | escapes decoded | known to be in |\n|---|---|---|---|---|---|\n")
	for i := range mgmt.KnownFields {
		f := &mgmt.KnownFields[i]
		typedBy, escaped := "", ""
		if f.Kind != mgmt.Text {
			typedBy = f.KindBy.String()
		}
		if f.Escaped {
			escaped = "yes"
		}
		name := "`" + f.Name + "`"
		if f.Listed != mgmt.IBM {
			name += " (" + f.Listed.String() + ")"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", SnakeCase(f.Name), name, f.Kind, typedBy, escaped,
			strings.Join(strings.Fields(f.Messages), " "))
	}
	b.WriteString(readmeFieldsEnd)
	return b.String()
}
