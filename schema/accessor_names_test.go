package schema

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A misspelt name given to a Spec accessor would read as absent and pass
// every test that leaves the field out. TestSpecAccessorNamesAreFields reads
// the module's source: every string literal passed to Get, String, Bool,
// Int or Has on something named spec (or Spec) is a field of the table.
func TestSpecAccessorNamesAreFields(t *testing.T) {
	accessors := map[string]bool{"Get": true, "String": true, "Bool": true, "Int": true, "Has": true}
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !accessors[sel.Sel.Name] || !namedSpec(sel.X) {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			name, _ := strconv.Unquote(lit.Value)
			checked++
			if _, ok := Lookup(name); !ok {
				t.Errorf("%s: %s(%q) names no field of the table", fset.Position(lit.Pos()), sel.Sel.Name, name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d accessor calls checked", checked)
	if checked < 20 {
		t.Fatalf("only %d accessor calls found: the scan is broken", checked)
	}
}

// namedSpec reports whether x is an identifier or selector named spec or
// Spec (spec, b.spec, j.in.Spec).
func namedSpec(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.Ident:
		return strings.EqualFold(x.Name, "spec")
	case *ast.SelectorExpr:
		return strings.EqualFold(x.Sel.Name, "spec")
	}
	return false
}
