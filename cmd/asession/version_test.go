package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadVersion(t *testing.T) {
	clone := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/faspkit/asession", Version: "v0.1.1-0.20261122043359-e516051abcde+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "GOOS", Value: "windows"}, {Key: "GOARCH", Value: "amd64"},
			{Key: "vcs.revision", Value: "e516051abcdef"}, {Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name   string
		info   *debug.BuildInfo
		linked string
		want   buildVersion
	}{
		{"go install …@v0.1.0: the module version, no VCS", &debug.BuildInfo{
			GoVersion: "go1.26.8",
			Main:      debug.Module{Path: "github.com/faspkit/asession", Version: "v0.1.0"},
			Settings:  []debug.BuildSetting{{Key: "GOOS", Value: "darwin"}, {Key: "GOARCH", Value: "arm64"}},
		}, "", buildVersion{Version: "v0.1.0", GoVersion: "go1.26.8", OS: "darwin", Arch: "arm64"}},
		{"build from a clone: pseudo-version and revision", clone, "",
			buildVersion{Version: "v0.1.1-0.20261122043359-e516051abcde+dirty", Commit: "e516051abcdef", Modified: true, GoVersion: "go1.26.8", OS: "windows", Arch: "amd64"}},
		{"make: the linker flag wins", clone, "v0.1.0-3-ge516051-dirty",
			buildVersion{Version: "v0.1.0-3-ge516051-dirty", Commit: "e516051abcdef", Modified: true, GoVersion: "go1.26.8", OS: "windows", Arch: "amd64"}},
		{"go run or a test binary", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "",
			buildVersion{Version: "dev", GoVersion: "go1.26.8", OS: runtime.GOOS, Arch: runtime.GOARCH}},
		{"no build info at all", nil, "",
			buildVersion{Version: "dev", GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, readVersion(tt.info, tt.linked)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if got, want := readVersion(clone, "").String(), "asession v0.1.1-0.20261122043359-e516051abcde+dirty commit e516051abcdef (modified) go1.26.8 windows/amd64"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// A binary built as `make build` builds it (static, version by linker
// flag) reports that version, and the commit, Go version and platform the
// toolchain recorded, in `version --json`, `version`, `--version` and
// `doctor --json`.
func TestVersionOfBuiltBinary(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil && runtime.GOOS == "windows" {
		t.Skip("no Go toolchain on this Windows host to build the binary with (make test-windows runs test binaries built on Linux)")
	}
	bin := filepath.Join(t.TempDir(), "asession")
	build := exec.Command("go", "build", "-buildvcs=auto", "-ldflags", "-X main.version=v9.8.7-test", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	meta, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]string{}
	for _, line := range strings.Split(string(meta), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "build" {
			if k, v, ok := strings.Cut(f[1], "="); ok {
				recorded[k] = v
			}
		}
	}
	want := buildVersion{Version: "v9.8.7-test", Commit: recorded["vcs.revision"], Modified: recorded["vcs.modified"] == "true",
		GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}

	out, err := exec.Command(bin, "version", "--json").Output()
	if err != nil {
		t.Fatalf("version --json: %v", err)
	}
	var got buildVersion
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("version --json printed %q: %v", out, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("version --json (-want +got):\n%s", diff)
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil || string(out) != want.String()+"\n" {
			t.Errorf("asession %s = %q, %v; want %q", strings.Join(args, " "), out, err, want.String()+"\n")
		}
	}
	out, _ = exec.Command(bin, "doctor", "--json", "--ascp", filepath.Join(t.TempDir(), "missing")).Output()
	var doc struct {
		Asession *buildVersion `json:"asession"`
		OK       *bool         `json:"ok"`
	}
	if err := json.Unmarshal(out, &doc); err != nil || doc.Asession == nil || doc.OK == nil {
		t.Fatalf("doctor --json printed %q (%v): want the diagnosis with an asession member", out, err)
	}
	if diff := cmp.Diff(want, *doc.Asession); diff != "" {
		t.Errorf("doctor --json asession (-want +got):\n%s", diff)
	}
	if code := exitCode(exec.Command(bin, "version", "extra")); code != 2 {
		t.Errorf("version with an argument: exit %d, want 2", code)
	}
}

func exitCode(cmd *exec.Cmd) int {
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
