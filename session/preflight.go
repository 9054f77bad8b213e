package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/faspkit/asession/ascp/install"
	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/schema"
)

// PreflightCheck is one check of `asession preflight`.
type PreflightCheck struct {
	Name     string           `json:"name"` // spec, ascp, ssh_port or wss_port, destination or sources, credentials, clock
	OK       bool             `json:"ok"`
	Detail   string           `json:"detail"`             // what was found
	Hint     string           `json:"hint,omitempty"`     // the likely fix, when the check failed
	Problems []schema.Problem `json:"problems,omitempty"` // the spec's, when it is not valid
}

// PreflightReport is what `asession preflight` prints: every check, and
// whether all passed.
type PreflightReport struct {
	Type        string           `json:"type"` // "preflight"
	OK          bool             `json:"ok"`
	AscpVersion string           `json:"ascp_version,omitempty"`
	Checks      []PreflightCheck `json:"checks"`
}

// PreflightOptions tune Preflight.
type PreflightOptions struct {
	Check CheckOptions // how the job description is read
	Ascp  string       // explicit ascp path; empty: $ASESSION_ASCP, then a search
	// DialTimeout bounds the connection to each port (0: 3 s): a firewall
	// that drops packets answers nothing, and the check must not hang.
	DialTimeout time.Duration
	Now         func() time.Time // the clock checked (nil: time.Now)
}

// Exit codes of `asession preflight`, from the exit-code table: a spec
// that is not valid is a usage error, a missing ascp ExitNoAscp, any
// other failed check ExitFailed.
func (r *PreflightReport) ExitCode() int {
	for _, c := range r.Checks {
		switch {
		case c.OK:
		case c.Name == "spec":
			return ExitUsage
		case c.Name == "ascp":
			return ExitNoAscp
		}
	}
	if !r.OK {
		return ExitFailed
	}
	return ExitOK
}

// clockFloor is a time the system clock cannot honestly be before: a
// clock reset to 1970 (a board without a battery, a container with a
// broken clock) makes servers refuse tokens and SSH certificates.
var clockFloor = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Preflight checks the road without transferring anything: the job
// description valid, ascp found (and its version), the server's SSH port
// reachable (the WebSocket port instead when the job uses WebSocket), the
// local destination writable on a download or the sources readable on an
// upload, credentials of the right kind (a token alone needs the SSH
// bypass key of the ascp install), and the system clock sane. A failed
// check carries a hint with the likely fix; the hints of the ports and
// the credentials are those of ascp's error table.
func Preflight(ctx context.Context, data []byte, opts PreflightOptions) *PreflightReport {
	in, inputErr := CheckInput(data, opts.Check)
	return PreflightInput(ctx, in, inputErr, opts)
}

// PreflightInput is Preflight of a description already read and checked
// (ReadJob's): inputErr, when not nil, is why it is not valid.
func PreflightInput(ctx context.Context, in *schema.Input, inputErr *events.Error, opts PreflightOptions) *PreflightReport {
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = 3 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if in == nil {
		in = &schema.Input{Envelope: schema.Bare, Spec: &schema.Spec{}} // unreadable
	}
	r := &PreflightReport{Type: "preflight"}
	spec := PreflightCheck{Name: "spec", OK: inputErr == nil}
	if inputErr != nil {
		spec.Detail = inputErr.Description
		spec.Problems = inputErr.Problems
		spec.Hint = "correct the fields the problems name (asession --dry-run shows the ascp command line a valid spec makes)"
	} else {
		spec.Detail = describeSpec(in.Spec)
	}
	r.Checks = append(r.Checks, spec)
	sdk := ""
	if in != nil {
		sdk = in.SDK
	}
	ascpCheck, ascpPathFound, version := preflightAscp(ascpPath(opts.Ascp), sdk, in)
	r.Checks = append(r.Checks, ascpCheck)
	r.AscpVersion = version
	if inputErr == nil {
		r.Checks = append(r.Checks, preflightPort(ctx, in, opts.DialTimeout))
		if in.Spec.String("direction") == "send" {
			r.Checks = append(r.Checks, preflightSources(in.Spec))
		} else {
			r.Checks = append(r.Checks, preflightDestination(in.Spec))
		}
		r.Checks = append(r.Checks, preflightCredentials(in, ascpPathFound))
	}
	r.Checks = append(r.Checks, preflightClock(opts.Now()))
	r.OK = true
	for _, c := range r.Checks {
		r.OK = r.OK && c.OK
	}
	return r
}

func describeSpec(spec *schema.Spec) string {
	n := 0
	if l := spec.PathList(); l != nil {
		n = l.Entries
	}
	host := spec.String("remote_host")
	if u := spec.String("remote_user"); u != "" {
		host = u + "@" + host
	}
	return fmt.Sprintf("direction %s, %s, paths: %d", spec.String("direction"), host, n)
}

// preflightAscp finds ascp as a transfer would, and asks its version.
func preflightAscp(explicit, sdk string, in *schema.Input) (c PreflightCheck, path, version string) {
	c = PreflightCheck{Name: "ascp"}
	path, searched, err := install.LocateSDK(explicit, sdk)
	if err == nil && in != nil && in.Spec != nil && in.Spec.Bool("use_ascp4") {
		path, err = install.Ascp4(path)
	}
	if err != nil {
		c.Detail = err.Error()
		if len(searched) > 0 {
			c.Detail += "; searched " + strings.Join(searched, ", ")
		}
		c.Hint = "install ascp (IBM Aspera Transfer SDK, Connect or the CLI's `ascli config ascp install`), or name it with --ascp or ASESSION_ASCP"
		return c, "", ""
	}
	_, version, err = install.About(path, 10*time.Second)
	if err != nil {
		c.Detail = err.Error()
		c.Hint = "this ascp does not run here: reinstall it for this system, or name another with --ascp"
		return c, path, ""
	}
	c.OK, c.Detail = true, path+" version "+version
	return c, path, version
}

// preflightPort connects to the TCP port ascp will use: the SSH port
// (ssh_port, ascp's default 22), or the WebSocket port when the job uses
// WebSocket (wss_port, default 443), which replaces SSH and UDP. The
// UDP data port cannot be tested without a FASP server answering on it.
func preflightPort(ctx context.Context, in *schema.Input, timeout time.Duration) PreflightCheck {
	spec := in.Spec
	// The table's hint, less its pointer to this very check.
	hint := strings.TrimSuffix(events.LookupCode(events.CodeSSHConnect).Hint, "; asession preflight tests it")
	name, port, field := "ssh_port", int64(22), "ssh_port"
	if spec.Bool("wss_enabled") && (!in.Agent.NoWSS || !spec.Has("fasp_port")) {
		name, port, field = "wss_port", 443, "wss_port"
		hint = "the server's WebSocket port did not answer: check remote_host and wss_port, and that outbound TCP to it is allowed"
	}
	if spec.Has(field) {
		port = spec.Int(field)
	} else if field == "ssh_port" {
		hint += "; the spec has no ssh_port, so ascp uses 22"
	}
	c := PreflightCheck{Name: name}
	addr := net.JoinHostPort(spec.String("remote_host"), strconv.FormatInt(port, 10))
	dialer := net.Dialer{Timeout: timeout}
	start := time.Now()
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		c.Detail = fmt.Sprintf("cannot connect to %s: %v", addr, err)
		c.Hint = hint
		return c
	}
	conn.Close()
	c.OK, c.Detail = true, fmt.Sprintf("connected to %s in %d ms", addr, time.Since(start).Milliseconds())
	return c
}

// preflightDestination checks that a download can write where it goes:
// destination_root, or the folder it is to be created in (create_dir), by
// writing and removing a file there.
func preflightDestination(spec *schema.Spec) PreflightCheck {
	c := PreflightCheck{Name: "destination"}
	root := spec.String("destination_root")
	if root == "" {
		root = "."
	}
	dir := root
	fi, err := os.Stat(dir)
	for errors.Is(err, os.ErrNotExist) && spec.Bool("create_dir") {
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
		fi, err = os.Stat(dir)
	}
	hint := events.LookupCode(events.CodeNoPerms).Hint
	switch {
	case errors.Is(err, os.ErrNotExist):
		c.Detail = fmt.Sprintf("destination_root %s does not exist", root)
		c.Hint = "create it, or set create_dir: true so that ascp creates it"
		return c
	case err != nil:
		c.Detail, c.Hint = err.Error(), hint
		return c
	case !fi.IsDir():
		c.Detail = fmt.Sprintf("%s is not a folder", dir)
		c.Hint = "destination_root must name a folder on a download"
		return c
	}
	probe, err := os.CreateTemp(dir, ".asession-preflight-")
	if err != nil {
		c.Detail, c.Hint = fmt.Sprintf("cannot write in %s: %v", dir, err), hint
		return c
	}
	probe.Close()
	os.Remove(probe.Name())
	c.OK = true
	c.Detail = "can write in " + dir
	if dir != root {
		c.Detail += fmt.Sprintf(", where ascp is to create %s (create_dir)", root)
	}
	return c
}

// maxSourceProblems bounds the sources a failed check names.
const maxSourceProblems = 5

// preflightSources checks that an upload can read its sources: each
// exists, and a file opens (a folder lists) for reading.
func preflightSources(spec *schema.Spec) PreflightCheck {
	c := PreflightCheck{Name: "sources"}
	list := spec.PathList()
	if list == nil {
		c.Detail = "the spec has no paths"
		return c
	}
	step := 1
	if list.Pairs {
		step = 2
	}
	var bad []string
	badCount, n := 0, 0
	for i := 0; i < list.Lines(); i += step {
		n++
		if err := readable(list.Line(i)); err != nil {
			badCount++
			if len(bad) < maxSourceProblems {
				bad = append(bad, err.Error())
			}
		}
	}
	if badCount > 0 {
		c.Detail = fmt.Sprintf("%d of %d sources cannot be read: %s", badCount, n, strings.Join(bad, "; "))
		c.Hint = "check the source paths (relative ones are relative to the folder asession runs in) and that this user may read them"
		return c
	}
	c.OK, c.Detail = true, fmt.Sprintf("%d sources readable", n)
	return c
}

func readable(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.IsDir() {
		_, err = f.ReadDir(1)
	} else {
		_, err = f.Read(make([]byte, 1))
	}
	if err == io.EOF {
		err = nil
	}
	return err
}

// preflightCredentials checks that the spec carries a credential ascp can
// use without asking: a password, an SSH key (readable, when a path), or
// a token, which over SSH needs the bypass key of the ascp install.
func preflightCredentials(in *schema.Input, ascp string) PreflightCheck {
	spec := in.Spec
	c := PreflightCheck{Name: "credentials"}
	hint := events.LookupCode(events.CodeAuth).Hint
	if p := spec.String("ssh_private_key_path"); p != "" {
		if err := readable(p); err != nil {
			c.Detail, c.Hint = "ssh_private_key_path: "+err.Error(), hint
			return c
		}
	}
	var have []string
	for _, f := range []string{"remote_password", "ssh_private_key", "ssh_private_key_path", "token"} {
		if spec.Has(f) {
			have = append(have, f)
		}
	}
	if len(have) == 0 {
		c.Detail = "the spec has no remote_password, ssh_private_key, ssh_private_key_path or token: ascp would ask for a password, and asession stops it"
		c.Hint = hint
		return c
	}
	wss := spec.Bool("wss_enabled") && (!in.Agent.NoWSS || !spec.Has("fasp_port"))
	if len(have) == 1 && have[0] == "token" && !wss {
		keys := []string(nil)
		if ascp != "" {
			keys = install.SelectBypassKeys(ascp, in.SDK, in.Agent.ClientSSHKey)
		}
		if len(keys) == 0 {
			c.Detail = "a token alone needs the SSH bypass key of the ascp install, and none was found"
			if ascp != "" {
				c.Detail += " (looked in " + strings.Join(install.BypassKeyDirs(ascp), ", ") + ")"
			}
			c.Hint = "install ascp with its keys (IBM Aspera Transfer SDK or Connect; asession doctor lists them), or add remote_password or an SSH key to the spec"
			return c
		}
		have = append(have, "bypass key "+keys[0])
	}
	c.OK, c.Detail = true, strings.Join(have, ", ")
	return c
}

// preflightClock checks that the clock is not obviously wrong.
func preflightClock(now time.Time) PreflightCheck {
	c := PreflightCheck{Name: "clock", Detail: now.UTC().Format(time.RFC3339)}
	if now.Before(clockFloor) || now.Year() >= 2100 {
		c.Detail += ": not a plausible date"
		c.Hint = "set the system clock (NTP): servers check tokens and SSH certificates against it"
		return c
	}
	c.OK = true
	return c
}
