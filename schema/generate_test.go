package schema

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the generated files")

const (
	schemaFile  = "transferspec.schema.json"
	readmeFile  = "../README.md"
	fieldsBegin = "<!-- fields:begin (generated from schema.Fields by `make generate`) -->\n"
	fieldsEnd   = "<!-- fields:end -->"
)

// TestGeneratedFilesAreCurrent fails when the table changed and the
// committed JSON Schema or README field list did not follow.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	got := jsonSchema()
	if *update {
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s is stale; run make generate (-committed +table):\n%s", schemaFile, diff)
	}

	readme, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	begin := bytes.Index(readme, []byte(fieldsBegin))
	end := bytes.Index(readme, []byte(fieldsEnd))
	if begin < 0 || end < begin {
		t.Fatalf("README.md lacks the generated field table markers %q ... %q", fieldsBegin, fieldsEnd)
	}
	table := markdownTable()
	current := string(readme[begin+len(fieldsBegin) : end])
	if *update {
		updated := append(append(append([]byte{}, readme[:begin+len(fieldsBegin)]...), table...), readme[end:]...)
		if err := os.WriteFile(readmeFile, updated, 0o644); err != nil {
			t.Fatal(err)
		}
		current = table
	}
	if diff := cmp.Diff(current, table); diff != "" {
		t.Errorf("README field table is stale; run make generate (-committed +table):\n%s", diff)
	}
}
