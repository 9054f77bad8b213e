package session

import (
	"os"
	"strings"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/schema"
)

// Placeholders stand in a dry run for what only exists once ascp runs.
const (
	PortPlaceholder    = "<management-port>"
	ListDirPlaceholder = "<private-temp-dir>"
	Redacted           = "***"
)

// DryRunReport is the line `asession --dry-run` prints: exactly what would
// be started, secret environment variables shown as ***.
type DryRunReport struct {
	Type     string          `json:"type"` // "dry_run"
	Envelope schema.Envelope `json:"envelope"`
	Ascp     string          `json:"ascp"`
	Sessions []DryRunSession `json:"sessions"`
	Unknown  []string        `json:"unknown_fields,omitempty"`
}

// DryRunSession is one ascp process of the job.
type DryRunSession struct {
	Session int               `json:"session"`
	Argv    []string          `json:"argv"`
	Env     map[string]string `json:"env,omitempty"`
	// Inherited names the variables of Env that the job does not set and
	// ascp would take from asession's own environment.
	Inherited []string        `json:"inherited_env,omitempty"`
	ListFile  *DryRunListFile `json:"list_file,omitempty"`
}

// DryRunListFile shows a list file's content, which a dry run does not write.
type DryRunListFile struct {
	Option string   `json:"option"`
	Path   string   `json:"path"`
	Lines  []string `json:"lines"`
}

// DryRun builds the job without starting anything. Its error is Prepare's.
func DryRun(in *schema.Input, opts PrepareOptions, jobID string) (*DryRunReport, error) {
	if opts.ListDir == "" {
		opts.ListDir = ListDirPlaceholder
	}
	job, err := Prepare(in, opts)
	if err != nil {
		return nil, err
	}
	report := &DryRunReport{Type: "dry_run", Envelope: in.Envelope, Ascp: job.AscpPath}
	for _, u := range in.Unknown {
		report.Unknown = append(report.Unknown, u.Pointer)
	}
	for _, cmd := range job.Invocations {
		s := DryRunSession{Session: cmd.Index}
		// Verbatim: secrets never reach argv (ascp reads them from its
		// environment), and replacing a short one inside arguments would
		// only corrupt them and show where it occurs.
		s.Argv = append([]string{job.AscpPath, "-M", PortPlaceholder, "-u", jobID}, cmd.Args...)
		s.Env = map[string]string{}
		for _, kv := range cmd.Env {
			name, value, _ := strings.Cut(kv, "=")
			if ascp.IsSecretEnv(name) || contains(cmd.Secrets, value) {
				value = Redacted
			}
			s.Env[name] = value
		}
		// ascp starts with asession's environment: a password exported
		// there is used when the spec has none, and a dry run that hid it
		// would not show what runs.
		for _, name := range ascp.CredentialEnv() {
			value := os.Getenv(name)
			if _, fromJob := s.Env[name]; value == "" || fromJob {
				continue
			}
			if ascp.IsSecretEnv(name) || in.Agent.SecretCookie && name == schema.Playing(schema.AgentSecret).Env {
				value = Redacted
			}
			s.Env[name] = value
			s.Inherited = append(s.Inherited, name)
		}
		if len(s.Env) == 0 {
			s.Env = nil
		}
		if l := cmd.ListFile; l != nil {
			lines, err := l.Load()
			if err != nil {
				return nil, err
			}
			s.ListFile = &DryRunListFile{Option: l.Option, Path: l.Path, Lines: make([]string, lines.Len())}
			for i := range s.ListFile.Lines {
				s.ListFile.Lines[i] = lines.Line(i)
			}
		}
		report.Sessions = append(report.Sessions, s)
	}
	return report, nil
}
