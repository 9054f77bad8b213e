// Command ascpsim stands in for IBM's proprietary ascp in tests; the
// simulator and its documentation are in internal/ascpsim.
package main
