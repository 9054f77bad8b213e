package install

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The three systems' lists are checked on any system: a Windows or macOS
// path built wrong would otherwise only show on a user's machine.
func TestInstallLocationsPerSystem(t *testing.T) {
	tests := []struct {
		goos, home, local, programFiles string
		want                            []string
	}{
		{"linux", "/home/ann", "", "", []string{
			"/home/ann/.aspera/sdk/ascp",
			"/home/ann/.aspera/connect/bin/ascp",
			"/opt/aspera/bin/ascp",
			"/opt/ibm/aspera/bin/ascp",
			"/home/ann/.aspera/cli/bin/ascp",
		}},
		{"freebsd", "/home/ann", "", "", []string{
			"/home/ann/.aspera/sdk/ascp",
			"/home/ann/.aspera/connect/bin/ascp",
			"/opt/aspera/bin/ascp",
			"/opt/ibm/aspera/bin/ascp",
			"/home/ann/.aspera/cli/bin/ascp",
		}},
		{"darwin", "/Users/ann", "", "", []string{
			"/Users/ann/.aspera/sdk/ascp",
			"/Users/ann/Applications/Aspera Connect.app/Contents/Resources/ascp",
			"/Applications/Aspera Connect.app/Contents/Resources/ascp",
			"/Users/ann/Applications/IBM Aspera Connect.app/Contents/Resources/ascp",
			"/Applications/IBM Aspera Connect.app/Contents/Resources/ascp",
			"/Applications/IBM Aspera.app/Contents/Resources/transferd/bin/ascp",
			"/Library/Aspera/bin/ascp",
			"/Users/ann/Applications/Aspera CLI/bin/ascp",
		}},
		{"windows", `C:\Users\ann`, `C:\Users\ann\AppData\Local`, `C:\Program Files`, []string{
			`C:\Users\ann\.aspera\sdk\ascp.exe`,
			`C:\Users\ann\AppData\Local\Programs\Aspera\Aspera Connect\bin\ascp.exe`,
			`C:\Program Files\Aspera\Enterprise Server\bin\ascp.exe`,
			`C:\Program Files\Aspera\cli\bin\ascp.exe`,
		}},
		// Program Files where the system has it, not always on C:.
		{"windows", `D:\Users\ann`, `D:\Users\ann\AppData\Local`, `D:\Programs`, []string{
			`D:\Users\ann\.aspera\sdk\ascp.exe`,
			`D:\Users\ann\AppData\Local\Programs\Aspera\Aspera Connect\bin\ascp.exe`,
			`D:\Programs\Aspera\Enterprise Server\bin\ascp.exe`,
			`D:\Programs\Aspera\cli\bin\ascp.exe`,
		}},
		// Without a home folder or %LOCALAPPDATA% those places are not
		// searched at all, rather than relative to the working directory.
		{"windows", "", "", `C:\Program Files`, []string{
			`C:\Program Files\Aspera\Enterprise Server\bin\ascp.exe`,
			`C:\Program Files\Aspera\cli\bin\ascp.exe`,
		}},
		{"linux", "", "", "", []string{"/opt/aspera/bin/ascp", "/opt/ibm/aspera/bin/ascp"}},
	}
	for _, tt := range tests {
		got := installLocations(tt.goos, tt.home, tt.local, tt.programFiles)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("installLocations(%q, %q, %q, %q) (-want +got):\n%s", tt.goos, tt.home, tt.local, tt.programFiles, diff)
		}
	}
}

// The README lists the same places, in the order they are searched.
func TestReadmeListsInstallLocations(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for goos, label := range map[string]string{"linux": "**Linux**", "darwin": "**macOS**", "windows": "**Windows**"} {
		home := "~"
		if goos == "windows" {
			home = "%USERPROFILE%"
		}
		start := strings.Index(readme, "- "+label+":")
		if start < 0 {
			t.Fatalf("README has no %q entry", label)
		}
		item := readme[start:]
		for _, stop := range []string{"\n- ", "\n\n"} {
			if end := strings.Index(item[2:], stop); end >= 0 {
				item = item[:end+2]
			}
		}
		item = strings.Join(strings.Fields(item), " ") // the list wraps lines
		at := 0
		for _, loc := range installLocations(goos, home, "%LOCALAPPDATA%", "%ProgramFiles%") {
			i := strings.Index(item[at:], "`"+loc+"`")
			if i < 0 {
				t.Errorf("README's %s entry lacks `%s` (or lists it out of order)", label, loc)
				continue
			}
			at += i
		}
		if n := strings.Count(item, "`"); n != 2*len(installLocations(goos, home, "%LOCALAPPDATA%", "%ProgramFiles%")) {
			t.Errorf("README's %s entry has %d quoted places, the code searches %d", label, n/2, len(installLocations(goos, home, "%LOCALAPPDATA%", "%ProgramFiles%")))
		}
	}
}

// The cause of an unusable explicit path stays inspectable.
func TestLocateWrapsItsCause(t *testing.T) {
	_, _, err := Locate(filepath.Join(t.TempDir(), "no-such-ascp"))
	var nf *NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Locate of a missing path: %v; want a *NotFoundError wrapping fs.ErrNotExist", err)
	}
}

// An explicit path names the file as given; on Windows, as in its shells,
// a path without .exe names the program with it (--ascp C:\Aspera\bin\ascp).
// Elsewhere the exact file must exist.
func TestLocateExplicitPathWithoutExe(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "ascp.exe")
	if err := os.WriteFile(exe, []byte("MZ"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, _, err := Locate(filepath.Join(dir, "ascp"))
	if runtime.GOOS == "windows" {
		if err != nil || got != exe {
			t.Fatalf("Locate(%s) = %q, %v; want %s", filepath.Join(dir, "ascp"), got, err, exe)
		}
		return
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Locate(%s) = %q, %v; want it missing: only Windows adds .exe", filepath.Join(dir, "ascp"), got, err)
	}
}
