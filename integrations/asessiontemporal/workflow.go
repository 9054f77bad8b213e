package asessiontemporal

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/faspkit/asession/events"
)

// TransferWorkflow is the short example: one transfer with Temporal
// retrying what may succeed later (connection lost, stalls, disk errors…)
// and resuming partial files each time, while a wrong password or a bad
// spec fails at once. The retry policy is IBM's own client's (7 tries,
// waits from 2s doubling); a workflow that needs other limits copies this.
func TransferWorkflow(ctx workflow.Context, in TransferInput) (*events.Summary, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		// The whole transfer, retries included, must fit in here.
		StartToCloseTimeout: 24 * time.Hour,
		// A worker that dies is noticed within a minute; the activity
		// heartbeats well inside that.
		HeartbeatTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    2 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			MaximumAttempts:    7,
		},
	})
	var summary events.Summary
	if err := workflow.ExecuteActivity(ctx, TransferName, in).Get(ctx, &summary); err != nil {
		return nil, err
	}
	return &summary, nil
}
