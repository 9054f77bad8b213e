package wine

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every package whose tests make temporary folders (t.TempDir) imports
// this one from a test file, or its tests fail under Wine at clean-up: a
// new package easily forgets it, so this test looks.
func TestEveryPackageWithTempDirsLinksWine(t *testing.T) {
	root := filepath.Join("..", "..")
	needs, has := map[string]bool{}, map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		if strings.Contains(string(text), "TempDir()") {
			needs[dir] = true
		}
		if strings.Contains(string(text), `"github.com/faspkit/asession/internal/wine"`) {
			has[dir] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir := range needs {
		// The integrations are their own module, not run under Wine.
		if !has[dir] && !strings.Contains(filepath.ToSlash(dir), "integrations") {
			t.Errorf("%s makes temporary folders in its tests but no test file imports internal/wine", dir)
		}
	}
}
