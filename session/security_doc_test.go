package session

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// SECURITY.md names the test behind each guarantee: every test, fuzz
// target and test data file it names must exist, so that the page cannot
// go on citing a test that was renamed or removed.
func TestSecurityDocNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("../SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	var tests strings.Builder
	var files []string
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != ".." {
			return filepath.SkipDir
		}
		files = append(files, filepath.ToSlash(path))
		if strings.HasSuffix(path, "_test.go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			tests.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile("`((?:Test|Fuzz)[A-Za-z0-9_]+)`").FindAllStringSubmatch(string(doc), -1)
	if len(names) < 20 {
		t.Fatalf("only %d test names found in SECURITY.md", len(names))
	}
	for _, m := range names {
		if !strings.Contains(tests.String(), "func "+m[1]+"(") {
			t.Errorf("SECURITY.md names %s, which no test file defines", m[1])
		}
	}
	for _, m := range regexp.MustCompile("`([a-z_/]+_test\\.go|testdata/[a-z_/]+\\.(?:txtar|json))`").FindAllStringSubmatch(string(doc), -1) {
		found := false
		for _, f := range files {
			found = found || strings.HasSuffix(f, "/"+m[1])
		}
		if !found {
			t.Errorf("SECURITY.md names %s, which does not exist", m[1])
		}
	}
}
