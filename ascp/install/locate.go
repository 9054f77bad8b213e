package install

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
)

// NotFoundError lists every place that was searched for ascp.
type NotFoundError struct {
	Searched []string
	Reason   string // set when an explicit path was given but is unusable
	Err      error  // why that path is unusable (fs.ErrNotExist, ...), if known
}

func (e *NotFoundError) Error() string {
	if e.Reason != "" {
		return e.Reason
	}
	return "ascp not found; searched: " + strings.Join(e.Searched, ", ")
}

// Unwrap returns the cause, so errors.Is(err, fs.ErrNotExist) tells a
// missing explicit path from one that is there but unusable.
func (e *NotFoundError) Unwrap() error { return e.Err }

// InstallLocations returns where IBM's installers put ascp on this system,
// in the order they are tried after PATH: the Transfer SDK, Connect, the
// Desktop client, then HSTS and the older Aspera CLI.
func InstallLocations() []string {
	home, _ := os.UserHomeDir()
	return installLocations(runtime.GOOS, home, os.Getenv("LOCALAPPDATA"), programFiles())
}

// installPlace is one folder IBM's installers use, relative to base: the
// user's home ("~"), %LOCALAPPDATA% ("%LOCALAPPDATA%"), the Program Files
// folder ("%ProgramFiles%", which need not be on C:) or, for any other
// value, an absolute path. Sources: IBM's product documentation and the
// product locations aspera-cli searches (reference §6).
type installPlace struct {
	goos, base, dir string
}

var installPlaces = []installPlace{
	{"linux", "~", ".aspera/sdk"},
	{"linux", "~", ".aspera/connect/bin"},
	{"linux", "/", "opt/aspera/bin"},
	{"linux", "/", "opt/ibm/aspera/bin"},
	{"linux", "~", ".aspera/cli/bin"},

	{"darwin", "~", ".aspera/sdk"},
	{"darwin", "~", "Applications/Aspera Connect.app/Contents/Resources"},
	{"darwin", "/", "Applications/Aspera Connect.app/Contents/Resources"},
	{"darwin", "~", "Applications/IBM Aspera Connect.app/Contents/Resources"},
	{"darwin", "/", "Applications/IBM Aspera Connect.app/Contents/Resources"},
	{"darwin", "/", "Applications/IBM Aspera.app/Contents/Resources/transferd/bin"},
	{"darwin", "/", "Library/Aspera/bin"},
	{"darwin", "~", "Applications/Aspera CLI/bin"},

	{"windows", "~", ".aspera/sdk"},
	{"windows", "%LOCALAPPDATA%", "Programs/Aspera/Aspera Connect/bin"},
	{"windows", "%ProgramFiles%", "Aspera/Enterprise Server/bin"},
	{"windows", "%ProgramFiles%", "Aspera/cli/bin"},
}

// installLocations lists ascp's install locations for goos, given the
// user's home folder, and %LOCALAPPDATA% and the Program Files folder
// (Windows). Places under an unknown (empty) folder are left out rather
// than searched relative to the working directory. Other Unix systems get
// Linux's list.
func installLocations(goos, home, localAppData, programFiles string) []string {
	if goos != "darwin" && goos != "windows" {
		goos = "linux"
	}
	var out []string
	for _, p := range installPlaces {
		if p.goos != goos {
			continue
		}
		base := p.base
		switch base {
		case "~":
			base = home
		case "%LOCALAPPDATA%":
			base = localAppData
		case "%ProgramFiles%":
			base = programFiles
		}
		if base == "" {
			continue
		}
		out = append(out, joinFor(goos, base, p.dir, executableName(goos)))
	}
	return out
}

// joinFor joins path elements with goos's separator, so that the Windows
// list can be built (and tested) on any system.
func joinFor(goos string, elem ...string) string {
	if goos != "windows" {
		return path.Join(elem...)
	}
	for i, e := range elem {
		elem[i] = strings.TrimRight(strings.ReplaceAll(e, "/", `\`), `\`)
	}
	return strings.Join(elem, `\`)
}

// Locate finds the ascp to run. An explicit path (flag or ASESSION_ASCP)
// must work as given; otherwise PATH is tried, then InstallLocations.
// searched lists every candidate in the order tried.
func Locate(explicit string) (path string, searched []string, err error) {
	return LocateSDK(explicit, "")
}

// LocateSDK is Locate with aspera-cli's SDK folder, which is searched
// before PATH (an explicit path still comes first).
func LocateSDK(explicit, sdk string) (path string, searched []string, err error) {
	if explicit != "" {
		explicit = withExe(runtime.GOOS, explicit)
		if err := checkExecutable(explicit); err != nil {
			return "", []string{explicit}, &NotFoundError{Searched: []string{explicit}, Reason: fmt.Sprintf("ascp at %s is not usable: %v", explicit, err), Err: err}
		}
		if abs, err := filepath.Abs(explicit); err == nil {
			explicit = abs
		}
		return explicit, []string{explicit}, nil
	}
	name := executableName(runtime.GOOS)
	if sdk != "" {
		candidate := filepath.Join(sdk, name)
		searched = append(searched, candidate)
		if checkExecutable(candidate) == nil {
			if abs, err := filepath.Abs(candidate); err == nil {
				candidate = abs
			}
			return candidate, searched, nil
		}
	}
	searched = append(searched, "PATH ("+name+")")
	if p, err := exec.LookPath(name); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		return p, searched, nil
	}
	for _, candidate := range InstallLocations() {
		searched = append(searched, candidate)
		if checkExecutable(candidate) == nil {
			return candidate, searched, nil
		}
	}
	return "", searched, &NotFoundError{Searched: searched}
}

// withExe is the program a path names on goos: on Windows, as in its
// shells, C:\Aspera\bin\ascp names C:\Aspera\bin\ascp.exe when only that
// exists. Only .exe is tried: ascp is one, and Windows runs a .bat or .cmd
// through cmd.exe, which parses its arguments again.
func withExe(goos, p string) string {
	if goos != "windows" || strings.EqualFold(filepath.Ext(p), ".exe") {
		return p
	}
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if checkExecutable(p+".exe") == nil {
		return p + ".exe"
	}
	return p
}

func executableName(goos string) string {
	if goos == "windows" {
		return "ascp.exe"
	}
	return "ascp"
}

func checkExecutable(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.IsDir() {
		return fmt.Errorf("is a directory")
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("is not executable")
	}
	return nil
}

// Bypass key files, by kind, best first: the names in IBM's Transfer SDK
// folder (aspera-cli), then the older ones in an install's etc/.
var (
	BypassRSANames = []string{"aspera_bypass_rsa.pem", "aspera_tokenauth_id_rsa"}
	BypassDSANames = []string{"aspera_bypass_dsa.pem", "asperaweb_id_dsa.openssh"}
)

// BypassKeyDirs are the folders searched for bypass keys: the install's
// etc/ beside bin/, then ascp's own folder. Symbolic links to ascp are
// followed first, so /usr/local/bin/ascp finds /opt/aspera/etc.
func BypassKeyDirs(ascpPath string) []string { return bypassKeyDirs(ascpPath, "") }

// bypassKeyDirs puts the SDK folder, when one is given, before the others.
func bypassKeyDirs(ascpPath, sdk string) []string {
	if real, err := filepath.EvalSymlinks(ascpPath); err == nil {
		ascpPath = real
	}
	bin := filepath.Dir(ascpPath)
	dirs := []string{filepath.Join(filepath.Dir(bin), "etc"), bin}
	if sdk != "" {
		dirs = append([]string{sdk}, dirs...)
	}
	return dirs
}

// BypassKeys returns every bypass key file that exists, RSA ones first.
func BypassKeys(ascpPath string) []string {
	var found []string
	for _, names := range [][]string{BypassRSANames, BypassDSANames} {
		for _, dir := range BypassKeyDirs(ascpPath) {
			for _, name := range names {
				if p := filepath.Join(dir, name); isRegular(p) {
					found = append(found, p)
				}
			}
		}
	}
	return found
}

// SelectBypassKeys picks the keys for agent.client_ssh_key as IBM's runner
// does: "rsa" (or empty) the RSA key, "dsa_rsa" the DSA key then the RSA
// one. A kind with no file is left out.
func SelectBypassKeys(ascpPath, sdk, clientSSHKey string) []string {
	kinds := [][]string{BypassRSANames}
	if clientSSHKey == "dsa_rsa" {
		kinds = [][]string{BypassDSANames, BypassRSANames}
	}
	var keys []string
	for _, names := range kinds {
	search:
		for _, dir := range bypassKeyDirs(ascpPath, sdk) {
			for _, name := range names {
				if p := filepath.Join(dir, name); isRegular(p) {
					keys = append(keys, p)
					break search
				}
			}
		}
	}
	return keys
}

func isRegular(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

// Ascp4 is ascp4, which IBM installs beside ascp.
func Ascp4(ascpPath string) (string, error) {
	p := filepath.Join(filepath.Dir(ascpPath), strings.Replace(filepath.Base(ascpPath), "ascp", "ascp4", 1))
	if err := checkExecutable(p); err != nil {
		return "", &NotFoundError{Searched: []string{p}, Reason: fmt.Sprintf("use_ascp4: no usable ascp4 beside %s (%s: %v)", ascpPath, p, err), Err: err}
	}
	return p, nil
}

// versionPattern is compiled on first use: only --doctor and the version
// check ask ascp for its version.
var versionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)ascp version (\S+)`) })

// Version runs `ascp -A` and returns the version it reports.
func Version(path string, timeout time.Duration) (string, error) {
	return VersionContext(context.Background(), path, timeout)
}

// VersionContext is Version, killed when ctx ends: the probe must not
// outlive the job that started it.
func VersionContext(ctx context.Context, path string, timeout time.Duration) (string, error) {
	_, version, err := about(ctx, path, timeout)
	return version, err
}

// About runs `ascp -A`, which prints ascp's version and license, and
// returns its lines and the version found in them.
func About(path string, timeout time.Duration) (lines []string, version string, err error) {
	return about(context.Background(), path, timeout)
}

func about(parent context.Context, path string, timeout time.Duration) (lines []string, version string, err error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-A")
	// Once ascp is killed, a child of it holding the output pipe must not
	// keep the probe waiting.
	cmd.WaitDelay = 500 * time.Millisecond
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	if err != nil {
		return lines, "", fmt.Errorf("%s -A: %w", path, err)
	}
	if m := versionPattern().FindStringSubmatch(string(out)); m != nil {
		version = m[1]
	}
	if version == "" {
		return lines, "", fmt.Errorf("%s -A printed no version", path)
	}
	return lines, version, nil
}
