package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/tidwall/gjson"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/schema"
	"github.com/faspkit/asession/session"
)

// Fuzz targets for the untrusted input: the job description (any
// envelope) and the Faspex link. Seeds are the specs of ../testdata/specs
// and the entries of testdata/fuzz/<FuzzName>/, which go test also runs as
// regression cases; make fuzz-ci fuzzes each target briefly.

// marker replaces every secret value in the differential checks below. It
// is valid in every secret field and in a URL, and never produced by the
// code under test.
const marker = "S3NT1NEL-q7Zx9wK"

func addSpecs(f *testing.F) {
	paths, err := filepath.Glob("../testdata/specs/*.json")
	if err != nil || len(paths) == 0 {
		f.Fatalf("no specs in ../testdata/specs: %v", err)
	}
	for _, p := range paths {
		if strings.HasSuffix(p, ".golden.json") {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzParseInput: parsing never panics; a spec that validates always
// builds (or fails with a schema.Problem); and the values of secret fields
// never reach argv, a problem description or a dry run, while they do
// reach ascp's environment.
func FuzzParseInput(f *testing.F) {
	addSpecs(f)
	f.Add([]byte(`{"spec":{"remote_host":"h","direction":"send","paths":[{"source":"a"}],"proxy":"dnat://u:pw@p:1\u0001"},"agent":{"secret_cookie":true}}`))
	f.Add([]byte(`{"remote_host":"h","direction":"send","paths":[{"source":"a"}],"EX_http_proxy_url":"http://u:pw@web-proxy:3128"}`))
	f.Add([]byte(`{"transfer_specs":[{"transfer_spec":{"remote_host":"h","direction":"receive","paths":[{"source":"a","destination":"b"}],"token":"Bearer x","cookie":"c"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, problems := schema.ParseInput(data, "")
		if in == nil || in.Spec == nil && len(problems) == 0 {
			t.Fatal("ParseInput returned no input and no problem")
		}
		for _, p := range problems {
			if !strings.HasPrefix(p.Pointer, "/") && p.Pointer != "--url" {
				t.Fatalf("problem without a JSON pointer: %+v", p)
			}
		}
		if len(problems) == 0 {
			buildValid(t, in)
		}
		sameWhenStreamed(t, data, in, problems)
		if !bytes.Contains(data, []byte("S3NT1NEL")) {
			checkSecretsStayOut(t, data, in)
		}
	})
}

// sameWhenStreamed: data read as a stream, half a buffer at a time, its
// list lines written to a file as they come, gives ParseInput's problems
// and list lines.
func sameWhenStreamed(t *testing.T, data []byte, in *schema.Input, problems schema.Problems) {
	t.Helper()
	streamed, _, streamedProblems, err := schema.ReadInput(iotest.HalfReader(bytes.NewReader(data)), schema.ReadOptions{Spool: true})
	if err != nil {
		if len(problems) != 1 || problems[0].Found != "text that is not valid JSON" {
			t.Fatalf("%q: streamed: %v; ParseInput: %v", data, err, problems)
		}
		return
	}
	defer streamed.Close()
	if fmt.Sprint(streamedProblems) != fmt.Sprint(problems) {
		t.Fatalf("%q: streamed: %v; ParseInput: %v", data, streamedProblems, problems)
	}
	if len(problems) > 0 || in.Spec.PathList() == nil {
		return
	}
	want, got := in.Spec.PathList(), streamed.Spec.PathList()
	if got == nil || got.Lines() != want.Lines() || got.Pairs != want.Pairs {
		t.Fatalf("%q: streamed list %+v; ParseInput's %+v", data, got, want)
	}
	for i := range want.Lines() {
		if got.Line(i) != want.Line(i) {
			t.Fatalf("%q: streamed line %d %q; ParseInput's %q", data, i, got.Line(i), want.Line(i))
		}
	}
}

var buildOpts = ascp.BuildOptions{
	ListDir:    "/private/list",
	BypassKeys: []string{"/opt/aspera/etc/aspera_tokenauth_id_rsa"},
	NewXferID:  func() string { return "00000000-0000-4000-8000-000000000000" },
}

// buildValid builds a valid input: only a schema.Problem may stop it, and
// what it builds is well-formed.
func buildValid(t *testing.T, in *schema.Input) []ascp.Invocation {
	t.Helper()
	opts := buildOpts
	opts.ExtraArgs, opts.MultiIncrUDP, opts.SecretCookie = in.Agent.AscpArgs, in.Agent.MultiIncrUDP, in.Agent.SecretCookie
	cmds, err := ascp.Build(in.Spec, opts)
	if err != nil {
		var p schema.Problem
		if !errors.As(err, &p) {
			t.Fatalf("a valid spec failed to build with %T: %v", err, err)
		}
		return nil
	}
	if len(cmds) == 0 {
		t.Fatal("a valid spec built no command")
	}
	for _, c := range cmds {
		n := len(c.Args)
		switch {
		case in.Spec.Bool("use_ascp4"):
			// ascp4 has no --dest64: the destination is last, as it is.
			if n < 1 || strings.HasPrefix(c.Args[n-1], "-") || slices.Contains(c.Args, "--dest64") {
				t.Fatalf("ascp4's destination is not last: %q", c.Args)
			}
		case n < 2 || c.Args[n-2] != "--dest64":
			t.Fatalf("the destination is not last: %q", c.Args)
		}
		if c.ListFile != nil {
			lines, err := c.ListFile.Load()
			if err != nil {
				t.Fatal(err)
			}
			for i := range lines.Len() {
				if line := lines.Line(i); line == "" || strings.ContainsAny(line, "\r\n") {
					t.Fatalf("list file line %q", line)
				}
			}
		}
		for _, kv := range c.Env {
			if !strings.HasPrefix(kv, "ASPERA_") || !strings.Contains(kv, "=") {
				t.Fatalf("environment entry %q", kv)
			}
		}
	}
	return cmds
}

// secretSpellings are the input keys whose values are secret, aliases
// included.
var secretSpellings = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range schema.Fields {
		if f.Secret && f.Handling != schema.FaspURL {
			m[f.Name] = true
			for _, a := range f.Aliases {
				m[a.Name] = true
			}
		}
	}
	return m
}()

// proxySpellings are the spellings of the fields whose URL may hold a
// password (the table's ProxyURL rows).
var proxySpellings = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range schema.Fields {
		if f.Handling == schema.ProxyURL {
			m[f.Name] = true
			for _, a := range f.Aliases {
				m[a.Name] = true
			}
		}
	}
	return m
}()

// checkSecretsStayOut puts the marker into every secret of the input (the
// secret fields, a proxy URL's password, a fasp_url's token; the cookie
// too when it is marked secret) and checks where the marker goes: never
// into argv, a problem or a dry run; always into ascp's environment for
// the secrets ascp is given.
func checkSecretsStayOut(t *testing.T, data []byte, orig *schema.Input) {
	t.Helper()
	var root any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if dec.Decode(&root) != nil {
		return
	}
	spec, ok := lookupPointer(root, orig.SpecPointer).(map[string]any)
	if !ok {
		return
	}
	secretCookie := false
	if agent, ok := lookupPointer(root, "/agent").(map[string]any); ok && orig.Envelope == schema.AsperaCLI {
		secretCookie = agent["secret_cookie"] == true
	}
	injected := false
	for key, v := range spec {
		s, isString := v.(string)
		if !isString {
			continue
		}
		switch {
		case secretSpellings[key], key == "cookie" && secretCookie:
			spec[key] = marker
			injected = true
		case proxySpellings[key]:
			if withPassword, ok := replacePassword(s, marker); ok {
				spec[key] = withPassword
				injected = true
			}
		case key == "fasp_url":
			if withToken, ok := replaceQuery(s, "token", marker); ok {
				spec[key] = withToken
				injected = true
			}
		}
	}
	if !injected {
		return
	}
	mod, err := json.Marshal(root)
	if err != nil {
		return
	}
	in, problems := schema.ParseInput(mod, "")
	if text, _ := json.Marshal(problems); bytes.Contains(text, []byte(marker)) {
		t.Fatalf("a problem repeats a secret: %s", text)
	}
	if len(problems) > 0 {
		return
	}
	cmds := buildValid(t, in)
	for _, c := range cmds {
		for _, a := range c.Args {
			if strings.Contains(a, marker) {
				t.Fatalf("a secret reached argv: %q", c.Args)
			}
		}
		// The secrets that ascp needs must reach it: otherwise the
		// checks above would pass for nothing.
		if env := strings.Join(c.Env, "\n"); expectsSecretEnv(in) && !strings.Contains(env, marker) {
			t.Fatalf("secrets missing from ascp's environment %q", c.Env)
		}
	}
	if cmds != nil {
		report, e := session.DryRun(in, session.PrepareOptions{Ascp: "/bin/sh", NewXferID: buildOpts.NewXferID}, "job")
		if e != nil {
			return
		}
		if text, _ := json.Marshal(report); bytes.Contains(text, []byte(marker)) {
			t.Fatalf("a dry run shows a secret: %s", text)
		}
	}
}

// expectsSecretEnv reports whether the spec has a secret that ascp gets
// through its environment.
func expectsSecretEnv(in *schema.Input) bool {
	for _, name := range []string{"remote_password", "ssh_private_key_passphrase", "token", "ssh_private_key", "content_protection_password"} {
		if in.Spec.String(name) == marker {
			return true
		}
	}
	return in.Agent.SecretCookie && in.Spec.String("cookie") == marker
}

// replacePassword replaces the password of a URL's user information, as
// url.Parse would find it, even in a URL that url.Parse refuses.
func replacePassword(link, password string) (string, bool) {
	scheme, rest, ok := strings.Cut(link, "://")
	if !ok {
		return link, false
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return link, false
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return link, false
	}
	return scheme + "://" + user + ":" + url.PathEscape(password) + rest[at:], true
}

// replaceQuery sets the value of every param of a link's query, keeping
// the rest of the link as it is.
func replaceQuery(link, param, value string) (string, bool) {
	base, query, ok := strings.Cut(link, "?")
	if !ok {
		return link, false
	}
	pairs := strings.Split(query, "&")
	found := false
	for i, pair := range pairs {
		if key, _, _ := strings.Cut(pair, "="); key == param {
			pairs[i] = param + "=" + value
			found = true
		}
	}
	return base + "?" + strings.Join(pairs, "&"), found
}

// lookupPointer follows a JSON pointer of the forms ParseInput uses.
func lookupPointer(v any, ptr string) any {
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if part == "" {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			if part != "0" || len(x) == 0 {
				return nil
			}
			v = x[0]
		default:
			return nil
		}
	}
	return v
}

// FuzzParseFaspURL: a link never makes the parser panic, every member it
// yields is JSON text, and a link that makes a valid spec builds, with its
// token in ascp's environment and never in argv.
func FuzzParseFaspURL(f *testing.F) {
	for _, link := range []string{
		"faspe://user@host.example.com:33001/path%20with%20spaces?cookie=c&token=ATM123==&port=33001&policy=fair&targetrate=45000&minrate=0&enc=aes128&fallback=yes&httpport=443&auth=no&createpath=no&lockpolicy=yes&lockminrate=yes&bwcap=100000&v=2",
		"fasp://h/?token=Bearer%20abc&tags64=eyJhIjoxfQ==&enc=aes256cfb",
		"fasp://u@h:22?port=x&targetrate=1e5",
		"faspe://[::1]:33001/a/b?sshfp=SHA256:abc&enc=none",
		"fasp://h?tags64=%%%",
		"http://h/",
	} {
		f.Add(link)
	}
	f.Fuzz(func(t *testing.T, link string) {
		members, err := schema.ParseFaspURL(link)
		if err != nil {
			return
		}
		for name, text := range members {
			if _, known := schema.Lookup(name); !known {
				t.Fatalf("member %q is not a field", name)
			}
			if f, _ := schema.Lookup(name); f.Type != schema.Integer && !gjson.Valid(text) {
				t.Fatalf("member %s is not JSON: %q", name, text)
			}
		}
		// The --url flag's way in: the link merged under a spec.
		if in, problems := schema.ParseInput([]byte(`{"direction":"send","paths":[{"source":"a"}]}`), link); len(problems) == 0 {
			buildValid(t, in)
		}
		spec, _ := json.Marshal(map[string]any{"direction": "receive", "fasp_url": link})
		in, problems := schema.ParseInput(spec, "")
		if len(problems) > 0 {
			return
		}
		buildValid(t, in)
		if strings.Contains(link, "S3NT1NEL") {
			return
		}
		if withMarker, ok := replaceQuery(link, "token", marker); ok {
			spec, _ = json.Marshal(map[string]any{"direction": "receive", "fasp_url": withMarker})
			checkSecretsStayOut(t, spec, in)
		}
	})
}
