package mgmt_test

import (
	"fmt"
	"strings"

	"github.com/faspkit/asession/ascp/mgmt"
)

// Decode management frames as ascp writes them on its -M connection.
func ExampleNewReader() {
	stream := "FASPMGR 2\nType: STOP\nFile: /data/report\x1bn2026.pdf\nSize: 1048576\n\n"
	r := mgmt.NewReader(strings.NewReader(stream))
	f, err := r.Next()
	if err != nil {
		panic(err)
	}
	file, _ := f.GetString("File")
	fmt.Printf("%s %q %d fields\n", f.Type(), file, len(f.Fields))
	// Output: STOP "/data/report\n2026.pdf" 3 fields
}

// Encode a command for ascp's management port.
func ExampleAppendFrame() {
	fmt.Printf("%q\n", mgmt.AppendFrame(nil, "START", "Source", "/a\nb", "Destination", "/in"))
	// Output: "FASPMGR 2\nType: START\nSource: /a\x1bnb\nDestination: /in\n\n"
}
