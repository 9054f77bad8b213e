package ascp

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// NotFoundError lists every place that was searched for ascp.
type NotFoundError struct {
	Searched []string
	Reason   string // set when an explicit path was given but is unusable
}

func (e *NotFoundError) Error() string {
	if e.Reason != "" {
		return e.Reason
	}
	return "ascp not found; searched: " + strings.Join(e.Searched, ", ")
}

// InstallLocations returns where IBM's installers put ascp on this system,
// in the order they are tried after PATH: the Transfer SDK, Connect, then
// the Desktop client and HSTS.
func InstallLocations() []string {
	home, _ := os.UserHomeDir()
	switch runtime.GOOS {
	case "windows":
		local := os.Getenv("LOCALAPPDATA")
		return []string{
			filepath.Join(home, ".aspera", "sdk", "ascp.exe"),
			filepath.Join(local, "Programs", "Aspera", "Aspera Connect", "bin", "ascp.exe"),
			`C:\Program Files\IBM\Aspera\bin\ascp.exe`,
		}
	case "darwin":
		return []string{
			filepath.Join(home, ".aspera", "sdk", "ascp"),
			filepath.Join(home, "Applications", "Aspera Connect.app", "Contents", "Resources", "ascp"),
			"/Library/Aspera/bin/ascp",
		}
	default:
		return []string{
			filepath.Join(home, ".aspera", "sdk", "ascp"),
			filepath.Join(home, ".aspera", "connect", "bin", "ascp"),
			"/opt/aspera/bin/ascp",
			"/opt/ibm/aspera/bin/ascp",
		}
	}
}

// Locate finds the ascp to run. An explicit path (flag or ASESSION_ASCP)
// must work as given; otherwise PATH is tried, then InstallLocations.
// searched lists every candidate in the order tried.
func Locate(explicit string) (path string, searched []string, err error) {
	if explicit != "" {
		if err := checkExecutable(explicit); err != nil {
			return "", []string{explicit}, &NotFoundError{Searched: []string{explicit}, Reason: fmt.Sprintf("ascp at %s is not usable: %v", explicit, err)}
		}
		if abs, err := filepath.Abs(explicit); err == nil {
			explicit = abs
		}
		return explicit, []string{explicit}, nil
	}
	searched = append(searched, "PATH ("+executableName()+")")
	if p, err := exec.LookPath(executableName()); err == nil {
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

func executableName() string {
	if runtime.GOOS == "windows" {
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

// BypassKeyNames are the SSH keys that ascp installs ship for token
// transfers, best first: RSA, the older DSA one, aspera-cli's PEM copy.
var BypassKeyNames = []string{"aspera_tokenauth_id_rsa", "asperaweb_id_dsa.openssh", "aspera_bypass_rsa.pem"}

// BypassKeyDirs are the folders searched for bypass keys: the install's
// etc/ beside bin/, then ascp's own folder. Symbolic links to ascp are
// followed first, so /usr/local/bin/ascp finds /opt/aspera/etc.
func BypassKeyDirs(ascpPath string) []string {
	if real, err := filepath.EvalSymlinks(ascpPath); err == nil {
		ascpPath = real
	}
	bin := filepath.Dir(ascpPath)
	return []string{filepath.Join(filepath.Dir(bin), "etc"), bin}
}

// BypassKeys returns the bypass key files that exist, best first.
func BypassKeys(ascpPath string) []string {
	var found []string
	for _, name := range BypassKeyNames {
		for _, dir := range BypassKeyDirs(ascpPath) {
			p := filepath.Join(dir, name)
			if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
				found = append(found, p)
			}
		}
	}
	return found
}

var versionPattern = regexp.MustCompile(`(?i)ascp version (\S+)`)

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
	if m := versionPattern.FindStringSubmatch(string(out)); m != nil {
		version = m[1]
	}
	if version == "" {
		return lines, "", fmt.Errorf("%s -A printed no version", path)
	}
	return lines, version, nil
}
