package scripts

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the module root: the parent of this package's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s", root)
	}
	return root
}

// TestNothingReadsOutsideTheRepository: a user clones the repository
// alone, so no code, test or script may reach a path outside it (the
// team's shelf beside the repository above all). Go files are checked by their
// relative-path literals and filepath.Join calls starting with "..",
// resolved from their own directory; scripts and configs by "../".
func TestNothingReadsOutsideTheRepository(t *testing.T) {
	root := repoRoot(t)
	// The shelf's folder name is split so that this file does not match
	// its own pattern.
	const shelfDir = "sha" + "red"
	shelf := regexp.MustCompile(`\.\./` + shelfDir + `\b|"` + shelfDir + `",`)
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if name == ".git" || name == "bin" || name == "var" || name == "out" || name == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		switch {
		case strings.HasSuffix(name, ".go"):
			checkGoFile(t, root, path, rel)
		case strings.HasSuffix(name, ".sh"), name == "Makefile", strings.HasSuffix(name, ".yaml"), strings.HasSuffix(name, ".yml"),
			strings.HasPrefix(rel, ".ci"+string(filepath.Separator)):
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if loc := shelf.FindIndex(b); loc != nil {
				t.Errorf("%s:%d reads the team's shelf outside the repository", rel, 1+strings.Count(string(b[:loc[0]]), "\n"))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkGoFile reports relative paths in a Go file that leave the module
// root when resolved from the file's directory.
func checkGoFile(t *testing.T, root, path, rel string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Errorf("%s: %v", rel, err)
		return
	}
	dir := filepath.Dir(path)
	escapes := func(p string) bool {
		abs := filepath.Clean(filepath.Join(dir, p))
		r, err := filepath.Rel(root, abs)
		return err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator))
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BasicLit:
			if x.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(x.Value)
			if err == nil && strings.HasPrefix(s, "../") && escapes(s) {
				t.Errorf("%s:%d: path %q leaves the repository", rel, fset.Position(x.Pos()).Line, s)
			}
		case *ast.CallExpr:
			sel, ok := x.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Join" {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "filepath" {
				return true
			}
			var parts []string
			for _, a := range x.Args {
				lit, ok := a.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					break
				}
				s, _ := strconv.Unquote(lit.Value)
				parts = append(parts, s)
			}
			if len(parts) > 0 && parts[0] == ".." && escapes(filepath.Join(parts...)) {
				t.Errorf("%s:%d: filepath.Join%q leaves the repository", rel, fset.Position(x.Pos()).Line, parts)
			}
		}
		return true
	})
}
