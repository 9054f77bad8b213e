package install

import (
	"os"
	"path/filepath"
	"testing"
)

// ascp under the Program Files folder is found where %ProgramFiles% says,
// which need not be C:\Program Files.
func TestLocateFindsAscpUnderProgramFiles(t *testing.T) {
	programs := t.TempDir()
	ascp := filepath.Join(programs, "Aspera", "cli", "bin", "ascp.exe")
	if err := os.MkdirAll(filepath.Dir(ascp), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ascp, []byte("MZ"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ProgramFiles", programs)
	t.Setenv("PATH", t.TempDir()) // no ascp on PATH
	t.Setenv("USERPROFILE", t.TempDir())
	t.Setenv("LOCALAPPDATA", t.TempDir())
	got, searched, err := Locate("")
	if err != nil || got != ascp {
		t.Fatalf("Locate = %q, %v; want %s; searched %q", got, err, ascp, searched)
	}
}

// With no %ProgramFiles% (a bare environment), Windows' own Program Files
// folder is searched rather than none.
func TestProgramFilesWithoutTheVariable(t *testing.T) {
	t.Setenv("ProgramFiles", "")
	if dir := programFiles(); dir == "" || !filepath.IsAbs(dir) {
		t.Fatalf("programFiles() = %q with no %%ProgramFiles%%; want Windows' folder", dir)
	}
}
