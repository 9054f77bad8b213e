package events

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The published events schema lists the error sources by hand: it must
// stay the set the code can emit.
func TestSchemaNamesEverySource(t *testing.T) {
	data, err := os.ReadFile("../schema/events.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Defs struct {
			Source struct {
				Enum []string `json:"enum"`
			} `json:"source"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var code []string
	for _, s := range Sources {
		code = append(code, string(s))
	}
	schema := doc.Defs.Source.Enum
	sort.Strings(code)
	sort.Strings(schema)
	if diff := cmp.Diff(code, schema); diff != "" {
		t.Errorf("events.schema.json source enum differs from events.Sources (-code +schema):\n%s", diff)
	}
}

// The events schema lists every typed management field: it must name the
// same fields with the same types as the encoder's tables.
func TestSchemaTypesTheSameFields(t *testing.T) {
	data, err := os.ReadFile("../schema/events.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Defs struct {
			Raw struct {
				Properties map[string]struct {
					Type any `json:"type"`
				} `json:"properties"`
			} `json:"raw"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	code := map[string]string{}
	for _, list := range [][]string{IBMIntegerFields, ExtraIntegerFields} {
		for _, name := range list {
			code[SnakeCase(name)] = "integer"
		}
	}
	for _, name := range YesNoFields {
		code[SnakeCase(name)] = "boolean"
	}
	schema := map[string]string{}
	for key, p := range doc.Defs.Raw.Properties {
		if types, ok := p.Type.([]any); ok && len(types) == 2 && types[1] == "string" {
			schema[key] = types[0].(string)
		}
	}
	if diff := cmp.Diff(code, schema); diff != "" {
		t.Errorf("typed fields differ between events' tables and events.schema.json (-code +schema):\n%s", diff)
	}
}

// The README names the fields asession types beyond IBM's client.
func TestReadmeNamesExtraTypedFields(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range ExtraIntegerFields {
		if !strings.Contains(string(data), "`"+SnakeCase(name)+"`") {
			t.Errorf("README.md does not name %s, which asession types and IBM's client does not", SnakeCase(name))
		}
	}
}
