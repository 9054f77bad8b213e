// Package proc runs one ascp process: under a pseudo-terminal on Unix, so
// ascp's password prompt can be seen and refused, and on a pipe inside a
// kill-on-close job object on Windows, so no child outlives the job. The
// platform halves live in process_unix.go and process_windows.go.
package proc
