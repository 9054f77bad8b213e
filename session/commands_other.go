//go:build !windows

package session

import "io"

// readerThread is empty where reads take deadlines: there the command
// reader is interrupted through SetReadDeadline (see commandRouter.stop).
type readerThread struct{}

func (*readerThread) pin(io.Reader) (unpin func()) { return func() {} }

func (*readerThread) cancel(io.Reader, <-chan struct{}) {}
