package main

import (
	"os"

	"github.com/faspkit/asession/internal/ascpsim"
)

func main() {
	os.Exit(ascpsim.Main())
}
