package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/faspkit/asession/internal/jsonschema"
)

// The generated JSON Schema must agree with the Go validation: every good_
// spec passes it, and the fail_ specs whose problems a schema can express
// are refused by it.
func TestTransferSpecSchemaAgreesWithValidation(t *testing.T) {
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	specs, _ := filepath.Glob("../testdata/specs/*.json")
	checked := 0
	for _, path := range specs {
		name := filepath.Base(path)
		if strings.HasSuffix(name, ".golden.json") {
			continue
		}
		raw, _ := os.ReadFile(path)
		root := gjson.ParseBytes(raw)
		spec := specOf(root)
		if !spec.IsObject() {
			continue
		}
		specText := spec.Raw
		if in, _ := ParseInput(raw, ""); in != nil && in.Agent.fileListArg() >= 0 && !spec.Get("paths").Exists() {
			// The agent's file list stands for paths, which the spec's
			// schema, seeing no agent, requires: it must accept the spec
			// with paths.
			specText = withPaths(specText)
		}
		errs := s.Validate([]byte(specText))
		switch {
		case strings.HasPrefix(name, "good_") && len(errs) > 0:
			t.Errorf("%s: schema refuses a good spec: %v", name, errs)
		case schemaCanRefuse[name] && len(errs) == 0:
			t.Errorf("%s: schema accepts a spec the validator refuses", name)
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d specs checked", checked)
	}
}

// specOf unwraps the envelopes.
func specOf(root gjson.Result) gjson.Result {
	if s := root.Get("spec"); s.Exists() {
		return s
	}
	if s := root.Get("transfer_specs.0.transfer_spec"); s.Exists() {
		return s
	}
	return root
}

var schemaCanRefuse = map[string]bool{
	"fail_missing_required.json":      true,
	"fail_wrong_types_and_enums.json": true,
	"fail_empty_paths.json":           true,
	"fail_paths_entries.json":         true,
}

// withPaths adds a paths member to a spec object's text.
func withPaths(spec string) string {
	i := strings.IndexByte(spec, '{')
	return spec[:i+1] + `"paths":[{"source":"/a"}],` + spec[i+1:]
}
