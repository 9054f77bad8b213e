// Package ascp turns a transfer spec into the argv, environment and list
// file of the ascp commands that carry it out. The rest of what touches the
// ascp program lives beside it, one concern a package: ascp/mgmt is the
// management-port codec (no spec, no pty: ascpsim imports only it),
// ascp/proc runs the process (a pseudo-terminal on Unix, a pipe inside a
// job object on Windows), and ascp/install finds the binary, its version
// and the key files an install ships.
package ascp
