package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/account"
	"github.com/faspkit/asession/internal/framejson"
)

// relay copies frames to the output until ascp closes the connection, then
// decides the outcome from the last frame and the exit status.
func (r *runner) relay(ctx context.Context, conn net.Conn) *Outcome {
	opts := r.job.opts
	relayDone := make(chan struct{})
	guard := newStreamGuard(conn, opts.StallTimeout)
	watchers := r.watch(ctx, conn, guard, relayDone)
	defer func() {
		close(relayDone)
		watchers.Wait()
	}()

	fr := frameRelay{job: r.job, session: r.cmd.Index, raw: opts.Events != EventsProgress, checks: r.job.checks,
		redact: newFrameRedactor(r.cmd.Secrets, r.job.in.Agent.SecretCookie)}
	if r.cmd.Sessions > 1 {
		fr.extra = []byte(`"session":` + strconv.Itoa(r.cmd.Index))
	}
	reader := mgmt.NewReader(guard)
	guard.frames = &reader.Stats.Frames
	fr.makeLines(reader)
	streamError := r.relayFrames(conn, reader, &fr)
	_ = opts.Out.Flush()
	streamError = r.endStream(conn, guard, streamError)
	// ascp closes the stream as it exits. A slow exit is not a failure:
	// give it longer than the cancel grace before calling it hung.
	r.proc.WaitOrKill(max(opts.CancelGrace, exitWait))
	return r.decide(streamError, reader.Stats)
}

// watch starts what runs beside the relay until relayDone closes: the
// watch on ascp's exit, prompts and cancellation, and the forwarding of
// commands to ascp.
func (r *runner) watch(ctx context.Context, conn net.Conn, guard *streamGuard, relayDone chan struct{}) *sync.WaitGroup {
	opts := r.job.opts
	var watchers sync.WaitGroup
	watchers.Add(2)
	go func() {
		defer watchers.Done()
		select {
		case <-r.proc.Exited():
			// A prompt written just before the exit still explains it.
			select {
			case prompt := <-r.proc.Prompt():
				r.stopWith(outcome(r.promptError(prompt), ExitFailed))
			default:
			}
			// What ascp wrote is still to be read; a connection that
			// stays open beyond that is held by something else.
			guard.exited(opts.CancelGrace)
		case prompt := <-r.proc.Prompt():
			r.stopWith(outcome(r.promptError(prompt), ExitFailed))
			r.proc.Kill()
		case <-ctx.Done():
			r.stopWith(outcome(events.NewError(events.FromCancel, events.CodeUserCancel, "cancelled"), ExitFailed))
			r.cancel(conn, opts.CancelGrace)
		case <-relayDone:
		}
	}()
	go func() {
		defer watchers.Done()
		acct, session := r.job.acct, r.cmd.Index
		r.job.commands.forward(session, conn, relayDone, r.replay, func(cmd *Command, sent bool) {
			acct.Taken(session, cmd, cmd.Type, commandSource(cmd), sent)
		})
	}()
	return &watchers
}

// relayFrames is the relay's loop: it reads frames and hands them to fr
// until the stream ends, and returns what ended it when that was not a
// clean end.
func (r *runner) relayFrames(conn net.Conn, reader *mgmt.Reader, fr *frameRelay) error {
	opts := r.job.opts
	for {
		// The connection was proven to be ascp's, its first message
		// carrying this job's id, before it was handed over (accept.go).
		f, line, err := fr.next(reader)
		if err != nil {
			_ = fr.writeBatch()
			if err != io.EOF && !errors.Is(err, net.ErrClosed) {
				return err
			}
			return nil
		}
		if err := fr.frame(f, line, reader.Buffered() == 0); err != nil {
			r.stopWith(outcome(events.NewError(events.FromOutput, events.CodeUserCancel, "cannot write events, stopping the transfer: "+err.Error()).WithCause(err), ExitFailed))
			r.cancel(conn, opts.CancelGrace)
			return nil
		}
	}
}

// endStream stops what the end of the stream says must stop: a connection
// held open after ascp's exit, a stalled ascp, a stream that cannot be
// trusted any more. It returns the stream error left to report.
func (r *runner) endStream(conn net.Conn, guard *streamGuard, streamError error) error {
	opts := r.job.opts
	if guard.afterExit(streamError) {
		r.log().Warn().Int("session", r.cmd.Index).Msg("ascp exited but its management connection stayed open: stopping what holds it")
		r.proc.Kill() // ascp's process group, which holds the connection
		return nil
	}
	if errors.Is(streamError, os.ErrDeadlineExceeded) {
		r.stopWith(outcome(events.NewError(events.FromStall, events.CodeStalled,
			fmt.Sprintf("no management message for %s: ascp stalled and was cancelled", opts.StallTimeout)), ExitFailed))
		r.cancel(conn, opts.CancelGrace)
	} else if streamError != nil && streamError != mgmt.ErrIncomplete {
		// The stream cannot be trusted any more: stop ascp rather than
		// let it run unobserved.
		r.proc.Kill()
	}
	return streamError
}

// decide tells how the attempt ended: the account's verdict, from the
// frames, the stream and ascp's exit status, or why asession stopped it.
func (r *runner) decide(streamError error, stats mgmt.ReaderStats) *Outcome {
	stopped := r.stopReason()
	end := account.End{ExitStatus: r.proc.ExitCode(), Stream: streamError, Strays: int(stats.StrayLines + stats.MalformedLines)}
	if stopped != nil {
		end.Stopped = stopped.Err
	}
	v := r.job.acct.EndAttempt(r.cmd.Index, end)
	if v.Forgiven > 0 && v.Err == nil {
		r.log().Info().Int("files", v.Forgiven).Int("session", r.cmd.Index).
			Msg("the files ascp could not find again had been delivered before")
	}
	switch {
	case v.Err == nil:
		return &Outcome{ExitCode: ExitOK}
	case stopped != nil:
		return r.withTerminal(stopped)
	}
	o := r.withTerminal(outcome(v.Err, ExitFailed))
	o.shared = v.Shared
	return o
}

// frameRelay is relay's work for one frame, factored out so that the
// hot-path benchmark (relay_bench_test.go) runs this very code: note how
// the session ends, track progress, write the frame's line, write a
// progress line when one is due, and flush when the input has gone idle.
type frameRelay struct {
	job     *job
	session int
	extra   []byte // `"session":N` on jobs of several sessions
	raw     bool   // write the frames' own lines
	redact  frameRedactor
	checks  *fileChecks // --verify, --checksums, --manifest; nil without them

	// lines reads the frames and makes their lines when raw, into batch,
	// handed to the Writer when the input goes idle, a progress line is
	// due or batchLimit is passed: one lock and one copy for a burst.
	lines      *framejson.Transcoder
	batch      []byte
	batchLimit int

	// burst counts down the frames of a burst until the clock is read
	// again for progress (see frame).
	burst int
}

// progressStride is how many frames of a burst pass between two looks at
// the clock for a progress line. Reading the clock was ≈ 4 % of a frame;
// a burst's frames are a microsecond apart, so a line is late by 16 µs at
// most, against an interval of 100 ms. At real ascp rates the input goes
// idle after each frame and the clock is read every time.
const progressStride = 16

// makeLines sets fr up to read frames from reader and make their lines
// in one pass, when it writes them. Lines that carry a time of their own
// are handed over one by one, so that each gets the time it was made.
func (fr *frameRelay) makeLines(reader *mgmt.Reader) {
	if !fr.raw {
		return
	}
	fr.lines = framejson.NewTranscoder(reader, fr.extra)
	fr.batchLimit = batchLimit
	if fr.job.opts.Out.Timestamps() {
		fr.batchLimit = 0
	}
}

// batchLimit is how many bytes of lines a relay gathers before handing
// them over, the Writer's own threshold for a write.
const batchLimit = 64 << 10

// next reads the next frame and returns where its line starts in
// fr.batch, -1 when fr makes no lines.
func (fr *frameRelay) next(reader *mgmt.Reader) (*mgmt.Frame, int, error) {
	if fr.lines == nil {
		f, err := reader.Next()
		return f, -1, err
	}
	line := len(fr.batch)
	f, batch, err := fr.lines.AppendNext(fr.batch)
	fr.batch = batch
	return f, line, err
}

// writeBatch hands the lines gathered to the Writer.
func (fr *frameRelay) writeBatch() error {
	if len(fr.batch) == 0 {
		return nil
	}
	err := fr.job.opts.Out.Lines(fr.batch)
	fr.batch = fr.batch[:0]
	if cap(fr.batch) > 4*batchLimit {
		// A frame of megabyte fields must not pin its line.
		fr.batch = nil
	}
	return err
}

// frame handles f, whose JSON line starts at fr.batch[line] (-1: fr makes
// no lines); idle says no further input is buffered, so the output is
// flushed and a lone frame reaches the consumer at once. An error is a
// failed write of the output.
func (fr *frameRelay) frame(f *mgmt.Frame, line int, idle bool) error {
	if fr.redact.apply(f) && line >= 0 {
		// The line was made before: make it again without the secret.
		fr.batch = fr.lines.AppendFrame(fr.batch[:line], f)
	}
	j := fr.job
	// The account says whether the frame finished a file, and how.
	finished := j.acct.Observe(fr.session, f)
	if string(f.Type()) == "SESSION" {
		// Once per attempt: the id ties the job to ascp's own logs.
		if id, ok := f.Lookup(mgmt.NameSessionID); ok {
			j.sessionStarted(string(id))
		}
	}
	if finished != account.ItemPending && fr.checks != nil {
		// The file is complete at its destination. Its line goes out
		// first, so that a check's error line follows it; and the
		// account has counted it, as a failed check moves it to the
		// failed.
		if err := fr.writeBatch(); err != nil {
			return err
		}
		fr.checks.complete(fr.session, f, finished)
	}
	if j.opts.OnFrame != nil {
		j.opts.OnFrame(fr.session, f)
		if fr.lines != nil {
			fr.lines.Changed(f) // it may have
		}
	}
	if fr.raw && line < 0 {
		if err := j.opts.Out.Frame(f, fr.extra); err != nil {
			return err
		}
	}
	if len(fr.batch) > fr.batchLimit {
		if err := fr.writeBatch(); err != nil {
			return err
		}
	}
	if idle || fr.burst == 0 {
		fr.burst = progressStride
		// A progress line counts the frames before it: theirs go first.
		if idle || j.progressDue() {
			if err := fr.writeBatch(); err != nil {
				return err
			}
			j.emitProgress(false)
		}
	}
	fr.burst--
	if idle {
		return j.opts.Out.Flush()
	}
	return nil
}

// truncate shortens s to at most n bytes for a message.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
