// Package suggest finds the known name a mistyped one was meant to be: the
// "did you mean" of spec fields and command-line flags.
package suggest
