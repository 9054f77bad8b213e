//go:build !race

package ascpsim

const raceEnabled = false
