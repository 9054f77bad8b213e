package events

import (
	"encoding/json"
	"os"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The published events schema lists the error origins (its "source"
// enum) by hand: it must stay the set the code can emit.
func TestSchemaNamesEveryOrigin(t *testing.T) {
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
	for _, s := range origins {
		code = append(code, string(s))
	}
	schema := doc.Defs.Source.Enum
	sort.Strings(code)
	sort.Strings(schema)
	if diff := cmp.Diff(code, schema); diff != "" {
		t.Errorf("events.schema.json source enum differs from the Origins of events (-code +schema):\n%s", diff)
	}
}
