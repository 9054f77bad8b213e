package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/faspkit/asession/session"
)

// version is set at link time by `make` (-X main.version=...). Without it
// the module version Go recorded is used: the tag for `go install
// …@v0.1.0`, a pseudo-version for a build from a clone.
var version = ""

// buildVersion says which asession this is: `asession version --json`, and
// the "asession" member of `asession doctor --json`.
type buildVersion struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`   // vcs.revision, when built from a clone
	Modified  bool   `json:"modified,omitempty"` // built from a clone with uncommitted changes
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
}

func currentVersion() buildVersion {
	info, _ := debug.ReadBuildInfo()
	return readVersion(info, version)
}

// readVersion takes the version from the linker flag, else from the build
// info; "dev" when neither says (a test binary, go run).
func readVersion(info *debug.BuildInfo, linked string) buildVersion {
	v := buildVersion{Version: linked, GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if info != nil {
		v.GoVersion = info.GoVersion
		if v.Version == "" && info.Main.Version != "(devel)" {
			v.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			case "GOOS":
				v.OS = s.Value
			case "GOARCH":
				v.Arch = s.Value
			}
		}
	}
	if v.Version == "" {
		v.Version = "dev"
	}
	return v
}

// String is the one line of `asession version` and `asession --version`.
func (v buildVersion) String() string {
	s := "asession " + v.Version
	if v.Commit != "" {
		s += " commit " + v.Commit
		if v.Modified {
			s += " (modified)"
		}
	}
	return s + " " + v.GoVersion + " " + v.OS + "/" + v.Arch
}

// runVersion is `asession version [--json]`.
func runVersion(c *cli) int {
	if len(c.args) > 0 {
		return c.usageError(fmt.Sprintf("version takes no arguments, got %q", c.args[0]))
	}
	v := currentVersion()
	if c.asJSON {
		data, _ := json.Marshal(v)
		fmt.Fprintf(c.stdout, "%s\n", data)
		return session.ExitOK
	}
	fmt.Fprintln(c.stdout, v)
	return session.ExitOK
}
