package schema

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"strings"
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

// The generator lives with its test: only `make generate` runs it, and
// go/format (with go/parser and the rest) stays out of the asession binary.

// GoSpec returns the source of package transferspec: a Go struct with one
// field per row of Fields, so that a Go program builds a spec with the
// compiler's help instead of writing JSON by hand. Integers and booleans
// are pointers, since 0 and false are values a spec may need to say.
func GoSpec() []byte {
	var b bytes.Buffer
	b.WriteString(`// Code generated from schema.Fields by "make generate"; DO NOT EDIT.

package transferspec

// Spec is a transfer spec in canonical (Node API) spelling. Unset fields
// are left out of its JSON. Set integers and booleans with Int and Bool.
type Spec struct {
`)
	for i := range Fields {
		f := &Fields[i]
		doc := f.Doc
		if len(f.Enum) > 0 {
			doc += " (" + strings.Join(f.Enum, ", ") + ")"
		}
		if f.Secret {
			doc += "; a secret, never shown"
		}
		if f.Handling == Ignored {
			doc += "; accepted, but ascp has no option for it"
		}
		fmt.Fprintf(&b, "\t// %s: %s\n\t%s %s `json:\"%s,omitempty\"`\n", f.Name, doc, GoName(f.Name), goType(f), f.Name)
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		panic("generated Go does not parse: " + err.Error())
	}
	return src
}

func goType(f *Field) string {
	switch f.Type {
	case String:
		return "string"
	case Integer:
		return "*int64"
	case Boolean:
		return "*bool"
	case BooleanOrString, IntegerOrDuration:
		return "any"
	case Object:
		return "map[string]any"
	case Array:
		switch {
		case f.Handling == Paths:
			return "[]Path"
		case f.Items == String:
			return "[]string"
		}
		return "[]map[string]any"
	}
	panic("no Go type for " + string(f.Type))
}

// goInitialisms are spelled in capitals in Go names, as Go style wants.
var goInitialisms = map[string]string{
	"ssh": "SSH", "udp": "UDP", "tcp": "TCP", "wss": "WSS", "http": "HTTP", "https": "HTTPS",
	"url": "URL", "id": "ID", "uid": "UID", "gid": "GID", "acls": "ACLs", "ex": "Ex", "sshfp": "SSHFP",
	"ascp": "Ascp", "ascp4": "Ascp4", "jpeg": "JPEG", "icos": "ICOS", "kbps": "Kbps", "dgram": "Dgram",
}

// GoName is the Go spelling of a field name: ssh_port is SSHPort.
func GoName(name string) string {
	var b strings.Builder
	for _, word := range strings.Split(name, "_") {
		if word == "" {
			continue
		}
		if special, ok := goInitialisms[strings.ToLower(word)]; ok {
			b.WriteString(special)
			continue
		}
		b.WriteString(strings.ToUpper(word[:1]) + word[1:])
	}
	return b.String()
}
