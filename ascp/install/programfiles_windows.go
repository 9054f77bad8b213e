package install

import (
	"os"

	"golang.org/x/sys/windows"
)

// programFiles is the Program Files folder of this 64-bit process:
// %ProgramFiles%, or Windows' own answer where the variable is missing (a
// service or a workflow engine may start asession with a bare
// environment).
func programFiles() string {
	if dir := os.Getenv("ProgramFiles"); dir != "" {
		return dir
	}
	dir, err := windows.KnownFolderPath(windows.FOLDERID_ProgramFiles, 0)
	if err != nil {
		return ""
	}
	return dir
}
