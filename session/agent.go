package session

import (
	"time"

	"github.com/faspkit/asession/schema"
)

// ApplyAgent carries the runner options of an aspera-cli session object
// (agent.resume, spawn_timeout_sec, spawn_delay_sec) into opts. An option
// the caller chose keeps its value: explicit(name) reports whether the
// caller set the option of that command-line name; nil means "an option is
// the caller's when it is not zero", which suits the library.
func ApplyAgent(opts *Options, agent schema.Agent, explicit func(flag string) bool) {
	if explicit == nil {
		zero := map[string]bool{
			"retries": opts.Retries == 0, "retry-delay": opts.RetryDelay == 0,
			"retry-max-delay": opts.RetryMaxDelay == 0, "retry-factor": opts.RetryFactor == 0,
			"connect-timeout": opts.ConnectTimeout == 0, "spawn-delay": opts.SpawnDelay == 0,
		}
		explicit = func(flag string) bool { return !zero[flag] }
	}
	set := func(flag string, apply func()) {
		if !explicit(flag) {
			apply()
		}
	}
	if r := agent.Resume; r != nil {
		// IBM's iter_max counts the retries after the first attempt.
		set("retries", func() { opts.Retries = r.IterMax })
		set("retry-delay", func() { opts.RetryDelay = time.Duration(r.SleepInitial) * time.Second })
		set("retry-max-delay", func() { opts.RetryMaxDelay = time.Duration(r.SleepMax) * time.Second })
		set("retry-factor", func() { opts.RetryFactor = r.SleepFactor })
	}
	if agent.SpawnTimeout > 0 {
		set("connect-timeout", func() { opts.ConnectTimeout = agent.SpawnTimeout })
	}
	if agent.SpawnDelay > 0 {
		set("spawn-delay", func() { opts.SpawnDelay = agent.SpawnDelay })
	}
}
