package main

import "io"

// interruptibleStdin returns stdin as it is: Windows does not poll a
// console or an anonymous pipe, so no deadline can interrupt a read of it.
// The job ends a blocked read of it another way (its blocked Read is
// cancelled on the reader's thread, see deadlineReader.Fd and
// session.Options.Commands) and joins its command reader before the
// summary. Nothing is left to restore.
func interruptibleStdin(stdin io.Reader) (io.Reader, func()) {
	return stdin, func() {}
}

// Fd tells the job that a Read of commands reads stdin's handle on the
// calling goroutine, so that it can end a blocked one. (Windows only: on
// Unix, Fd would put a polled stdin back into blocking mode.)
func (d deadlineReader) Fd() uintptr { return d.file.Fd() }
