package schema

import (
	"bytes"
	"strings"
	"testing"
)

// Ten million nested brackets used to overflow the stack of the recursive
// validator; the depth check refuses them first, in one pass.
func TestDeepNestingIsAProblemNotACrash(t *testing.T) {
	for _, data := range [][]byte{
		bytes.Repeat([]byte("["), 10_000_000),
		[]byte(`{"remote_host":"h","tags":` + strings.Repeat(`{"a":`, MaxDepth) + `1` + strings.Repeat(`}`, MaxDepth) + `}`),
	} {
		_, problems := ParseInput(data, "")
		if len(problems) != 1 || problems[0].Pointer != "/" || !strings.Contains(problems[0].Expected, "nested at most") {
			t.Errorf("problems %v", problems)
		}
	}
	// Brackets inside strings do not count, escaped quotes included.
	ok := []byte(`{"a":"` + strings.Repeat(`[\"{`, 1000) + `"}`)
	if p := CheckDepth(ok); p != nil {
		t.Errorf("brackets in a string counted: %v", p)
	}
	// A string ends at a quote after an escaped backslash.
	deep := []byte(`{"a":"x\\\\","b":` + strings.Repeat(`[`, MaxDepth))
	if p := CheckDepth(deep); p == nil {
		t.Errorf("brackets after %s not counted", deep[:12])
	}
}
