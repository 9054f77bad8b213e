// Package mix generates realistic management-port transcripts for the
// benchmarks: the frames an ascp session of many small files sends, with
// the field names, order and value shapes ascpsim (and ascp) use.
//
// A session is INIT, SESSION, NOTIFICATION, then START, STATS and STOP for
// every file, then ARGSTOP and DONE: 3 frames per file plus 5. START has 9
// fields, STATS 14 and STOP 15, Type included.
package mix
