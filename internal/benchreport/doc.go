// Command benchreport is the second half of `make bench`: it runs the
// whole-process measurements and prints one table with them and the medians
// of the Go benchmarks that `make bench` ran before it.
//
//   - relay: asession relays a generated transcript of N frames (3 per file,
//     START/STATS/STOP) from ascpsim (ASCPSIM_REPLAY) to a file; the peak RSS
//     is the Maxrss of its rusage, which is asession's own or that of a child
//     it waited for (ascpsim) if larger; asession's own VmHWM is polled too.
//   - startup: asession runs with --ascp pointing at this very binary, which
//     then acts as a stub ascp: its first action is to append the time to a
//     stamp file, then it connects to -M and sends INIT and DONE. Startup is
//     the stamp minus the time taken just before starting asession: it
//     includes asession's exec and Go runtime start, its work up to spawning
//     ascp, and the stub's own exec and runtime start, measured alone too.
//   - first line: the startup's stub ascp again, timed to asession's first
//     line on stdout, in blocks without and with 1,000 sleeping processes
//     on the host, the ratio taken per pair of runs; a bare relay (this
//     binary: listen, start the stub, print its first message) is the
//     floor.
//   - idle: ascpsim replays frames that this program writes to a FIFO at
//     100, 1k and 10k frames/s; asession's CPU time over the paced window
//     is reported as a share of one core.
//   - batch: n tiny jobs through session/batch against a bare loop
//     calling session.Run, in this process, with the stub as ascp
//     (batch.go).
//   - paths: the same stub under a job of a million paths (sources, pairs,
//     four sessions): start to spawn, peak RSS, and asession's RSS when the
//     stub starts, which is after the list file is written.
//   - streamed: a million and ten million pairs piped on stdin, in rounds
//     that run asession (start to the stub's spawn, and its peak until
//     then) and the streaming floor (this binary as BENCHREPORT_FLOOR:
//     start to its list file written) one after the other; the ratio is
//     taken per round. The stub then
//     reports every file of the list moved (START, STOP, ARGSTOP per
//     argument, each session its -C share), and asession's RSS and its
//     peak since the spawn are read once all of it has been relayed.
//   - hashing: --manifest and --checksums on a file already there against
//     sha256sum and md5sum on it, and the DONE line of a replay with
//     --verify behind a large file (hashing.go).
//
// Usage: benchreport -asession BIN -ascpsim BIN [-gobench FILE] [-runs N] [-out FILE]
package main
