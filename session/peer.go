package session

// peerVerdict is what asession knows of the process at the other end of
// a management connection.
type peerVerdict int

const (
	peerOurs    peerVerdict = iota // ascp or one of its descendants
	peerForeign                    // another process, or another user's
	peerGone                       // nobody holds the peer socket any more
	peerUnknown                    // the platform cannot tell
)
