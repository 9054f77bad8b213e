package schema

import (
	"runtime"
	"testing"
)

func TestMultiIncrUDPDefault(t *testing.T) {
	for goos, want := range map[string]bool{"windows": true, "linux": false, "darwin": false, "freebsd": false} {
		if got := multiIncrUDPDefault(goos); got != want {
			t.Errorf("multiIncrUDPDefault(%q) = %v, want %v", goos, got, want)
		}
	}
	// Every envelope starts from this system's default; the agent's own
	// value wins either way.
	spec := `{"remote_host":"h","remote_user":"u","direction":"send","paths":[{"source":"a"}]}`
	for input, want := range map[string]bool{
		spec:                               multiIncrUDPDefault(runtime.GOOS),
		`{"spec":` + spec + `}`:            multiIncrUDPDefault(runtime.GOOS),
		`{"spec":` + spec + `,"agent":{}}`: multiIncrUDPDefault(runtime.GOOS),
		`{"spec":` + spec + `,"agent":{"multi_incr_udp":true}}`:  true,
		`{"spec":` + spec + `,"agent":{"multi_incr_udp":false}}`: false,
	} {
		in, problems := ParseInput([]byte(input), "")
		if len(problems) > 0 {
			t.Fatalf("ParseInput(%s): %v", input, problems)
		}
		if in.Agent.MultiIncrUDP != want {
			t.Errorf("ParseInput(%s): MultiIncrUDP = %v, want %v", input, in.Agent.MultiIncrUDP, want)
		}
	}
}
