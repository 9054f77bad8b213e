package events_test

import (
	"os"
	"strings"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
)

// A management frame becomes one JSON line: snake_case keys, numbers and
// booleans typed, unknown fields kept.
func ExampleWriter_Frame() {
	r := mgmt.NewReader(strings.NewReader("FASPMGR 2\nType: STATS\nBytescont: 524288\nElapsedusec: 250000\nEncryption: Yes\nRate: 50%\nNewField: x\n\n"))
	f, _ := r.Next()
	w := events.NewWriter(os.Stdout)
	_ = w.Frame(f, nil)
	_ = w.Flush()
	// Output: {"type":"STATS","bytes_cont":524288,"elapsed_usec":250000,"encryption":true,"rate":"50%","new_field":"x"}
}
