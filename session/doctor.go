package session

import (
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/faspkit/asession/ascp/install"
)

// Diagnosis is what `asession doctor` finds out about this machine.
type Diagnosis struct {
	Ascp        string   `json:"ascp,omitempty"`
	Searched    []string `json:"searched"`
	AscpError   string   `json:"ascp_error,omitempty"`
	About       []string `json:"about,omitempty"` // ascp -A: version and license lines
	AscpVersion string   `json:"ascp_version,omitempty"`
	BypassKeys  []string `json:"bypass_keys"`
	KeyDirs     []string `json:"bypass_key_dirs,omitempty"`
	TempDir     string   `json:"temp_dir"`
	TempDirOK   bool     `json:"temp_dir_ok"`
	TempDirErr  string   `json:"temp_dir_error,omitempty"`
	OK          bool     `json:"ok"` // every check a transfer needs passed
	// Warnings name what only some transfers need and is missing: the
	// bypass keys, which only a token without password or key uses.
	Warnings []string `json:"warnings,omitempty"`
}

// WarnNoBypassKey is the warning of an ascp without SSH bypass keys.
const WarnNoBypassKey = "no SSH bypass key: a spec with a token and no password or SSH key will fail"

// Diagnose checks what a transfer needs (explicitAscp empty: $ASESSION_ASCP
// or a search, as for a transfer): an ascp that answers -A, the SSH
// bypass keys for token transfers, and a temporary folder where a private
// list file can be written.
func Diagnose(explicitAscp string) *Diagnosis {
	d := &Diagnosis{BypassKeys: []string{}}
	path, searched, err := install.Locate(ascpPath(explicitAscp))
	d.Searched = searched
	var notFound *install.NotFoundError
	switch {
	case errors.As(err, &notFound) && notFound.Reason == "":
		// Searched lists the places; the error would list them again.
		d.AscpError = "ascp not found in any of the places searched"
	case err != nil:
		d.AscpError = err.Error()
	default:
		d.Ascp = path
		d.KeyDirs = install.BypassKeyDirs(path)
		d.BypassKeys = append(d.BypassKeys, install.BypassKeys(path)...)
		d.About, d.AscpVersion, err = install.About(path, 10*time.Second)
		if err != nil {
			d.AscpError = err.Error()
		}
	}
	d.TempDir = os.TempDir()
	if dir, err := os.MkdirTemp("", "asession-doctor-"); err != nil {
		d.TempDirErr = err.Error()
	} else {
		probe := filepath.Join(dir, "probe")
		err = os.WriteFile(probe, []byte("ok\n"), 0o600)
		if err != nil {
			d.TempDirErr = err.Error()
		}
		d.TempDirOK = err == nil
		os.RemoveAll(dir)
	}
	// A missing bypass key fails token-only transfers, not the password
	// and key ones most setups use: a warning, not a failed check.
	d.OK = d.Ascp != "" && d.AscpError == "" && d.TempDirOK
	if d.Ascp != "" && len(d.BypassKeys) == 0 {
		d.Warnings = append(d.Warnings, WarnNoBypassKey)
	}
	return d
}
