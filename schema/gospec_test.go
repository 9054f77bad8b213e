package schema

import (
	"bytes"
	"os"
	"testing"
)

const goSpecFile = "../transferspec/spec_gen.go"

// transferspec/spec_gen.go is generated from Fields; it must be current,
// and its Go names must be distinct.
func TestGoSpecIsCurrent(t *testing.T) {
	src := GoSpec()
	if *update {
		if err := os.WriteFile(goSpecFile, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(goSpecFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, src) {
		t.Errorf("%s is stale: run make generate", goSpecFile)
	}
	seen := map[string]string{}
	for _, f := range Fields {
		name := GoName(f.Name)
		if other, dup := seen[name]; dup {
			t.Errorf("fields %s and %s both become %s", other, f.Name, name)
		}
		seen[name] = f.Name
	}
}
