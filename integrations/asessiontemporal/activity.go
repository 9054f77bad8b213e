package asessiontemporal

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/rs/zerolog"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/session"
)

// TransferName is the activity's registered name.
const TransferName = "AsperaTransfer"

// ErrorTypeInput is the ApplicationError type of a job description that
// does not validate: never retried, the same input would fail again.
const ErrorTypeInput = "asession_input"

// ErrorType is the ApplicationError type of a failed transfer with ascp's
// error code (the summary's error.code; 0 when the failure was not ascp's,
// such as ascp not found). A workflow can name these types in its
// RetryPolicy's NonRetryableErrorTypes to stop retrying more of them.
func ErrorType(code int) string { return "ascp_" + strconv.Itoa(code) }

// TransferInput is one job.
type TransferInput struct {
	// Job is the job description, as asession reads it on stdin: a transfer
	// spec, aspera-cli's {"spec":…, "agent":…}, or a Node API response.
	// Secrets in it travel through Temporal's history: use a payload codec
	// that encrypts, or a token with a short life.
	Job []byte
	// Retries are asession's own retries inside one activity attempt. Zero
	// (the usual choice) leaves every retry to the activity's RetryPolicy.
	Retries int
}

// Progress is the heartbeat detail: where the transfer stands. The last
// one recorded is what a retried attempt reads back.
type Progress struct {
	Attempt       int32 // Temporal's activity attempt, from 1
	BytesWritten  int64 // bytes on the destination, resumed ones included
	BytesExpected int64 // 0 until ascp has sized the job
	BytesSent     int64 // bytes this attempt sent; less than written when it resumed
	Files         events.FileCounts
	// ResumedAfter is the BytesWritten of the previous attempt's last
	// heartbeat (0 on the first attempt).
	ResumedAfter int64
}

// Activities holds what every transfer of a worker shares. Register it
// with worker.RegisterActivityWithOptions(a.Transfer,
// activity.RegisterOptions{Name: TransferName}).
type Activities struct {
	Ascp string // ascp to run; empty: PATH, then IBM's install folders
	// HeartbeatInterval is how often progress is recorded (default 5s, and
	// never more than half the activity's HeartbeatTimeout). Cancellation
	// reaches the activity through a heartbeat, so this also bounds how
	// long a cancelled transfer goes on.
	HeartbeatInterval time.Duration
	Log               zerolog.Logger // asession's log (default: none)
}

// Transfer runs one job and returns its summary. Failures are Temporal
// ApplicationErrors of type ErrorType(code) with the summary as details:
// retryable when the exit code table says retrying may help (ascp's error is
// retryable), non-retryable otherwise; a job that does not validate is a
// non-retryable ErrorTypeInput. Activity cancellation stops ascp (CANCEL,
// then a kill after the grace period) before Transfer returns.
func (a *Activities) Transfer(ctx context.Context, in TransferInput) (*events.Summary, error) {
	info := activity.GetInfo(ctx)
	job, inputErr := session.CheckInput(in.Job, session.CheckOptions{})
	if inputErr != nil {
		return nil, temporal.NewNonRetryableApplicationError(inputErr.Error(), ErrorTypeInput, inputErr)
	}
	// Every attempt's ascp carries the resume policy (session.Prepare
	// adds it), so that a later attempt resumes what this one left.

	var previous Progress
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &previous); err != nil {
			activity.GetLogger(ctx).Warn("unreadable heartbeat details of the previous attempt", "error", err)
		}
	}
	if previous.BytesWritten > 0 {
		activity.GetLogger(ctx).Info("resuming a transfer", "attempt", info.Attempt, "bytes_written_before", previous.BytesWritten)
	}

	hb := &heartbeater{progress: Progress{Attempt: info.Attempt, ResumedAfter: previous.BytesWritten}}
	activity.RecordHeartbeat(ctx, hb.progress)
	o := session.Run(ctx, job, session.Options{
		Ascp:         a.Ascp,
		Retries:      in.Retries,
		Log:          a.Log,
		OnTick:       func(s events.Snapshot) { activity.RecordHeartbeat(ctx, hb.update(s)) },
		TickInterval: a.interval(info.HeartbeatTimeout),
	})
	if o.Summary != nil {
		// The final numbers, so that a retry starts from them.
		activity.RecordHeartbeat(ctx, hb.final(o.Summary))
	}
	return o.Summary, transferError(ctx, o)
}

func (a *Activities) interval(timeout time.Duration) time.Duration {
	d := a.HeartbeatInterval
	if d <= 0 {
		d = 5 * time.Second
	}
	if timeout > 0 && d > timeout/2 {
		d = timeout / 2
	}
	return d
}

// transferError maps an outcome onto Temporal's retry decision through the
// exit-code table, the same decision a workflow engine reading the exit
// code makes.
func transferError(ctx context.Context, o *session.Outcome) error {
	if o.Err == nil {
		return nil
	}
	if ctx.Err() != nil {
		// Cancelled by Temporal (or its deadline): report that, not ascp's
		// "cancelled by user".
		return ctx.Err()
	}
	msg := fmt.Sprintf("transfer failed (exit code %d): %s", o.ExitCode, o.Err.Error())
	typ := ErrorType(o.Err.Code)
	if retryMayHelp(o.ExitCode) {
		return temporal.NewApplicationErrorWithCause(msg, typ, o.Err, o.Summary)
	}
	return temporal.NewNonRetryableApplicationError(msg, typ, o.Err, o.Summary)
}

func retryMayHelp(code int) bool {
	for _, c := range session.ExitCodes {
		if c.Code == code {
			return c.RetryMayHelp
		}
	}
	return false
}

// heartbeater keeps the progress between heartbeats. Session.Run calls
// OnTick from one goroutine and returns only after it stopped, so final
// never runs alongside update.
type heartbeater struct {
	progress Progress
}

func (h *heartbeater) update(s events.Snapshot) Progress {
	h.progress.BytesWritten = s.BytesWritten
	h.progress.BytesExpected = s.BytesExpected
	h.progress.BytesSent = s.BytesSent
	h.progress.Files = s.Counts
	return h.progress
}

// final takes the summary's totals (BytesSent stays the last tick's: the
// summary does not carry it).
func (h *heartbeater) final(s *events.Summary) Progress {
	h.progress.BytesWritten = s.BytesWritten
	h.progress.BytesExpected = s.BytesExpected
	h.progress.Files = s.Files
	return h.progress
}
