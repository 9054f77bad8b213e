//go:build race

package ascpsim

// raceEnabled builds the simulator under test with the race detector too,
// so that a data race in it fails the run that found it.
const raceEnabled = true
