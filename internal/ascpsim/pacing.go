package ascpsim

// Pacing to the target rate, and the STATS and totals that report it.

import (
	"context"
	"sync/atomic"
	"time"
)

// pacer holds the byte stream to the target rate, which a RATE command
// changes while bytes flow.
type pacer struct {
	rate, minRate atomic.Int64 // kbps, 0 = unthrottled
	rateGen       atomic.Int64 // bumped by each RATE: pacing starts over
	paceGen       int64
	paceBase      time.Time
	paceSent      int64
}

// counters are the session's totals, reported by STATS, ARGSTOP, DONE and
// ERROR.
type counters struct {
	written       int64 // bytes written to destination files this run, for the faults
	transferBytes int64 // bytes moved this run
	fileBytes     int64 // bytes of files accounted for: moved, or resumed from the destination

	attempted, passed, failed, skipped int64
	firstFail                          *sessionError

	lastStats time.Time
}

// statsEvery is how often STATS goes out while bytes move; ascp's
// documented cadence is at least every half second.
const statsEvery = 250 * time.Millisecond

func (s *faspSession) applyRate(f map[string]string) {
	pairs := []string{}
	if v, ok := f["Rate"]; ok {
		if n, err := parseRate(v); err == nil && n > 0 {
			s.rate.Store(n)
		}
	}
	if v, ok := f["MinRate"]; ok {
		if n, err := parseRate(v); err == nil {
			s.minRate.Store(n)
		}
	}
	s.rateGen.Add(1)
	pairs = append(pairs, "Rate", itoa(s.rate.Load()), "MinRate", itoa(s.minRate.Load()))
	if v, ok := f["Adaptive"]; ok {
		pairs = append(pairs, "Adaptive", v)
	}
	s.m.send("NOTIFICATION", pairs...)
}

// sleep waits d unless the session is cancelled, sending STATS on time.
func (s *faspSession) sleep(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		t := time.NewTimer(min(left, 100*time.Millisecond))
		select {
		case <-s.ctx.Done():
			t.Stop()
			return context.Cause(s.ctx)
		case <-t.C:
		}
		s.maybeStats(false)
	}
}

// pace holds the byte stream to the target rate. The budget never runs
// more than a fifth of a second ahead, so an idle spell does not turn into
// a burst, and a RATE change takes effect from the next chunk.
func (s *faspSession) pace(n int) error {
	rate := s.rate.Load()
	if rate <= 0 {
		return nil
	}
	now := time.Now()
	gen := s.rateGen.Load()
	if gen != s.paceGen || s.paceBase.IsZero() {
		s.paceGen, s.paceBase, s.paceSent = gen, now, 0
	}
	s.paceSent += int64(n)
	due := s.paceBase.Add(time.Duration(float64(s.paceSent*8) / float64(rate*1000) * float64(time.Second)))
	if due.Before(now.Add(-200 * time.Millisecond)) {
		s.paceBase, s.paceSent = now, 0
		return nil
	}
	return s.sleep(time.Until(due))
}

func (s *faspSession) chunkSize() int {
	rate := s.rate.Load()
	if rate <= 0 {
		return 256 << 10
	}
	n := rate * 1000 / 8 / 10 // a tenth of a second's worth
	return int(max(256, min(n, 64<<10)))
}

func (s *faspSession) maybeStats(force bool) {
	if s.cur == nil || (!force && time.Since(s.lastStats) < statsEvery) {
		return
	}
	s.lastStats = time.Now()
	f := s.cur
	onDisk := f.startOff + f.sent
	pairs := []string{
		"File", f.e.dstShown,
		"Size", itoa(f.e.size),
		"StartByte", itoa(f.startOff),
		"Bytescont", itoa(onDisk),
		"Written", itoa(onDisk),
		"FileBytes", itoa(s.fileBytes),
		"TransferBytes", itoa(s.transferBytes),
		"Elapsedusec", s.elapsedUsec(),
		"Rate", itoa(s.currentRate()),
		"MinRate", itoa(s.minRate.Load()),
		"Loss", "0",
	}
	s.m.send("STATS", pairs...)
	s.recordResume(onDisk)
	s.prog.update(f.e.dstShown, onDisk, f.e.size, s.transferBytes, time.Since(s.start))
}

// currentRate is the configured rate, or the measured one when unthrottled.
func (s *faspSession) currentRate() int64 {
	if r := s.rate.Load(); r > 0 {
		return r
	}
	el := time.Since(s.start).Seconds()
	if el <= 0 {
		return 0
	}
	return int64(float64(s.transferBytes*8) / 1000 / el)
}

func (s *faspSession) elapsedUsec() string { return itoa(time.Since(s.start).Microseconds()) }

func (s *faspSession) totals() []string {
	return []string{
		"TransfersAttempted", itoa(s.attempted),
		"TransfersPassed", itoa(s.passed),
		"TransfersFailed", itoa(s.failed),
		"TransfersSkipped", itoa(s.skipped),
		"TransferBytes", itoa(s.transferBytes),
		"FileBytes", itoa(s.fileBytes),
		"Elapsedusec", s.elapsedUsec(),
	}
}
