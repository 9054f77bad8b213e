package session

import (
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
	OK          bool     `json:"ok"` // every check passed
}

// Diagnose checks what a transfer needs (explicitAscp empty: $ASESSION_ASCP
// or a search, as for a transfer): an ascp that answers -A, the SSH
// bypass keys for token transfers, and a temporary folder where a private
// list file can be written.
func Diagnose(explicitAscp string) *Diagnosis {
	d := &Diagnosis{BypassKeys: []string{}}
	path, searched, err := install.Locate(ascpPath(explicitAscp))
	d.Searched = searched
	if err != nil {
		d.AscpError = err.Error()
	} else {
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
	// Every check counts: a missing bypass key fails token transfers, and
	// a check printed as FAIL must not be reported as ok.
	d.OK = d.Ascp != "" && d.AscpError == "" && len(d.BypassKeys) > 0 && d.TempDirOK
	return d
}
