package schema

import (
	"bytes"
	"os"
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

// A big text that is not JSON, or too deep, after a paths array of a
// few megabytes has that one problem, from memory as from a stream, and
// the stream leaves no list file behind.
func TestBigTextNotJSONAfterItsPaths(t *testing.T) {
	paths := strings.Repeat(`{"source":"/a/file/of/a/big/job"},`, 100_000)
	for text, want := range map[string]string{
		`{"remote_host":"h","paths":[` + paths + `{"source":"/z"}],"direction":tru}`:                              "not valid JSON",
		`{"remote_host":"h","paths":[` + paths + `{"source":"/z"}],"tags":` + strings.Repeat(`[`, maxDepth) + `}`: "nested at most",
		`{"remote_host":"h","paths":[` + paths + `{"source":"/z"}] "direction":"send"}`:                           "not valid JSON",
	} {
		in, problems := ParseInput([]byte(text), "")
		if len(problems) != 1 || problems[0].Pointer != "/" || !strings.Contains(problems[0].Found+problems[0].Expected, want) {
			t.Errorf("problems %v, want one about %q", problems, want)
		}
		if in.Spec != nil {
			t.Errorf("a spec of text that is not valid: %v", in.Spec.Names())
		}
		tmp := t.TempDir()
		useTempDir(t, tmp)
		in, _, problems, err := ReadInput(strings.NewReader(text), ReadOptions{Spool: true})
		if err != nil || len(problems) != 1 || !strings.Contains(problems[0].Found+problems[0].Expected, want) {
			t.Errorf("streamed: %v, %v; want one about %q", problems, err, want)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("left behind: %v", left)
		}
		in.Close()
	}
}
