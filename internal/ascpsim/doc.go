// Package ascpsim stands in for IBM's proprietary ascp in tests: it takes
// the documented ascp command line, reports on the management port (-M)
// with ascp's frames and field names, obeys the client's commands there,
// and really copies files. It owns only the simulation; the frame codec is
// the module's ascp/mgmt package, so both ends speak through the same code.
//
// The server side is played by the environment:
//
//	ASCPSIM_ROOT        the "remote host": the transfer user's docroot (required)
//	ASCPSIM_PASSWORD    the password the server accepts (any, when unset)
//	ASCPSIM_TOKEN       the token the server accepts (any, when unset)
//	ASCPSIM_FAIL        a failure to inject: auth, nofile, hang, lost:BYTES,
//	                    crash:BYTES, disk:BYTES or stall:BYTES (goes silent,
//	                    connection open, once BYTES are written), or
//	                    corrupt:OFFSET (flips the byte at OFFSET of each file
//	                    as it is written; the reported checksum is of that)
//	ASCPSIM_FAIL_TIMES  inject it into the first N runs only
//	ASCPSIM_COMMAND_LOG test hook: a file to which each run appends, as
//	                    JSON lines, its start (with -l and -m), every
//	                    command received on the management port and its
//	                    end (cmdlog.go)
//	ASCPSIM_REPLAY      test and benchmark hook: a transcript file (or FIFO)
//	                    of management frames, or a folder of one per session
//	                    (session-N for -C N:M); after parsing its command
//	                    line and connecting to -M, ascpsim sends it byte for
//	                    byte as fast as the socket takes it, then exits with
//	                    ASCPSIM_REPLAY_EXIT (0 when unset). Nothing is
//	                    transferred and ASCPSIM_ROOT is not needed.
//
// The client's side is ascp's own: ASPERA_SCP_PASS, ASPERA_SCP_TOKEN,
// ASPERA_SCP_KEY, ASPERA_SCP_COOKIE and ASPERA_SCP_FILEPASS.
package ascpsim
