// Package ascp owns everything that touches the ascp program: finding the
// binary, turning a transfer spec into its argv and environment, the
// management-port codec, and running the process (under a pseudo-terminal
// on Unix, on a pipe inside a job object on Windows).
package ascp
