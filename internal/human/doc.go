// Package human owns what asession shows a person rather than a program:
// the live progress line on a terminal, plain progress lines for a log,
// sizes, rates, durations and counts in words, and names made safe to
// print (control and bidirectional characters escaped).
package human
