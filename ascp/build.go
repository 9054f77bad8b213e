package ascp

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/faspkit/asession/schema"
	"github.com/tidwall/gjson"
)

// ListFile is a file of source paths that ascp reads instead of taking the
// sources on its command line: no length limit, no path taken for an option.
//
// Build makes it from the lines the spec's check made of the paths
// (schema.PathList), without a string per line; a list made line by line
// (a retry's) has Lines instead. Once written, a big list's lines can be
// dropped (Release) and read back from the file when next needed.
type ListFile struct {
	Option string   // "--file-list" or "--file-pair-list"
	Path   string   // where it is written (0600, in a private folder)
	Lines  []string // one path per line; pairs alternate source, destination

	mu       sync.Mutex
	paths    *schema.PathList // the lines, when built from a spec
	n        int              // lines of paths
	released bool             // paths was dropped once written: read them back from Path
	view     *ListLines
}

// Invocation is one ascp process of a job: its arguments, environment
// and list file, and which of the job's sessions it runs.
type Invocation struct {
	Args     []string  // ascp's arguments, without argv[0] and without -M/-u
	Env      []string  // NAME=value pairs added to the inherited environment
	ListFile *ListFile // nil for a keepalive session without paths
	Secrets  []string  // values that must never be shown
	Index    int       // 1-based session index within the job (ascp's -C i:N)
	Sessions int       // number of ascp processes of the job
}

// BuildOptions carries what the spec alone does not say.
type BuildOptions struct {
	ListDir      string   // folder for the list file
	ExtraArgs    []string // agent.ascp_args, appended before the paths
	MultiIncrUDP bool     // one UDP port per session (fasp_port + i - 1)
	BypassKeys   []string // SSH bypass keys for a token-only spec, one -i each (agent client_ssh_key chose them)
	NoWSS        bool     // agent.wss false: prefer the UDP transport when the spec has both
	NoFileList   bool     // agent.file_list false: every source on the command line
	TrustedCerts []string // agent.trusted_certs: with WebSocket, ascp takes the first with -i
	// FallbackKey and FallbackCert are the HTTP fallback private key and
	// certificate (-Y, -I) used when http_fallback is on; EX_fallback_key
	// and EX_fallback_cert override them.
	FallbackKey  string
	FallbackCert string
	SecretCookie bool // the cookie is a secret too (agent.secret_cookie)
	// NewXferID makes the job's tags.aspera.xfer_id; nil means a random
	// UUID. Tests pass a fixed one.
	NewXferID func() string
}

// The fields the builder's own rules read, found in the table by their
// handling or role rather than by name: renaming or adding one is a change
// of the table alone, and a table without them fails at init.
var (
	pathsField        = schema.Handled(schema.Paths)
	destinationField  = schema.Handled(schema.Destination)
	multiSessionField = schema.Handled(schema.MultiSession)
	sshPortField      = schema.Handled(schema.SSHPort)
	udpPortField      = schema.Handled(schema.UDPPort)
	wssField          = schema.Handled(schema.WSS)
	wssPortField      = schema.Handled(schema.WSSPort)
	tagsField         = schema.Handled(schema.Tags)
	extraArgsField    = schema.Handled(schema.ExtraArgs)
	ascp4Field        = schema.Handled(schema.Ascp4)
	quietField        = schema.Playing(schema.AlwaysOn)
	tokenField        = schema.Playing(schema.Token)
	identityField     = schema.Playing(schema.SSHIdentity)
	fallbackField     = schema.Playing(schema.Fallback)
	fallbackKeyField  = schema.Playing(schema.FallbackKey)
	fallbackCertField = schema.Playing(schema.FallbackCert)
	resumeField       = schema.Playing(schema.ResumePolicy)
	directionField    = schema.Playing(schema.Direction)
	// sshCredentials are the fields whose presence makes the bypass keys
	// unnecessary: a password or an inline key, not a key file.
	sshCredentials = schema.AllPlaying(schema.SSHCredential)
)

// ProxyPasswordEnv carries the password of a proxy URL, which is taken out
// of the URL so that argv never holds it.
const ProxyPasswordEnv = "ASPERA_PROXY_PASS"

// RedisDisableEnv keeps ascp from using a Redis server on the client
// side; IBM's runner always sets it to true for ascp (never for ascp4).
const RedisDisableEnv = "ASPERA_TEST_REDIS_DISABLE"

// CredentialEnv are the variables ascp reads credentials from: Build sets
// those the spec fills, and ascp inherits any other from the environment
// asession runs in.
func CredentialEnv() []string {
	var names []string
	for _, f := range schema.Fields {
		if f.Env != "" && !slices.Contains(names, f.Env) {
			names = append(names, f.Env)
		}
	}
	return append(names, ProxyPasswordEnv)
}

// IsSecretEnv reports whether a variable that Build sets carries a secret.
func IsSecretEnv(name string) bool {
	if name == ProxyPasswordEnv {
		return true
	}
	for _, f := range schema.Fields {
		if f.Env == name && f.Secret {
			return true
		}
	}
	return false
}

// Build turns a validated spec into the ascp commands of one job: one, or
// multi_session of them. A spec that is valid field by field but cannot be
// built fails with a schema.Problem.
func Build(spec *schema.Spec, opts BuildOptions) ([]Invocation, error) {
	b := &builder{spec: spec, opts: opts, env: map[string]string{}}
	b.wss = spec.Bool(wssField.Name) && (!opts.NoWSS || !spec.Has(udpPortField.Name))
	b.ascp4 = spec.Bool(ascp4Field.Name)
	// IBM's asession always runs ascp quiet: its progress output would only
	// fill the terminal asession watches for prompts.
	b.args = append(b.args, quietField.Option)
	if !b.ascp4 {
		// As IBM's runner does: ascp itself must not try to reach a Redis
		// server; ascp4 fails with the variable set.
		b.env[RedisDisableEnv] = "true"
	}
	// The bypass keys (or the WebSocket certificate) before the spec's own
	// key files, as IBM's runner orders its -i options.
	b.credentials()
	if err := b.generic(); err != nil {
		return nil, err
	}
	b.fallback()
	b.args = append(b.args, opts.ExtraArgs...)
	if v, ok := spec.Get(extraArgsField.Name); ok {
		v.JSON.ForEach(func(_, arg gjson.Result) bool {
			b.args = append(b.args, arg.Str)
			return true
		})
	}
	list, tail, err := b.paths()
	if err != nil {
		return nil, err
	}
	envList := b.envList()

	sessions := int(spec.Int(multiSessionField.Name))
	if sessions < 1 {
		sessions = 1
	}
	cmds := make([]Invocation, sessions)
	for i := range cmds {
		args := append([]string{}, b.args...)
		args = append(args, b.transport(i+1)...)
		if spec.Has(multiSessionField.Name) && spec.Int(multiSessionField.Name) >= 1 {
			args = append(args, "-C", fmt.Sprintf("%d:%d", i+1, sessions))
		}
		args = append(args, tail...)
		cmds[i] = Invocation{Args: args, Env: envList, ListFile: list, Secrets: b.secrets, Index: i + 1, Sessions: sessions}
	}
	return cmds, nil
}

type builder struct {
	wss     bool // the WebSocket transport replaces SSH and UDP
	ascp4   bool
	spec    *schema.Spec
	opts    BuildOptions
	args    []string
	env     map[string]string
	envFrom map[string]string
	secrets []string
}

// emit adds one option with its value so that the value can never be read
// as an option of its own: long options carry it after "=", short ones
// attach it when it starts with "-".
func (b *builder) emit(option, value string) {
	switch {
	case strings.HasSuffix(option, "="):
		b.args = append(b.args, option+value)
	case strings.HasPrefix(value, "-"):
		b.args = append(b.args, option+value)
	default:
		b.args = append(b.args, option, value)
	}
}

func (b *builder) setEnv(name, value, pointer string) error {
	if b.envFrom == nil {
		b.envFrom = map[string]string{}
	}
	if prev, ok := b.env[name]; ok && prev != value {
		return schema.Problem{Pointer: pointer, Expected: fmt.Sprintf("the same value as %s (both set %s)", b.envFrom[name], name), Found: "a different value"}
	}
	b.env[name] = value
	b.envFrom[name] = pointer
	return nil
}

// generic applies every row whose mapping is a plain option, switch or
// environment variable.
func (b *builder) generic() error {
	implied, cancelled := map[string]bool{}, map[string]bool{}
	for i := range schema.Fields {
		f := &schema.Fields[i]
		v, ok := b.spec.Get(f.Name)
		if ok && f.Type == schema.Boolean {
			// IBM's runner: delete_source false takes away the options
			// that true would set, even when the spec sets them too.
			for _, name := range f.Implies {
				implied[name] = v.Text == "true"
				cancelled[name] = v.Text == "false"
			}
		}
	}
	// -q is always there; WebSocket has no SSH host key to check.
	cancelled[quietField.Name] = true
	for _, f := range schema.AllPlaying(schema.SSHOnly) {
		cancelled[f.Name] = b.wss
	}
	for i := range schema.Fields {
		f := &schema.Fields[i]
		v, present := b.spec.Get(f.Name)
		if cancelled[f.Name] {
			continue
		}
		if implied[f.Name] && !(present && v.Text == "true") {
			b.args = append(b.args, f.Option)
			continue
		}
		if !present {
			continue
		}
		switch {
		case f.Handling == schema.Tags:
			// At the table's place, before tags64, as IBM's runner
			// orders them: ascp keeps the last --tags64.
			if err := b.tags(v); err != nil {
				return err
			}
		case f.Handling != schema.Generic && f.Handling != schema.ProxyURL:
			continue
		case f.Env != "":
			if f.Secret || f.Role == schema.AgentSecret && b.opts.SecretCookie {
				b.secrets = append(b.secrets, v.Text)
			}
			if err := b.setEnv(f.Env, v.Text, v.Pointer); err != nil {
				return err
			}
		case f.Option == "":
			continue
		case f.Type == schema.Boolean:
			if v.Text == "true" {
				b.args = append(b.args, f.Option)
			} else if f.OptionFalse != "" {
				b.args = append(b.args, f.OptionFalse)
			}
		case f.Type == schema.Array:
			v.JSON.ForEach(func(_, item gjson.Result) bool {
				b.emit(f.Option, item.Str)
				return true
			})
		case f.Handling == schema.ProxyURL:
			proxy, err := b.proxyURL(f, v)
			if err != nil {
				return err
			}
			b.emit(f.Option, proxy)
		default:
			if f.OmitEmpty && v.Text == "" {
				continue
			}
			b.emit(f.Option, encodeValue(f, v))
		}
	}
	return nil
}

func encodeValue(f *schema.Field, v schema.Value) string {
	text := v.Text
	if mapped, ok := f.ArgValues[text]; ok {
		text = mapped
	}
	// Base64JSON (tags) is written by builder.tags, as IBM's runner writes it.
	if f.Encoding == schema.Base64 {
		return base64.StdEncoding.EncodeToString([]byte(text))
	}
	return text
}

// proxyURL moves a password out of the proxy URL into ASPERA_PROXY_PASS:
// the high-speed proxy's and the HTTP fallback's alike (one variable:
// two different passwords are refused by setEnv).
func (b *builder) proxyURL(f *schema.Field, v schema.Value) (string, error) {
	u, err := url.Parse(v.Text)
	if err != nil || u.Host == "" || !slices.Contains(f.Schemes, u.Scheme) {
		return "", schema.Problem{Pointer: v.Pointer, Expected: f.Schemes[0] + "://[user[:password]@]host:port or " + strings.Join(f.Schemes[1:], ", ") + "://...", Found: "another kind of URL"}
	}
	if pass, ok := u.User.Password(); ok {
		b.secrets = append(b.secrets, pass)
		if err := b.setEnv(ProxyPasswordEnv, pass, v.Pointer); err != nil {
			return "", err
		}
		u.User = url.User(u.User.Username())
	}
	return u.String(), nil
}

// credentials adds the SSH bypass keys for a token spec without a password
// or an inline key: ascp needs an SSH identity, and without one it would
// prompt for a password. Key files do not count, as in IBM's runner: the
// bypass keys go before them. The WebSocket transport has no SSH: its -i
// is the first trusted certificate store instead, as IBM's runner passes
// it.
func (b *builder) credentials() {
	if b.wss {
		if len(b.opts.TrustedCerts) > 0 {
			b.emit(identityField.Option, b.opts.TrustedCerts[0])
		}
		return
	}
	if !b.spec.Has(tokenField.Name) {
		return
	}
	for _, f := range sshCredentials {
		if b.spec.Has(f.Name) {
			return
		}
	}
	for _, key := range b.opts.BypassKeys {
		b.emit(identityField.Option, key)
	}
}

// fallback adds the HTTP fallback key and certificate when the fallback is
// on, unless the legacy fields name them already.
func (b *builder) fallback() {
	if v, ok := b.spec.Get(fallbackField.Name); !ok || v.Text == "false" {
		return
	}
	if !b.spec.Has(fallbackKeyField.Name) && b.opts.FallbackKey != "" {
		b.emit(fallbackKeyField.Option, b.opts.FallbackKey)
	}
	if !b.spec.Has(fallbackCertField.Name) && b.opts.FallbackCert != "" {
		b.emit(fallbackCertField.Option, b.opts.FallbackCert)
	}
}

// ResumeArgs are the arguments that make ascp resume partial files: none
// when the spec names its resume policy (already in the command: the user
// chose that trade-off), else full checksums (-k 3). IBM's ascp resumes
// only when the FIRST transfer had -k, so a job that may retry carries them
// from its first attempt. Full rather than sparse checksums: a sparse check
// compares samples and takes a same-size older file that differs elsewhere
// for identical, which would end "completed" with the wrong bytes; the
// full check costs one read of the data already on disk (README, Retries).
func ResumeArgs(spec *schema.Spec) []string {
	if spec.Has(resumeField.Name) {
		return nil
	}
	return []string{resumeField.Option, resumeField.ArgValues["full_csum"]}
}

// paths builds the list file and the arguments that end the command
// line. A growing-file source (file:///PATH?grow=N) must be on the command
// line, where ascp reads its adapter URLs, and ascp takes no command-line
// source beside a list file: a job with one has all its sources on the
// command line, as has every job when agent.file_list is false. Otherwise
// the sources go in a list file, where no path can be taken for an option.
func (b *builder) paths() (*ListFile, []string, error) {
	var tail []string
	var list *ListFile
	// The paths are the lines the spec's check made of them: a million
	// entries are not walked again.
	if v, ok := b.spec.Get(pathsField.Name); ok && v.JSON.IsArray() {
		paths := b.spec.PathList()
		if paths == nil {
			return nil, nil, schema.Problem{Pointer: v.Pointer, Expected: "paths that pass their check", Found: "paths that do not"}
		}
		// Only a source that starts as a growing file's may be one: a
		// list of ten million that has none is not read again.
		onCommandLine := b.opts.NoFileList
		if paths.MayGrow() {
			receive := b.spec.String(directionField.Name) == "receive"
			err := paths.EachSource(func(i int, source string) error {
				growing, err := checkGrowingSource(source, v.Pointer, i)
				if err == nil && growing && receive {
					err = schema.Problem{Pointer: entryPointer(v.Pointer, i, "source"), Expected: "a growing-file source only when sending (it is a local file)", Found: "direction receive"}
				}
				onCommandLine = onCommandLine || growing
				return err
			})
			if err != nil {
				return nil, nil, err
			}
		}
		switch {
		case paths.Entries == 0:
		case onCommandLine:
			sources, err := commandLineSources(paths, v.Pointer)
			if err != nil {
				return nil, nil, err
			}
			tail = append(tail, sources...)
		default:
			option := "--file-list"
			if paths.Pairs {
				option = "--file-pair-list"
			}
			list = &ListFile{Option: option, Path: filepath.Join(b.opts.ListDir, schema.ListFileName), paths: paths, n: paths.Lines()}
			tail = append(tail, list.Option+"="+list.Path)
		}
	}
	dest := b.spec.String(destinationField.Name)
	if dest == "" {
		dest = "/"
	}
	if b.ascp4 {
		// ascp4 has no --dest64: the destination is given as it is.
		if strings.HasPrefix(dest, "-") {
			return nil, nil, schema.Problem{Pointer: b.pointer(destinationField.Name), Expected: "a destination that does not start with - (ascp4 takes it as it is)", Found: "one that does"}
		}
		return list, append(tail, dest), nil
	}
	// --dest64 is a switch: it may come after the sources.
	return list, append(tail, "--dest64", base64.StdEncoding.EncodeToString([]byte(dest))), nil
}

// commandLineSources are the sources as ascp arguments: no destination per
// source is possible there, and none may look like an option.
func commandLineSources(paths *schema.PathList, pointer string) ([]string, error) {
	if paths.Pairs {
		return nil, schema.Problem{Pointer: entryPointer(pointer, 0, "destination"),
			Expected: "no destination for sources given on the command line (a growing file, or agent.file_list false)", Found: "a destination"}
	}
	var sources []string
	err := paths.EachSource(func(i int, src string) error {
		if strings.HasPrefix(src, "-") {
			return schema.Problem{Pointer: entryPointer(pointer, i, "source"),
				Expected: "a source that does not start with - (on the command line it would be read as an option)", Found: "one that does"}
		}
		sources = append(sources, src)
		return nil
	})
	return sources, err
}

// entryPointer is the pointer of a member of entry i of the paths array,
// built only for a problem.
func entryPointer(paths string, i int, member string) string {
	return paths + "/" + strconv.Itoa(i) + "/" + member
}

func (b *builder) pointer(field string) string {
	if v, ok := b.spec.Get(field); ok {
		return v.Pointer
	}
	return "/" + field
}

// DefaultUDPPort is ascp's own UDP port, and the first of a multi-session
// job's ports with MultiIncrUDP and no fasp_port, as in IBM's runner.
const DefaultUDPPort = 33001

// transport returns the port options of session i: WebSocket replaces SSH
// and UDP ports; otherwise every session shares -O, unless MultiIncrUDP
// gives session i of a multi-session job its own, fasp_port+i-1.
func (b *builder) transport(session int) []string {
	s := b.spec
	if b.wss {
		args := []string{"--ws-connect"}
		if s.Has(wssPortField.Name) {
			args = append(args, sshPortField.Option, strconv.FormatInt(s.Int(wssPortField.Name), 10))
		}
		return args
	}
	var args []string
	if s.Has(sshPortField.Name) {
		args = append(args, sshPortField.Option, strconv.FormatInt(s.Int(sshPortField.Name), 10))
	}
	incr := b.opts.MultiIncrUDP && s.Has(multiSessionField.Name) && s.Int(multiSessionField.Name) >= 1
	if s.Has(udpPortField.Name) || incr {
		port := int64(DefaultUDPPort)
		if s.Has(udpPortField.Name) {
			port = s.Int(udpPortField.Name)
		}
		if incr {
			port += int64(session - 1)
		}
		args = append(args, udpPortField.Option, strconv.FormatInt(port, 10))
	}
	return args
}

// envList orders the variables as the table does, so that dry runs are
// reproducible.
func (b *builder) envList() []string {
	var list []string
	for _, name := range envOrder {
		if v, ok := b.env[name]; ok {
			list = append(list, name+"="+v)
		}
	}
	return list
}

var envOrder = func() []string {
	seen := map[string]bool{}
	var order []string
	for _, f := range schema.Fields {
		if f.Env != "" && !seen[f.Env] {
			seen[f.Env] = true
			order = append(order, f.Env)
		}
	}
	return append(order, ProxyPasswordEnv, RedisDisableEnv)
}()

func newUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}
