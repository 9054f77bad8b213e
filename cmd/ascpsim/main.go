// Command ascpsim stands in for IBM's proprietary ascp in tests; the
// simulator and its documentation are in internal/ascpsim.
package main

import (
	"os"

	"github.com/faspkit/asession/internal/ascpsim"
)

func main() {
	os.Exit(ascpsim.Main())
}
