package session

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/faspkit/asession/events"
)

// endlessString is stdin holding a JSON string that never ends.
type endlessString struct {
	started bool
	read    int64
}

func (e *endlessString) Read(p []byte) (int, error) {
	i := 0
	if !e.started {
		i = copy(p, `{"remote_host":"`)
		e.started = true
	}
	for ; i < len(p); i++ {
		p[i] = 'a'
	}
	e.read += int64(len(p))
	return len(p), nil
}

// inputProblem is the found of the first problem of an error line.
func inputProblem(t *testing.T, err error) string {
	t.Helper()
	var e *events.Error
	if !errors.As(err, &e) || len(e.Problems) == 0 {
		t.Fatalf("not an input error line: %v", err)
	}
	return e.Problems[0].Found
}

// The size limit holds on stdin, reading no more than it and holding no
// more than it; a spec within it leaves the command channel after it
// whole.
func TestReadJobLimit(t *testing.T) {
	useTempDir(t, t.TempDir())
	stdin := &endlessString{}
	const limit = 8 << 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := ReadJob("", stdin, CheckOptions{MaxBytes: limit})
	runtime.ReadMemStats(&after)
	if found := inputProblem(t, err); !strings.Contains(found, "over 8388608 bytes (--max-input raises the limit)") {
		t.Fatalf("endless stdin: %v", found)
	}
	if stdin.read > limit+1<<20 {
		t.Errorf("read %d bytes of stdin past a limit of %d", stdin.read, limit)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > limit+4<<20 {
		t.Errorf("allocated %d bytes to refuse an endless string at a limit of %d", allocated, limit)
	}
	spec := `{"remote_host":"h","direction":"send","paths":[{"source":"/a"}]}`
	commands := "\n" + `{"type":"CANCEL"}` + "\n" + strings.Repeat("x", 4096)
	// What is held: the spec but its paths array.
	held := int64(len(spec) - len(`[{"source":"/a"}]`))
	in, rest, err := ReadJob("", strings.NewReader(spec+commands), CheckOptions{MaxBytes: held})
	if err != nil || in.Spec.String("remote_host") != "h" || in.Spec.PathList().Line(0) != "/a" {
		t.Fatalf("spec at the limit: %v", err)
	}
	in.Close()
	if got, _ := io.ReadAll(rest); string(got) != commands {
		t.Errorf("commands after the spec: %q", got)
	}
	if _, _, err := ReadJob("", strings.NewReader(spec), CheckOptions{MaxBytes: held - 1}); !strings.Contains(inputProblem(t, err), "over") {
		t.Errorf("spec over the limit: %v", err)
	}
	if _, _, err := ReadJob(spec, nil, CheckOptions{MaxBytes: held - 1}); !strings.Contains(inputProblem(t, err), "over") {
		t.Errorf("argument over the limit: %v", err)
	}
	if _, _, err := ReadJob("@file:/no/such/spec.json", nil, CheckOptions{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// An endless file is refused at once, with the default limit: it was read
// until a quarter of a gigabyte was held (about a gigabyte allocated)
// before it was found too large.
func TestReadJobRefusesDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	useTempDir(t, t.TempDir())
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := ReadJob("@file:/dev/zero", nil, CheckOptions{})
	runtime.ReadMemStats(&after)
	if found := inputProblem(t, err); found != "text that is not valid JSON" {
		t.Errorf("@file:/dev/zero: %s", found)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 4<<20 {
		t.Errorf("allocated %d bytes to refuse /dev/zero", allocated)
	}
}

// A spec whose paths went to a list file as they came leaves nothing
// behind when a problem is found after them, and Close removes the list
// of one that was read.
func TestReadJobLeavesNothingBehind(t *testing.T) {
	tmp := t.TempDir()
	useTempDir(t, tmp)
	paths := strings.Repeat(`{"source":"/a/b"},`, 50_000) + `{"source":"/z"}`
	left := func() []string {
		var names []string
		entries, _ := os.ReadDir(tmp)
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	for _, spec := range []string{
		`{"remote_host":"h","paths":[` + paths + `],"direction":"sideways"}`,
		`{"remote_host":"h","direction":"send","paths":[` + paths + `,{"source":""}]}`,
		`{"remote_host":"h","direction":"send","paths":[` + paths + `]`,
		`{"remote_host":"h","direction":"send","paths":[` + paths + `]} trailing`,
	} {
		if _, _, err := ReadJob(spec, nil, CheckOptions{}); err == nil {
			t.Errorf("%s: accepted", spec[len(spec)-30:])
		}
		if names := left(); len(names) > 0 {
			t.Errorf("%s: left %v", spec[len(spec)-30:], names)
		}
	}
	in, _, err := ReadJob("", strings.NewReader(`{"remote_host":"h","direction":"send","paths":[`+paths+`]}`), CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if list := in.Spec.PathList(); list.File() == "" || list.Lines() != 50_001 {
		t.Fatalf("list %q of %d lines", list.File(), list.Lines())
	}
	if len(left()) != 1 {
		t.Errorf("spool: %v", left())
	}
	in.Close()
	if names := left(); len(names) > 0 {
		t.Errorf("closed, left %v", names)
	}
}

// useTempDir makes dir the folder os.TempDir names, on every platform:
// TMPDIR on Unix, TMP and TEMP on Windows, where TMPDIR alone would leave
// the spool in the user's own temporary folder and every check of what is
// left in dir would pass unread.
func useTempDir(tb testing.TB, dir string) {
	tb.Helper()
	for _, name := range []string{"TMPDIR", "TMP", "TEMP"} {
		tb.Setenv(name, dir)
	}
}
