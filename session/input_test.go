package session

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// endlessString is stdin holding a JSON string that never ends.
type endlessString struct{ started bool }

func (e *endlessString) Read(p []byte) (int, error) {
	i := 0
	if !e.started {
		i = copy(p, `{"remote_host":"`)
		e.started = true
	}
	for ; i < len(p); i++ {
		p[i] = 'a'
	}
	return len(p), nil
}

// The size limit holds on stdin without reading past it, and a spec
// within it leaves the command channel after it whole.
func TestReadInputLimit(t *testing.T) {
	_, _, err := ReadInputLimit("", &endlessString{}, 1<<20)
	if !errors.Is(err, errTooLarge) {
		t.Fatalf("endless stdin: %v", err)
	}
	spec := `{"remote_host":"h","direction":"send","paths":[{"source":"/a"}]}`
	commands := "\n" + `{"type":"CANCEL"}` + "\n" + strings.Repeat("x", 4096)
	data, rest, err := ReadInputLimit("", strings.NewReader(spec+commands), int64(len(spec)))
	if err != nil || string(data) != spec {
		t.Fatalf("spec at the limit: %q, %v", data, err)
	}
	if got, _ := io.ReadAll(rest); string(got) != commands {
		t.Errorf("commands after the spec: %q", got)
	}
	if _, _, err := ReadInputLimit(spec, nil, int64(len(spec)-1)); !errors.Is(err, errTooLarge) {
		t.Errorf("argument over the limit: %v", err)
	}
}
