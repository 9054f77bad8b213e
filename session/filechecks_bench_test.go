package session

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/schema"
)

// BenchmarkRelayChecks is the relay's hot path (BenchmarkRelayFrames/all)
// with --manifest on and off: on, each STOP goes through the hook to the
// completion queue. The hashers are held back (as for a job whose files
// are hashed at its end), so the queue only grows and spills to disk,
// its costliest state: what the relay pays per frame whatever the hashers
// do.
//
//	go test -run '^$' -bench RelayChecks -benchmem -cpu 1 ./session
func BenchmarkRelayChecks(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "manifest"
		}
		b.Run(name, func(b *testing.B) {
			src := newMixStream()
			j := testJob(b, `{"remote_host":"h","direction":"receive","paths":[{"source":"/a"}],"destination_root":"/d"}`, devNull(b))
			fr := frameRelay{job: j, session: 1, raw: true, redact: newFrameRedactor([]string{benchPassword}, false)}
			if on {
				j.opts.Manifest = filepath.Join(b.TempDir(), "manifest")
				j.in.Spec = withDeferredHashing(b)
				checks, err := newFileChecks(context.Background(), j)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { checks.abandoned.Store(true); checks.finish() })
				fr.checks = checks
			}
			reader := mgmt.NewReader(src)
			fr.makeLines(reader)
			step := relayStep(b, &fr, reader)
			measureFrames(b, src.meanFrameBytes(), step)
		})
	}
}

// withDeferredHashing is a spec whose files may be split across sessions,
// so that they are hashed only once the job ends.
func withDeferredHashing(tb testing.TB) *schema.Spec {
	in, e := CheckInput([]byte(`{"remote_host":"h","direction":"receive","multi_session":2,"multi_session_threshold":1,"paths":[{"source":"/a"}],"destination_root":"/d"}`), CheckOptions{})
	if e != nil {
		tb.Fatal(e)
	}
	return in.Spec
}
