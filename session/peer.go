package session

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// peerVerdict is what asession knows of the process at the other end of
// a management connection.
type peerVerdict int

const (
	peerOurs     peerVerdict = iota // held by ascp or one of its descendants
	peerStranger                    // held by another process, of any user
	peerGone                        // nobody holds the peer socket any more
	peerUnknown                     // the platform cannot tell
)

// peer is who holds the other end of a management connection, as far as
// the kernel told without looking at any process but ascp's: a stranger's
// uid (or, on Windows, its pid) names it, never a scan of the host.
type peer struct {
	verdict peerVerdict
	uid     int // the peer socket's owner; -1 when unknown
	pid     int // the owning process when the platform gives it; 0 otherwise
}

// refusal is why a connection to the management port was closed unread.
type refusal int

const (
	refusedOtherUser    refusal = iota // another user's socket
	refusedSameUser                    // asession's uid, not ascp's process tree
	refusedOtherProcess                // a process outside ascp's job (Windows: a pid, no uid)
	refusedGone                        // closed before its owner could be checked
	refusedUserStr                     // a first message without this job's id
	refusedSilent                      // ascp's, closed without a byte
)

// refusals tallies the connections refused while a runner waits for
// ascp's: they are reported in one line when the wait ends, however many
// there were, so a flood of them costs the output one line.
type refusals struct {
	mu       sync.Mutex
	total    int
	byReason [refusedSilent + 1]int
	byUID    map[int]int // other users' connections, by uid
	pids     map[int]int // other processes' connections, by pid (Windows)
	userStr  string      // the first wrong UserStr, for the message
}

func (rs *refusals) add(why refusal, p peer, userStr string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.total++
	rs.byReason[why]++
	if why == refusedOtherUser && p.uid >= 0 {
		if rs.byUID == nil {
			rs.byUID = map[int]int{}
		}
		rs.byUID[p.uid]++
	}
	if why == refusedOtherProcess && p.pid > 0 {
		if rs.pids == nil {
			rs.pids = map[int]int{}
		}
		rs.pids[p.pid]++
	}
	if why == refusedUserStr && rs.byReason[why] == 1 {
		rs.userStr = userStr
	}
}

// any reports whether a connection was refused.
func (rs *refusals) any() bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.total > 0
}

// maxNamed is how many uids or pids the refusal line names; a flood from
// many users is summed up after them.
const maxNamed = 8

// describe says what was refused, in one sentence: counts by reason, the
// uids of other users (with their counts), never a secret (a wrong UserStr
// is shown cut to 80 bytes: it is what the peer sent, not ours).
func (rs *refusals) describe() string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.total == 0 {
		return ""
	}
	var parts []string
	if n := rs.byReason[refusedOtherUser]; n > 0 {
		if len(rs.byUID) == 1 {
			for uid := range rs.byUID {
				parts = append(parts, fmt.Sprintf("%d from uid %d", n, uid))
			}
		} else {
			parts = append(parts, fmt.Sprintf("%d from other users (%s)", n, named(rs.byUID, "uid")))
		}
	}
	if n := rs.byReason[refusedSameUser]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d from processes of asession's own uid %d that are not ascp or its children", n, os.Getuid()))
	}
	if n := rs.byReason[refusedOtherProcess]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d from processes outside ascp's job (%s)", n, named(rs.pids, "pid")))
	}
	if n := rs.byReason[refusedGone]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d closed before their owner could be checked", n))
	}
	if n := rs.byReason[refusedUserStr]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d whose first message had UserStr %q, not this job's id", n, truncate(rs.userStr, 80)))
	}
	if n := rs.byReason[refusedSilent]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d that closed without sending anything", n))
	}
	noun := "connections"
	if rs.total == 1 {
		noun = "connection"
	}
	return fmt.Sprintf("refused %d %s to the management port that did not come from the ascp asession started: %s; they were closed unread",
		rs.total, noun, strings.Join(parts, "; "))
}

// named lists "uid 65534: 3, uid 1001: 1" (or pids) by count, most
// first, up to maxNamed of them.
func named(ids map[int]int, word string) string {
	type entry struct{ id, hits int }
	var all []entry
	for id, n := range ids {
		all = append(all, entry{id, n})
	}
	if len(all) == 0 {
		return word + " unknown"
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].hits != all[j].hits {
			return all[i].hits > all[j].hits
		}
		return all[i].id < all[j].id
	})
	var b strings.Builder
	for i, e := range all {
		if i == maxNamed {
			fmt.Fprintf(&b, " and %d more", len(all)-maxNamed)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(word + " " + strconv.Itoa(e.id) + ": " + strconv.Itoa(e.hits))
	}
	return b.String()
}
