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
		[]byte(`{"remote_host":"h","tags":` + strings.Repeat(`{"a":`, maxDepth) + `1` + strings.Repeat(`}`, maxDepth) + `}`),
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
	deep := []byte(`{"a":"x\\\\","b":` + strings.Repeat(`[`, maxDepth))
	if p := CheckDepth(deep); p == nil {
		t.Errorf("brackets after %s not counted", deep[:12])
	}
}

// A big text is validated beside its parse: whatever the parse made of
// it, text that is not JSON, or too deep, has that one problem.
func TestBigTextValidatedBesideItsParse(t *testing.T) {
	paths := strings.Repeat(`{"source":"/a/file/of/a/big/job"},`, validateBeside/34+1)
	for text, want := range map[string]string{
		`{"remote_host":"h","paths":[` + paths + `{"source":"/z"}],"direction":tru}`:                              "not valid JSON",
		`{"remote_host":"h","paths":[` + paths + `{"source":"/z"}],"tags":` + strings.Repeat(`[`, maxDepth) + `}`: "nested at most",
	} {
		if len(text) < validateBeside {
			t.Fatalf("%d bytes: not big", len(text))
		}
		in, problems := ParseInput([]byte(text), "")
		if len(problems) != 1 || problems[0].Pointer != "/" || !strings.Contains(problems[0].Found+problems[0].Expected, want) {
			t.Errorf("problems %v, want one about %q", problems, want)
		}
		if in.Spec != nil {
			t.Errorf("a spec of text that is not valid: %v", in.Spec.Names())
		}
	}
}
