package ascpsim

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/faspkit/asession/ascp/mgmt"
)

// notFieldNames are the CamelCase string literals of the stand-in that are
// values, not field names: Yes/No, SESSION's Direction and Adaptive, the
// Operation values; and the Windows procedure that lists listening sockets
// (AwaitTaken).
var notFieldNames = map[string]bool{
	"Yes": true, "No": true, "Send": true, "Receive": true, "Transfer": true,
	"Fixed": true, "Trickle": true, "Linger": true,
	"GetExtendedTcpTable": true,
}

// TestStandInSendsOnlyIBMFieldNames reads the stand-in's source: every
// CamelCase string literal is either a value listed above or a field name
// IBM's own client knows (reference §2.1). A stand-in that invents a field
// (Checksum for FileChecksum, ArgScansFailed) would teach the runner a name
// no real ascp sends.
func TestStandInSendsOnlyIBMFieldNames(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sources: %v", err)
	}
	camel := regexp.MustCompile(`^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$`)
	found := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !camel.MatchString(s) || notFieldNames[s] {
				return true
			}
			found++
			if mgmt.Known([]byte(s)) == nil {
				t.Errorf("%s: %q is not a management field IBM knows", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
	if found < 30 {
		t.Fatalf("found only %d field names: the scan is broken", found)
	}
}
