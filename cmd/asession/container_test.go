//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faspkit/asession/ascp/install"
)

// No container engine runs on the CI machines, so the Dockerfile is held
// to what the image promises piece by piece: its build line, run on the
// host, gives a static asession that knows its version; the final stage
// runs asession as a non-root user; and an ascp added either way the
// README describes (a mounted folder, a derived image) is found and runs a
// transfer with the layout and environment the image has.

type dockerfile struct {
	stages [][]string // instructions per FROM, continuation lines joined
}

func readDockerfile(t *testing.T, path string) dockerfile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var df dockerfile
	var cur strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cur.WriteString(line)
		instr := cur.String()
		cur.Reset()
		if strings.HasPrefix(instr, "FROM ") {
			df.stages = append(df.stages, nil)
		}
		if len(df.stages) > 0 {
			df.stages[len(df.stages)-1] = append(df.stages[len(df.stages)-1], instr)
		}
	}
	return df
}

// find returns the arguments of the stage's instructions named op.
func find(stage []string, op string) []string {
	var out []string
	for _, instr := range stage {
		if name, args, _ := strings.Cut(instr, " "); strings.EqualFold(name, op) {
			out = append(out, args)
		}
	}
	return out
}

func TestDockerfileBuildsStaticVersionedAsession(t *testing.T) {
	df := readDockerfile(t, "../../Dockerfile")
	if len(df.stages) != 2 {
		t.Fatalf("want a build stage and a final stage, found %d stages", len(df.stages))
	}
	var build string
	for _, run := range find(df.stages[0], "RUN") {
		if strings.Contains(run, "go build") {
			build = run
		}
	}
	if !strings.HasPrefix(build, "CGO_ENABLED=0 ") || !strings.HasSuffix(build, " -o /out/asession ./cmd/asession") {
		t.Fatalf("the build stage's go build line is %q; want CGO_ENABLED=0 go build ... -o /out/asession ./cmd/asession", build)
	}
	out := t.TempDir()
	cmd := exec.Command("sh", "-c", strings.ReplaceAll(build, "/out/", out+"/"))
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "VERSION=v0.0.0-image-test")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", build, err, msg)
	}
	bin := filepath.Join(out, "asession")
	assertStatic(t, bin)
	got, err := exec.Command(bin, "version", "--json").Output()
	if err != nil || !bytes.Contains(got, []byte(`{"version":"v0.0.0-image-test",`)) {
		t.Errorf("the image's asession says %s (%v); want version v0.0.0-image-test from the VERSION build argument", got, err)
	}

	final := df.stages[1]
	wantInstr := map[string]string{
		"COPY":       "--from=build /out/asession /usr/local/bin/asession", // on the base's PATH
		"USER":       "nonroot:nonroot",
		"ENTRYPOINT": `["asession"]`,
		"ENV":        "HOME=/home/nonroot",
	}
	for op, want := range wantInstr {
		if got := find(final, op); len(got) != 1 || got[0] != want {
			t.Errorf("final stage %s: %q, want %q", op, got, want)
		}
	}
	if from := find(final, "FROM"); len(from) != 1 || !strings.HasSuffix(from[0], ":nonroot") {
		t.Errorf("final stage FROM %q: want a base image's nonroot variant", from)
	}
}

// imageHome builds the part of the image asession sees: its home folder,
// and a PATH without any ascp on it.
func imageHome(t *testing.T) (home string, env []string) {
	root := t.TempDir()
	home = filepath.Join(root, "home", "nonroot")
	emptyPath := filepath.Join(root, "usr", "bin")
	for _, dir := range []string{home, emptyPath, filepath.Join(root, "server")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env = []string{"HOME=" + home, "PATH=" + emptyPath, "TMPDIR=" + t.TempDir(),
		"ASCPSIM_ROOT=" + filepath.Join(root, "server"), "ASCPSIM_PASSWORD=secret-pw", "GORACE=atexit_sleep_ms=0"}
	return home, env
}

func copyExecutable(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

// mountSDK lays out a Transfer SDK folder as a user would mount it: ascp
// (ascpsim here) with the SDK's SSH bypass key beside it, which doctor
// checks for.
func mountSDK(t *testing.T, ascpPath string) {
	t.Helper()
	copyExecutable(t, ascpsimBin, ascpPath)
	key := filepath.Join(filepath.Dir(ascpPath), "aspera_bypass_rsa.pem")
	if err := os.WriteFile(key, []byte("-----BEGIN RSA PRIVATE KEY-----\nnot a real key\n-----END RSA PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// upload runs one transfer with the image's environment; the file must
// arrive on the (simulated) server.
func upload(t *testing.T, env []string, args ...string) {
	t.Helper()
	src := filepath.Join(t.TempDir(), "hello.txt")
	if err := os.WriteFile(src, []byte("hello from the container\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, _ := json.Marshal(map[string]any{
		"remote_host": "localhost", "remote_user": "demo", "remote_password": "secret-pw",
		"direction": "send", "destination_root": "/in", "create_dir": true,
		"paths": []map[string]string{{"source": src}},
	})
	cmd := exec.Command(asessionBin, args...)
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(spec)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("asession %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, out, stderr.String())
	}
	var root string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "ASCPSIM_ROOT="); ok {
			root = v
		}
	}
	if got, err := os.ReadFile(filepath.Join(root, "in", "hello.txt")); err != nil || string(got) != "hello from the container\n" {
		t.Errorf("uploaded file: %q, %v", got, err)
	}
}

// doctorFinds runs doctor --json with env and returns the ascp it found.
func doctorFinds(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(asessionBin, append([]string{"doctor", "--json"}, args...)...)
	cmd.Env = env
	out, err := cmd.Output()
	var d struct {
		Ascp string `json:"ascp"`
		OK   bool   `json:"ok"`
	}
	if jerr := json.Unmarshal(out, &d); jerr != nil || err != nil || !d.OK {
		t.Fatalf("doctor --json %v: %v %v\n%s", args, err, jerr, out)
	}
	return d.Ascp
}

func TestImageFindsMountedAscp(t *testing.T) {
	// docker run -v SDK:/home/nonroot/.aspera/sdk:ro: found without flags.
	home, env := imageHome(t)
	mounted := filepath.Join(home, ".aspera", "sdk", "ascp")
	mountSDK(t, mounted)
	if got := doctorFinds(t, env); got != mounted {
		t.Errorf("doctor found %q, want the mounted SDK's %q", got, mounted)
	}
	upload(t, env)

	// Mounted anywhere else: --ascp or ASESSION_ASCP names it.
	_, env = imageHome(t)
	elsewhere := filepath.Join(t.TempDir(), "ascp-folder", "ascp")
	mountSDK(t, elsewhere)
	if got := doctorFinds(t, env, "--ascp", elsewhere); got != elsewhere {
		t.Errorf("doctor --ascp found %q, want %q", got, elsewhere)
	}
	upload(t, env, "--ascp", elsewhere)
	upload(t, append(env, "ASESSION_ASCP="+elsewhere))
}

// The derived image copies the SDK folder to the place asession searches
// first for the image's HOME.
func TestDerivedImageCopiesAscpWhereItIsFound(t *testing.T) {
	df := readDockerfile(t, "../../examples/container/Dockerfile.ascp")
	image := readDockerfile(t, "../../Dockerfile")
	home := strings.TrimPrefix(find(image.stages[len(image.stages)-1], "ENV")[0], "HOME=")
	copies := find(df.stages[0], "COPY")
	if len(copies) != 1 {
		t.Fatalf("want one COPY in Dockerfile.ascp, found %q", copies)
	}
	m := regexp.MustCompile(`^--chown=nonroot:nonroot sdk/ (\S+)/$`).FindStringSubmatch(copies[0])
	if m == nil {
		t.Fatalf("COPY %q: want --chown=nonroot:nonroot sdk/ DEST/", copies[0])
	}
	t.Setenv("HOME", home)
	if got, want := filepath.Join(m[1], "ascp"), install.InstallLocations()[0]; got != want {
		t.Errorf("Dockerfile.ascp puts ascp at %s; with HOME=%s asession first looks at %s", got, home, want)
	}
	// The folder the copy fills is what TestImageFindsMountedAscp mounts.
	if want := filepath.Join(home, ".aspera", "sdk"); m[1] != want {
		t.Errorf("COPY destination %s, want %s", m[1], want)
	}
}
