package events_test

import (
	"fmt"
	"strings"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
)

// Turn a management frame into asession's JSON line: snake_case keys,
// numbers and booleans typed, unknown fields kept.
func ExampleFrameEncoder() {
	r := mgmt.NewReader(strings.NewReader("FASPMGR 2\nType: STATS\nBytescont: 524288\nElapsedusec: 250000\nEncryption: Yes\nRate: 50%\nNewField: x\n\n"))
	f, _ := r.Next()
	fmt.Println(string(events.NewFrameEncoder().AppendFrame(nil, f, nil)))
	// Output: {"type":"STATS","bytes_cont":524288,"elapsed_usec":250000,"encryption":true,"rate":"50%","new_field":"x"}
}
