package ascpsim

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README and the package comment list the faults by hand; the table
// is the one source, so each must name every fault as ASCPSIM_FAIL spells
// it, and no other.
func TestEveryFaultIsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, readmeList, _ := strings.Cut(string(readme), "`ASCPSIM_FAIL` injects faults (")
	readmeList, _, _ = strings.Cut(readmeList, "; `ASCPSIM_FAIL_TIMES")
	_, pkgList, _ := strings.Cut(string(pkg), "ASCPSIM_FAIL        a failure to inject:")
	pkgList, _, _ = strings.Cut(pkgList, "ASCPSIM_FAIL_TIMES")
	spelled := regexp.MustCompile(`\b[a-z]+(?::[A-Z]+)?\b`)
	for where, list := range map[string]string{"README.md": readmeList, "doc.go": pkgList} {
		named := map[string]bool{}
		for _, s := range spelled.FindAllString(list, -1) {
			named[s] = true
		}
		for _, f := range faults {
			s := f.name
			if f.arg != "" {
				s += ":" + f.arg
			}
			if !named[s] {
				t.Errorf("%s does not list the fault %s", where, s)
			}
			delete(named, s)
		}
		if where == "README.md" && len(named) > 0 {
			t.Errorf("README.md lists faults the table does not have: %v", named)
		}
	}
}
