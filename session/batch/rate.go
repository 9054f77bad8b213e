package batch

import (
	"cmp"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/faspkit/asession/ascp/mgmt"
)

// rateClaim is what one running job asks of the budget: weight ascp
// processes (its sessions: each takes the rate a RATE command gives), each
// at most limit kbps (the job's own target_rate_kbps; 0: no limit).
type rateClaim struct {
	weight int64
	limit  int64
}

// shareBudget divides budget kbps among the claims, max-min fair: each
// ascp gets an equal share, except that a job never gets more than its
// own limit, and what it leaves goes to the others. The result is the
// rate of each ascp of each claim, in kbps; weight times rate, summed,
// never exceeds the budget. Every rate is at least 1 when the budget
// allows one per ascp.
func shareBudget(budget int64, claims []rateClaim) []int64 {
	rates := make([]int64, len(claims))
	order := make([]int, len(claims))
	var weight int64
	for i, c := range claims {
		order[i] = i
		weight += max(c.weight, 1)
	}
	// The most limited first: what they cannot use is shared by those
	// after them.
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(effectiveLimit(claims[a]), effectiveLimit(claims[b]))
	})
	left := budget
	for _, i := range order {
		w := max(claims[i].weight, 1)
		rate := left / weight
		if l := claims[i].limit; l > 0 && l < rate {
			rate = l
		}
		rates[i] = rate
		left -= rate * w
		weight -= w
	}
	return rates
}

func effectiveLimit(c rateClaim) int64 {
	if c.limit <= 0 {
		return 1<<63 - 1
	}
	return c.limit
}

// The budget in the scheduler. Each running job's ascp are told their
// rate twice over: at the start by the -l of their command line, then by
// RATE commands on the job's command channel, which reach ascp only once
// it has connected to its management port, and take effect when ascp has
// read them, which asession cannot see. So the budget counts what each
// job may be running at (committed), not what it was last sent: a higher
// rate at once, a lower one only once its ascp has connected and
// rateSettle has passed since. A job starts, or is sent a higher rate,
// only into the room the others leave.

// rateSettle is how long after a lower RATE reached a connected ascp the
// budget counts on it: its way from asession's command reader to ascp's
// takes milliseconds, even on a loaded machine.
const rateSettle = time.Second

// connectSignal says that attempt of a job has connected all its ascp.
type connectSignal struct {
	e       *entry
	attempt int
}

// admit makes room for e in the budget: the others' new shares are sent
// (the lower ones at once, the higher ones as room allows) and e gets its
// own rate, for its -l; 0 when the budget has no room for it yet.
func (b *batch) admit(e *entry) int64 {
	rate := b.rebalance(e)
	if rate == 0 {
		return 0
	}
	e.pipe = newCommandPipe()
	e.sent, e.committed, e.connected, e.settleAt = rate, rate, false, time.Time{}
	return rate
}

// watchConnect is an attempt's OnFrame: the first frame of each of its
// ascp says that it has connected, and so that the RATE commands waiting
// for it have been written to it.
func (b *batch) watchConnect(e *entry) func(int, *mgmt.Frame) {
	attempt := e.journaled
	sessions := int(e.claim.weight)
	var mu sync.Mutex
	seen := make([]bool, sessions+1)
	left := sessions
	return func(i int, _ *mgmt.Frame) {
		mu.Lock()
		first := i >= 1 && i <= sessions && !seen[i]
		if first {
			seen[i] = true
			left--
		}
		all := first && left == 0
		mu.Unlock()
		if all {
			b.connects <- connectSignal{e, attempt}
		}
	}
}

// connected: what e was sent is what it runs at now.
func (b *batch) connected(c connectSignal) {
	e := c.e
	if !b.running[e] || e.journaled != c.attempt {
		return // an attempt that has ended
	}
	e.connected = true
	if e.sent < e.committed {
		e.settleAt = time.Now().Add(rateSettle)
	}
}

// settle counts the lower rates sent long enough ago, and returns when
// the next will be (zero: none waits).
func (b *batch) settle(now time.Time) (next time.Time) {
	for e := range b.running {
		if e.settleAt.IsZero() {
			continue
		}
		if now.Before(e.settleAt) {
			if next.IsZero() || e.settleAt.Before(next) {
				next = e.settleAt
			}
			continue
		}
		e.settleAt = time.Time{}
		e.committed = e.sent
	}
	return next
}

// released takes an attempt that ended out of the budget.
func (b *batch) released(e *entry) {
	if e.pipe == nil {
		return
	}
	e.pipe.close()
	e.pipe = nil
	e.sent, e.committed, e.connected, e.settleAt = 0, 0, false, time.Time{}
}

// rebalance shares the budget among the running jobs and newcomer (nil:
// none). With a newcomer, it sends the running jobs their lower rates and
// returns the newcomer's: its fair share, or less when the lower rates
// have not settled yet, or 0 when nothing is left for it. Without one, it
// sends the running jobs their higher rates too, as far as room allows.
func (b *batch) rebalance(newcomer *entry) int64 {
	if b.opts.RateBudget <= 0 {
		return 0
	}
	list := make([]*entry, 0, len(b.running)+1)
	for e := range b.running {
		list = append(list, e)
	}
	// Earliest first: the room goes to the jobs in line first.
	slices.SortFunc(list, func(x, y *entry) int { return cmp.Compare(x.seq, y.seq) })
	if newcomer != nil {
		list = append(list, newcomer)
	}
	claims := make([]rateClaim, len(list))
	for i, e := range list {
		claims[i] = e.claim
	}
	shares := shareBudget(b.opts.RateBudget, claims)
	room := b.opts.RateBudget
	for i, e := range list {
		if e == newcomer {
			continue
		}
		if shares[i] < e.sent {
			b.send(e, shares[i])
		}
		room -= e.committed * e.claim.weight
	}
	var initial int64
	if newcomer != nil {
		initial = min(shares[len(list)-1], room/newcomer.claim.weight)
		if initial < 1 {
			initial = 0
		}
		room -= initial * newcomer.claim.weight
	}
	for i, e := range list {
		// Higher rates wait until what can start has started, so that
		// a job is not raised only to be lowered for the next one.
		if newcomer != nil || shares[i] <= e.sent {
			continue
		}
		// As much of its share as the room allows.
		rate := min(shares[i], e.committed+room/e.claim.weight)
		if rate <= e.sent {
			continue
		}
		room -= (max(rate, e.committed) - e.committed) * e.claim.weight
		b.send(e, rate)
	}
	return initial
}

// send tells e's ascp to run at rate: a higher rate counts at once, a
// lower one once it has settled.
func (b *batch) send(e *entry, rate int64) {
	e.sent = rate
	switch {
	case rate >= e.committed:
		e.committed = rate
	case e.connected:
		e.settleAt = time.Now().Add(rateSettle)
	}
	e.pipe.send(rateCommand(rate, e.Input.Spec.Int("min_rate_kbps")))
}

// rateCommand is the RATE line for a rate. The job's own minimum rate
// comes with it, lowered to the rate when above it: ascp refuses a
// minimum over the target.
func rateCommand(rate, minRate int64) []byte {
	line := `{"type":"RATE","rate":` + strconv.FormatInt(rate, 10)
	if minRate > 0 {
		line += `,"min_rate":` + strconv.FormatInt(min(minRate, rate), 10)
	}
	return []byte(line + "}\n")
}
