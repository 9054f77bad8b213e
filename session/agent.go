package session

import (
	"time"

	"github.com/faspkit/asession/schema"
)

// Option names, as the command's flags name them: Options.Explicit is
// asked about these, and the aspera-cli envelope's agent options apply to
// those the caller did not choose.
const (
	OptionRetries        = "retries"
	OptionRetryDelay     = "retry-delay"
	OptionRetryMaxDelay  = "retry-max-delay"
	OptionRetryFactor    = "retry-factor"
	OptionConnectTimeout = "connect-timeout"
	OptionSpawnDelay     = "spawn-delay"
)

// applyAgent carries the runner options of an aspera-cli envelope
// (agent.resume, spawn_timeout_sec, spawn_delay_sec) into opts, once, in
// Run. An option the caller chose keeps its value: opts.Explicit says
// which; without it, an option is the caller's when it is not zero, which
// suits a library caller that starts from Options{}.
func applyAgent(opts *Options, agent schema.Agent) {
	explicit := opts.Explicit
	if explicit == nil {
		zero := map[string]bool{
			OptionRetries: opts.Retries == 0, OptionRetryDelay: opts.RetryDelay == 0,
			OptionRetryMaxDelay: opts.RetryMaxDelay == 0, OptionRetryFactor: opts.RetryFactor == 0,
			OptionConnectTimeout: opts.ConnectTimeout == 0, OptionSpawnDelay: opts.SpawnDelay == 0,
		}
		explicit = func(option string) bool { return !zero[option] }
	}
	set := func(option string, apply func()) {
		if !explicit(option) {
			apply()
		}
	}
	if r := agent.Resume; r != nil {
		// IBM's iter_max counts the retries after the first attempt.
		set(OptionRetries, func() { opts.Retries = r.IterMax })
		set(OptionRetryDelay, func() { opts.RetryDelay = time.Duration(r.SleepInitial) * time.Second })
		set(OptionRetryMaxDelay, func() { opts.RetryMaxDelay = time.Duration(r.SleepMax) * time.Second })
		set(OptionRetryFactor, func() { opts.RetryFactor = r.SleepFactor })
	}
	if agent.SpawnTimeout > 0 {
		set(OptionConnectTimeout, func() { opts.ConnectTimeout = agent.SpawnTimeout })
	}
	if agent.SpawnDelay > 0 {
		set(OptionSpawnDelay, func() { opts.SpawnDelay = agent.SpawnDelay })
	}
}
