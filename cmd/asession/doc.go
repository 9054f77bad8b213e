// Command asession runs one Aspera transfer described by a transfer spec
// and reports its progress as JSON lines. It is a thin shell around the
// session package: flags, signals, the terminal.
package main
