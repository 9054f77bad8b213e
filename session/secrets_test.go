package session

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

func decodeOne(t testing.TB, frame []byte) *mgmt.Frame {
	t.Helper()
	f, err := mgmt.NewReader(bytes.NewReader(frame)).Next()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFrameRedactor(t *testing.T) {
	r := newFrameRedactor([]string{"hunter2-long", "abc", ""}, true)
	if len(r.secrets) != 1 {
		t.Fatalf("secrets scanned: %q; short ones must be skipped", r.secrets)
	}
	f := decodeOne(t, mgmt.AppendFrame(nil, "SESSION", "Cookie", "c", "User", "x:hunter2-long@h:hunter2-long",
		"Bytescont", "abc", "File", "/plain"))
	r.apply(f)
	want := map[string]string{"Cookie": "***", "User": "x:***@h:***", "Bytescont": "abc", "File": "/plain"}
	for name, v := range want {
		if got, _ := f.GetString(name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}

	// Without a secret cookie the cookie is data, shown as it is.
	r = newFrameRedactor(nil, false)
	f = decodeOne(t, mgmt.AppendFrame(nil, "INIT", "Cookie", "c"))
	r.apply(f)
	if got, _ := f.GetString("Cookie"); got != "c" {
		t.Errorf("cookie %q", got)
	}
}

// The redactor runs on every frame of a transfer with credentials: a frame
// without a secret must cost no allocation.
func TestFrameRedactorDoesNotAllocate(t *testing.T) {
	r := newFrameRedactor([]string{"Bearer eyJhbGciOi-token", "password-1234"}, true)
	f := decodeOne(t, statsFrame)
	if n := testing.AllocsPerRun(1000, func() { r.apply(f) }); n != 0 {
		t.Errorf("%.1f allocations per frame", n)
	}
}

var statsFrame = mgmt.AppendFrame(nil, "STATS", "SessionId", "0f3e2a1c-5b6d-4e7f-8a9b-0c1d2e3f4a5b",
	"UserStr", "asession-0123456789abcdef", "File", "/data/tree/nested/file-000123.bin", "Bytescont", "123456789",
	"Elapsedusec", "98765432", "Rate", "100000", "Loss", "0", "TransferBytes", "123456800", "Written", "123456789",
	"Size", "1073741824", "StartByte", "0", "Delay", "12", "Priority", "1")

func BenchmarkFrameRedactor(b *testing.B) {
	r := newFrameRedactor([]string{"Bearer eyJhbGciOi-token", "password-1234"}, true)
	f := decodeOne(b, statsFrame)
	b.ReportAllocs()
	for b.Loop() {
		r.apply(f)
	}
}

// Redaction is structural: numbers and flags are data, paths lose only a
// value that is a whole secret, text loses every secret, longest first and
// line by line for a multi-line one.
func TestFrameRedactorStructural(t *testing.T) {
	key := "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\nQyNTUxOQAAACDxyzabc123\n-----END OPENSSH PRIVATE KEY-----\n"
	r := newFrameRedactor([]string{"200000", "TOKEN1", "TOKEN1TAIL123", key, "e"}, false)
	f := decodeOne(t, mgmt.AppendFrame(nil, "STOP",
		"Size", "200000", "Bytescont", "200000", "Written", "1200000", "Encryption", "Yes",
		"File", "/data/200000.bin", "Source", "TOKEN1",
		"Description", "auth with 200000 and TOKEN1TAIL123 failed",
		"Token", "TOKEN1TAIL123",
		"Host", "key QyNTUxOQAAACDxyzabc123 echoed",
		"User", "send-user"))
	r.apply(f)
	want := map[string]string{
		"Size": "200000", "Bytescont": "200000", "Written": "1200000", "Encryption": "Yes",
		"File":        "/data/200000.bin",
		"Source":      "***",
		"Description": "auth with *** and *** failed",
		"Token":       "***",
		"Host":        "key *** echoed",
		"User":        "send-user", // "e" is below MinSecretLen
	}
	for name, v := range want {
		if got, _ := f.GetString(name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
}

// A secret that reappears once another is replaced is replaced too.
func TestSecretSetRedactsToFixpoint(t *testing.T) {
	set := newSecretSet([]string{"a***bc", "xyzxyz"})
	if got := string(set.redact([]byte("a" + "xyzxyz" + "bc"))); got != "***" {
		t.Errorf("got %q", got)
	}
}

// ascp's terminal lines and its prompt text go into error lines: every
// line of a multi-line key and the password in the prompt are redacted.
func TestRedactsTerminalAndPrompt(t *testing.T) {
	key := "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\nQyNTUxOQAAACDxyzabc123\n-----END OPENSSH PRIVATE KEY-----"
	pass := "prompt-password-1234"
	res := hostileRun{scenario: "echo-key-then-prompt",
		spec:    map[string]any{"ssh_private_key": key, "remote_password": pass},
		secrets: []string{"b3BlbnNzaC1rZXktdjEAAAA", "QyNTUxOQAAACDxyzabc123", pass}}.run(t)
	res.expectFailure(t, events.FromPrompt, "Password for ***", ExitFailed)
	terminal := strings.Join(res.outcome.Err.Terminal, "\n")
	if !strings.Contains(terminal, "key: ***") || strings.Contains(terminal, "QyNTUxOQ") {
		t.Errorf("terminal lines %q", res.outcome.Err.Terminal)
	}
}

// Secrets never reach argv by construction, so the dry run shows argv as
// it is: with one-character secrets, every argument is intact, and no
// secret value is an argument or part of one.
func TestDryRunArgvVerbatim(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var secretFields []string
	for _, f := range schema.Fields {
		if f.Secret && f.Handling != schema.FaspURL {
			secretFields = append(secretFields, f.Name)
		}
	}
	spec := map[string]any{"remote_host": "host.example", "remote_user": "sender", "direction": "send",
		"paths": []map[string]string{{"source": "/send/this"}}}
	for _, name := range secretFields {
		spec[name] = "e"
	}
	data, _ := json.Marshal(spec)
	in, problems := schema.ParseInput(data, "")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	report, e := DryRun(in, PrepareOptions{Ascp: exe, NewXferID: func() string { return "x" }}, "job-1")
	if e != nil {
		t.Fatal(e)
	}
	cmds, e := Prepare(in, PrepareOptions{Ascp: exe, ListDir: ListDirPlaceholder, NewXferID: func() string { return "x" }})
	if e != nil {
		t.Fatal(e)
	}
	argv := report.Sessions[0].Argv
	if want := append([]string{exe, "-M", PortPlaceholder, "-u", "job-1"}, cmds.Invocations[0].Args...); !slices.Equal(argv, want) {
		t.Errorf("dry-run argv %q, want %q", argv, want)
	}
	for _, a := range []string{"--mode=send", "--host=host.example", "--user=sender"} {
		if !slices.Contains(argv, a) {
			t.Errorf("argv %q lacks %q", argv, a)
		}
	}

	// The sentinels of long secrets are in the environment only.
	for _, name := range secretFields {
		spec[name] = "SENTINEL-" + name
	}
	spec["ssh_private_key_passphrase"] = spec["remote_password"] // one variable
	data, _ = json.Marshal(spec)
	in, problems = schema.ParseInput(data, "")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	cmds, e = Prepare(in, PrepareOptions{Ascp: exe, ListDir: t.TempDir()})
	if e != nil {
		t.Fatal(e)
	}
	for _, a := range cmds.Invocations[0].Args {
		if strings.Contains(a, "SENTINEL") {
			t.Errorf("argument %q holds a secret", a)
		}
	}
	if env := strings.Join(cmds.Invocations[0].Env, "\n"); strings.Count(env, "SENTINEL") < 3 {
		t.Errorf("secrets missing from the environment: %q", env)
	}
}
