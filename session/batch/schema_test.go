package batch

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/session"
)

// The events schema describes the batch summary member for member, and
// its exit codes are the exit-code table's batch codes that come with a
// summary (all but usage: a refused batch writes none).
func TestSchemaDescribesTheBatchSummary(t *testing.T) {
	data, err := os.ReadFile("../../schema/events.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Defs map[string]struct {
			Required   []string                   `json:"required"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	def := doc.Defs["batch_summary"]
	var members, required []string
	typ := reflect.TypeFor[events.BatchSummary]()
	for i := range typ.NumField() {
		name, opts, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		members = append(members, name)
		if opts != "omitempty" {
			required = append(required, name)
		}
	}
	members = append(members, "time") // --timestamps
	var props []string
	for name := range def.Properties {
		props = append(props, name)
	}
	slices.Sort(members)
	slices.Sort(props)
	slices.Sort(required)
	slices.Sort(def.Required)
	if !slices.Equal(members, props) || !slices.Equal(required, def.Required) {
		t.Errorf("events.BatchSummary has members %v (required %v), the schema %v (required %v)", members, required, props, def.Required)
	}
	var exit struct {
		Enum []int `json:"enum"`
	}
	if err := json.Unmarshal(def.Properties["exit_code"], &exit); err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, c := range session.ExitCodes {
		if c.Batch != "" && c.Code != session.ExitUsage {
			want = append(want, c.Code)
		}
	}
	slices.Sort(exit.Enum)
	if !slices.Equal(exit.Enum, want) {
		t.Errorf("batch_summary exit codes in the schema %v, the table's %v", exit.Enum, want)
	}
	// Every line type a job writes can carry the tag.
	for _, typ := range []string{"raw", "progress", "error", "summary"} {
		if doc.Defs[typ].Properties["job"] == nil || doc.Defs[typ].Properties["attempt"] == nil {
			t.Errorf("the schema's %s lines have no job or attempt member", typ)
		}
	}
}
