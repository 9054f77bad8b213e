package transferspec

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/faspkit/asession/schema"
)

// A Spec marshals to JSON the validator accepts, every field coming back
// under its canonical name with the value set in Go.
func TestSpecMarshalsToValidJSON(t *testing.T) {
	spec := Spec{
		Direction: "send", RemoteHost: "h", RemoteUser: "u", RemotePassword: "pw",
		SSHPort: Int(33001), FaspPort: Int(0), CreateDir: Bool(true), PreserveTimes: Bool(false),
		TargetRateKbps: Int(100000), RatePolicy: "fair", Cipher: "aes-256",
		Paths:           []Path{{Source: "/a", Destination: "x"}, {Source: "/b", Destination: "c"}},
		DestinationRoot: "/up", Tags: map[string]any{"app": map[string]any{"job": 7}},
		HTTPFallback: "force", ExAscpArgs: []string{"-v"},
	}
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	in, problems := schema.ParseInput(data, "")
	if len(problems) > 0 || len(in.Unknown) > 0 {
		t.Fatalf("%s: problems %v, unknown %v", data, problems, in.Unknown)
	}
	for name, want := range map[string]string{"fasp_port": "0", "ssh_port": "33001", "create_dir": "true",
		"preserve_times": "false", "cipher": "aes-256", "http_fallback": "force"} {
		if got := in.Spec.String(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	// Unset fields stay out of the JSON.
	if strings.Contains(string(data), "token") || strings.Contains(string(data), `""`) {
		t.Errorf("unset fields marshalled: %s", data)
	}

	// A mistake the compiler cannot see is still the validator's.
	bad, _ := json.Marshal(Spec{Direction: "up", RemoteHost: "h", Paths: []Path{{Source: "a"}}})
	if _, problems := schema.ParseInput(bad, ""); len(problems) != 1 || problems[0].Pointer != "/direction" {
		t.Errorf("bad direction: %v", problems)
	}
}

// Every row of the table is a field of Spec, under its own JSON name.
func TestSpecHasEveryField(t *testing.T) {
	tags := map[string]bool{}
	typ := reflect.TypeOf(Spec{})
	for i := 0; i < typ.NumField(); i++ {
		tags[strings.TrimSuffix(typ.Field(i).Tag.Get("json"), ",omitempty")] = true
	}
	for _, f := range schema.Fields {
		if !tags[f.Name] {
			t.Errorf("Spec lacks %s", f.Name)
		}
	}
	if len(tags) != len(schema.Fields) {
		t.Errorf("Spec has %d fields, the table %d", len(tags), len(schema.Fields))
	}
}
