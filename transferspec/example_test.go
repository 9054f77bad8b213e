package transferspec_test

import (
	"encoding/json"
	"fmt"

	"github.com/faspkit/asession/transferspec"
)

// Build a spec in Go and marshal it for asession or session.Transfer.
func ExampleSpec() {
	spec := transferspec.Spec{
		Direction:       "send",
		RemoteHost:      "demo.example.com",
		RemoteUser:      "aspera",
		RemotePassword:  "secret",
		SSHPort:         transferspec.Int(33001),
		CreateDir:       transferspec.Bool(true),
		Paths:           []transferspec.Path{{Source: "/data/report.pdf"}},
		DestinationRoot: "/incoming",
	}
	data, _ := json.Marshal(spec)
	fmt.Println(string(data))
	// Output:
	// {"direction":"send","remote_host":"demo.example.com","remote_user":"aspera","ssh_port":33001,"paths":[{"source":"/data/report.pdf"}],"destination_root":"/incoming","create_dir":true,"remote_password":"secret"}
}
