// Package asessiontemporal runs Aspera transfers as Temporal activities:
// one activity is one asession job, run through the session library (no
// child asession process), with the progress as heartbeat details, the
// summary as the result, and ascp's error table deciding which failures
// Temporal retries. It lives in its own module so that the main module does
// not carry the Temporal SDK's dependencies.
package asessiontemporal
