// Package events owns what asession writes on stdout: the line types
// (error, progress snapshot, summary), the error origins and statuses a
// script keys on, ascp's error-code table, and the Writer that puts
// lines out. How a management frame becomes its raw line is
// internal/framejson's; how a person sees the lines, internal/human's.
package events
