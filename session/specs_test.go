package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

var update = flag.Bool("update", false, "rewrite golden files from the current output")

const fixedXferID = "00000000-0000-4000-8000-000000000000"

// fakeInstall makes an ascp install folder: bin/ascp and bin/ascp4 (never
// run by these tests), etc/ with the older token bypass keys, and sdk/,
// an aspera-cli SDK folder with ascp (no ascp4) and IBM's SDK key names.
func fakeInstall(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, dir := range []string{"bin", "etc", "sdk"} {
		if err := os.Mkdir(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	exes := []string{"bin/ascp", "bin/ascp4", "sdk/ascp"}
	if runtime.GOOS == "windows" {
		// ascp is ascp.exe there: what the SDK folder is searched for.
		exes = append(exes, "sdk/ascp.exe")
	}
	for _, exe := range exes {
		if err := os.WriteFile(filepath.Join(root, exe), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range []string{"etc/aspera_tokenauth_id_rsa", "etc/asperaweb_id_dsa.openssh", "sdk/aspera_bypass_rsa.pem", "sdk/aspera_bypass_dsa.pem"} {
		if err := os.WriteFile(filepath.Join(root, key), []byte("key"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestSpecs walks testdata/specs: each good_ input must dry-run to its
// golden report, each fail_ input must be refused with its golden error.
// Paths that depend on the machine are written as $INSTALL, in inputs and
// goldens alike; the home folder (IBM's default SDK folder is under it) is
// $INSTALL too. An input naming an sdk folder finds ascp there instead of
// being given it.
func TestSpecs(t *testing.T) {
	inputs, _ := filepath.Glob("../testdata/specs/*.json")
	var cases []string
	for _, p := range inputs {
		if !strings.HasSuffix(p, ".golden.json") {
			cases = append(cases, p)
		}
	}
	if len(cases) == 0 {
		t.Fatal("no specs in testdata/specs")
	}
	install := fakeInstall(t)
	t.Setenv("HOME", install)
	t.Setenv("USERPROFILE", install) // Windows' home
	for _, path := range cases {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			if why := unixOnly[name]; why != "" && runtime.GOOS == "windows" {
				t.Skip(why)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			data = bytes.ReplaceAll(data, []byte("$INSTALL"), jsonString(install))
			ascpPath := filepath.Join(install, "bin", "ascp")
			if gjson.GetBytes(data, "sdk").Exists() {
				ascpPath = ""
			}
			got, code := dryRunOutput(data, ascpPath)
			// Read as the command reads it: streamed from a file, its
			// paths written to a list file as they come.
			file := filepath.Join(t.TempDir(), "spec.json")
			if err := os.WriteFile(file, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if streamed, streamedCode := dryRunStreamed(t, "@file:"+file, ascpPath); !bytes.Equal(streamed, got) || streamedCode != code {
				t.Errorf("streamed from a file, exit %d:\n%s\nfrom memory, exit %d:\n%s", streamedCode, streamed, code, got)
			}
			got = machinePaths(bytes.ReplaceAll(got, jsonString(install), []byte("$INSTALL")))
			good := strings.HasPrefix(name, "good_")
			if good != (code == ExitOK) {
				t.Fatalf("exit code %d for %s:\n%s", code, name, got)
			}
			golden := strings.TrimSuffix(path, ".json") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./session -run TestSpecs -update and review the file)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("output differs from %s (-want +got):\n%s", golden, diff)
			}
			assertNoSecretLeaks(t, data, got)
		})
	}
}

// unixOnly are the cases whose golden holds what differs on Windows, and
// why.
var unixOnly = map[string]string{
	"fail_use_ascp4_not_installed":       "its golden quotes Unix's wording of a missing file (stat ...: no such file or directory)",
	"good_multi_session_shares_udp_port": "agent.multi_incr_udp defaults to true on Windows, as in IBM's runner: there each session gets a UDP port of its own (good_multi_incr_udp)",
}

// jsonString is s as it appears inside a JSON string: a Windows path's
// backslashes doubled.
func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b[1 : len(b)-1]
}

// machinePathPattern matches a path below one of the folders the goldens
// name by placeholder, as it appears in the JSON output.
var machinePathPattern = regexp.MustCompile(`(\$INSTALL|<private-temp-dir>)((\\\\[^"\\ ]+)+)`)

// machinePaths writes the paths below $INSTALL and the private folder with
// / and without .exe, as on Unix, so that one golden serves Windows too.
// Paths that come from the spec are left as they are.
func machinePaths(out []byte) []byte {
	if runtime.GOOS != "windows" {
		return out
	}
	return machinePathPattern.ReplaceAllFunc(out, func(m []byte) []byte {
		return bytes.ReplaceAll(bytes.ReplaceAll(m, []byte(`\\`), []byte("/")), []byte(".exe"), nil)
	})
}

// dryRunOutput is what `asession --strict --allow-input-overrides
// --dry-run` prints for data, indented for reviewable golden files: with
// the command's default of 3 retries, so the first attempt already carries
// the resume policy. (Without the flag, the inputs naming sdk,
// file_list_folder or raw ascp arguments are refused:
// testdata/script/fail_input_overrides_need_the_flag.txtar.)
func dryRunOutput(data []byte, ascpPath string) ([]byte, int) {
	in, e := CheckInput(data, specsCheck)
	return dryRunOf(in, e, ascpPath)
}

// specsCheck are the options the specs are checked with.
var specsCheck = CheckOptions{Strict: true, AllowInputOverrides: true}

// dryRunStreamed is dryRunOutput of the JOB argument arg, read by
// ReadJob; it checks that nothing is left in TMPDIR once the input is
// closed.
func dryRunStreamed(t *testing.T, arg, ascpPath string) ([]byte, int) {
	tmp := t.TempDir()
	useTempDir(t, tmp)
	in, _, err := ReadJob(arg, nil, specsCheck)
	var e *events.Error
	if err != nil && !errors.As(err, &e) {
		t.Fatalf("%s: %v", arg, err)
	}
	out, code := dryRunOf(in, e, ascpPath)
	in.Close()
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
	return out, code
}

// dryRunOf is the dry run of a checked input, or its input error e,
// indented for reviewable golden files.
func dryRunOf(in *schema.Input, e *events.Error, ascpPath string) ([]byte, int) {
	var v any
	code := ExitOK
	if e != nil {
		v, code = e, ExitUsage
	} else {
		report, err := DryRun(in, PrepareOptions{Ascp: ascpPath, NewXferID: func() string { return fixedXferID }, AllowInputOverrides: true}, "JOB")
		if err != nil {
			v, code = err, ExitCodeOf(err)
		} else {
			v = report
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
	return buf.Bytes(), code
}

// assertNoSecretLeaks checks that no value of a secret field of the input
// shows in the output, whatever its spelling.
func assertNoSecretLeaks(t *testing.T, input, output []byte) {
	t.Helper()
	var walk func(r gjson.Result)
	walk = func(r gjson.Result) {
		r.ForEach(func(k, v gjson.Result) bool {
			if f, ok := schema.Lookup(canonicalName(k.String())); ok && f.Secret && v.Type == gjson.String && len(v.Str) >= 4 {
				if bytes.Contains(output, []byte(v.Str)) {
					t.Errorf("secret field %s leaks its value into the output", k.String())
				}
			}
			if v.IsObject() || v.IsArray() {
				walk(v)
			}
			return true
		})
	}
	walk(gjson.ParseBytes(input))
}

func canonicalName(key string) string {
	for _, f := range schema.Fields {
		if f.Name == key {
			return key
		}
		for _, a := range f.Aliases {
			if a.Name == key {
				return f.Name
			}
		}
	}
	return key
}

// TestSpecsCoverEveryField makes adding a row without a test fail: every
// spelling of every field must appear in some good_ spec.
func TestSpecsCoverEveryField(t *testing.T) {
	inputs, _ := filepath.Glob("../testdata/specs/good_*.json")
	seen := map[string]bool{}
	for _, p := range inputs {
		if strings.HasSuffix(p, ".golden.json") {
			continue
		}
		data, _ := os.ReadFile(p)
		var walk func(r gjson.Result)
		walk = func(r gjson.Result) {
			r.ForEach(func(k, v gjson.Result) bool {
				seen[k.String()] = true
				if v.IsObject() || v.IsArray() {
					walk(v)
				}
				return true
			})
		}
		walk(gjson.ParseBytes(data))
	}
	for _, f := range schema.Fields {
		if !seen[f.Name] {
			t.Errorf("no good_ spec in testdata/specs uses %s", f.Name)
		}
		for _, a := range f.Aliases {
			if !seen[a.Name] {
				t.Errorf("no good_ spec in testdata/specs uses %s (%s spelling of %s)", a.Name, a.Dialect, f.Name)
			}
		}
	}
}
