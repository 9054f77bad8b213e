// Package session runs one asession job end to end: it finds ascp, builds
// the job's commands from the parsed input, runs each ascp with a
// management port (retrying with resume when the error allows), relays the
// frames as events, aggregates progress, and decides how the job ended,
// leaving no process or temporary file behind.
package session
