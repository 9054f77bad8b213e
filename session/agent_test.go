package session

import (
	"testing"
	"time"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

func agentOf(t *testing.T, session string) schema.Agent {
	t.Helper()
	in, problems := schema.ParseInput([]byte(session), "")
	if problems != nil {
		t.Fatal(problems)
	}
	return in.Agent
}

// TestApplyAgentResume maps IBM's resume policy onto the retry options:
// iter_max retries after the first attempt, the waits in seconds.
func TestApplyAgentResume(t *testing.T) {
	agent := agentOf(t, `{"spec":{"remote_host":"h","direction":"send","paths":[{"source":"a"}]},
		"agent":{"resume":{"iter_max":4,"sleep_initial":3,"sleep_factor":5,"sleep_max":40},"spawn_timeout_sec":1.5,"spawn_delay_sec":2}}`)
	var o Options
	applyAgent(&o, agent)
	want := Options{Retries: 4, RetryDelay: 3 * time.Second, RetryFactor: 5, RetryMaxDelay: 40 * time.Second,
		ConnectTimeout: 1500 * time.Millisecond, SpawnDelay: 2 * time.Second}
	if o.Retries != want.Retries || o.RetryDelay != want.RetryDelay || o.RetryFactor != want.RetryFactor ||
		o.RetryMaxDelay != want.RetryMaxDelay || o.ConnectTimeout != want.ConnectTimeout || o.SpawnDelay != want.SpawnDelay {
		t.Errorf("got %+v", o)
	}

	// Members left out take IBM's defaults.
	o = Options{}
	applyAgent(&o, agentOf(t, `{"spec":{"remote_host":"h","direction":"send","paths":[{"source":"a"}]},"agent":{"resume":{}}}`))
	if o.Retries != 7 || o.RetryDelay != 2*time.Second || o.RetryFactor != 2 || o.RetryMaxDelay != 60*time.Second {
		t.Errorf("IBM's defaults: got %+v", o)
	}

	// What the caller chose stays: the library's non-zero fields, the
	// command line's explicit flags.
	o = Options{Retries: 1, RetryDelay: time.Millisecond}
	applyAgent(&o, agent)
	if o.Retries != 1 || o.RetryDelay != time.Millisecond || o.RetryFactor != 5 {
		t.Errorf("library choices overridden: %+v", o)
	}
	o = Options{Retries: 3, RetryDelay: time.Second, Explicit: func(option string) bool { return option == OptionRetryDelay }}
	applyAgent(&o, agent)
	if o.Retries != 4 || o.RetryDelay != time.Second {
		t.Errorf("flags: got %+v", o)
	}
	// An explicit zero is a choice too: --retries 0 means no retry here.
	o = Options{Retries: 0, Explicit: func(option string) bool { return option == OptionRetries }}
	applyAgent(&o, agent)
	if o.Retries != 0 {
		t.Errorf("--retries 0 overridden: %+v", o)
	}
}

// TestTargetAddressNotAvailableIsNotRetried: IBM's client makes one
// exception to code 14's retry.
func TestTargetAddressNotAvailableIsNotRetried(t *testing.T) {
	if retryable(events.NewError(events.FromAscpError, 14, "Target address not available")) {
		t.Error("retried code 14 'Target address not available'")
	}
	if !retryable(events.NewError(events.FromAscpError, 14, "Error establishing UDP connection")) {
		t.Error("code 14 otherwise is retryable")
	}
	if retryable(events.NewError(events.FromAscpError, 70, "from a newer ascp")) {
		t.Error("retried an unknown code")
	}
}
