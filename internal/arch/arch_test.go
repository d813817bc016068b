package arch

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/greenmetrics/greenmetrics"

// pkg is what the rules need of `go list -json`.
type pkg struct {
	ImportPath string
	Name       string
	Imports    []string // direct, without test imports
	Deps       []string // transitive, without test imports
	Standard   bool
	Module     *struct{ Path string }
}

func ours(path string) bool { return path == module || strings.HasPrefix(path, module+"/") }

// under reports whether path is the package rel of the module or below it.
func under(path, rel string) bool {
	p := module + "/" + rel
	return path == p || strings.HasPrefix(path, p+"/")
}

const (
	influxClient = "github.com/influxdata/influxdb-client-go"
	clientGolang = "github.com/prometheus/client_golang"
)

func isInfluxClient(path string) bool { return strings.HasPrefix(path, influxClient) }
func isClientGolang(path string) bool { return strings.HasPrefix(path, clientGolang) }

// cmdMayImport are the packages cmd may import besides the standard
// library: the application layer it calls, the presentation that prints
// its results, config for the type of the shared flags (config.Overrides;
// TestCmdNamesOnlyConfigOverrides holds it to that), and the CLI library.
var cmdMayImport = []string{
	module + "/internal/app",
	module + "/internal/present",
	module + "/config",
	"github.com/spf13/cobra",
}

// standard reports whether path is a standard-library package: its first
// element has no dot (as go list's Standard field says of a package).
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// rule forbids packages it applies to to import (direct) or depend on
// (transitive) what forbidden matches. docs/architecture.md says why.
type rule struct {
	name       string
	applies    func(p pkg) bool
	transitive bool
	forbidden  func(imp string) bool
}

var rules = []rule{
	{
		name:       "models imports nothing of ours",
		applies:    func(p pkg) bool { return p.ImportPath == module+"/models" },
		transitive: true,
		forbidden:  ours,
	},
	{
		name: "models/air, models/carbon, models/water import only models",
		applies: func(p pkg) bool {
			return strings.HasPrefix(p.ImportPath, module+"/models/") && !under(p.ImportPath, "models/analysis")
		},
		transitive: true,
		forbidden:  func(imp string) bool { return ours(imp) && imp != module+"/models" },
	},
	{
		name:       "models/analysis imports only models and models/*",
		applies:    func(p pkg) bool { return under(p.ImportPath, "models/analysis") },
		transitive: true,
		forbidden:  func(imp string) bool { return ours(imp) && !under(imp, "models") },
	},
	{
		name:       "store depends on nothing of ours but models and models/*",
		applies:    func(p pkg) bool { return p.ImportPath == module+"/store" },
		transitive: true,
		forbidden:  func(imp string) bool { return ours(imp) && !under(imp, "models") },
	},
	{
		name: "only store (and the test tools internal/influxtest, internal/benchtool) import influxdb-client-go",
		applies: func(p pkg) bool {
			return !under(p.ImportPath, "store") && !under(p.ImportPath, "internal/influxtest") && !under(p.ImportPath, "internal/benchtool")
		},
		forbidden: isInfluxClient,
	},
	{
		name:      "only metrics/exporter imports client_golang",
		applies:   func(p pkg) bool { return !under(p.ImportPath, "metrics/exporter") },
		forbidden: isClientGolang,
	},
	{
		name:    "cmd imports only internal/app, internal/present, config (for config.Overrides), the standard library and cobra",
		applies: func(p pkg) bool { return under(p.ImportPath, "cmd") },
		forbidden: func(imp string) bool {
			return !standard(imp) && !slices.Contains(cmdMayImport, imp)
		},
	},
	{
		name:       "report depends on neither store, influxdb-client-go, the pipeline, the spool, the push API nor client_golang",
		applies:    func(p pkg) bool { return under(p.ImportPath, "report") },
		transitive: true,
		forbidden: func(imp string) bool {
			return imp == module+"/store" || isInfluxClient(imp) || imp == module+"/ingest" ||
				under(imp, "ingest/spool") || under(imp, "ingest/httpapi") || isClientGolang(imp)
		},
	},
	{
		name:       "the analysis (metrics, metrics/trend) depends on neither store nor influxdb-client-go",
		applies:    func(p pkg) bool { return p.ImportPath == module+"/metrics" || under(p.ImportPath, "metrics/trend") },
		transitive: true,
		forbidden:  func(imp string) bool { return imp == module+"/store" || isInfluxClient(imp) },
	},
	{
		name:       "the analysis (metrics) does not depend on ingestion or client_golang",
		applies:    func(p pkg) bool { return p.ImportPath == module+"/metrics" || under(p.ImportPath, "metrics/trend") },
		transitive: true,
		forbidden:  func(imp string) bool { return under(imp, "ingest") || isClientGolang(imp) },
	},
	{
		name:       "ingest does not depend on the demo generator",
		applies:    func(p pkg) bool { return under(p.ImportPath, "ingest") },
		transitive: true,
		forbidden:  func(imp string) bool { return under(imp, "internal/demo") },
	},
	{
		name:       "internal/demo depends only on config, models and models/*",
		applies:    func(p pkg) bool { return under(p.ImportPath, "internal/demo") },
		transitive: true,
		forbidden:  func(imp string) bool { return ours(imp) && imp != module+"/config" && !under(imp, "models") },
	},
	{
		name:       "ingest does not depend on the analysis or the report",
		applies:    func(p pkg) bool { return under(p.ImportPath, "ingest") },
		transitive: true,
		forbidden:  func(imp string) bool { return under(imp, "metrics") || under(imp, "report") },
	},
}

// listPackages runs `go list -deps -json ./...` at the module root and
// returns the module's own packages.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goTool, "list", "-deps", "-json", "./...")
	cmd.Dir = filepath.Join("..", "..")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if ours(p.ImportPath) {
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found none of the module's packages")
	}
	return pkgs
}

func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			checked := 0
			for _, p := range pkgs {
				if !r.applies(p) {
					continue
				}
				checked++
				imports, verb := p.Imports, "imports"
				if r.transitive {
					imports, verb = p.Deps, "depends on"
				}
				for _, imp := range imports {
					if r.forbidden(imp) {
						t.Errorf("%s %s %s (docs/architecture.md)", p.ImportPath, verb, imp)
					}
				}
			}
			// A rule over packages that were renamed away would pass
			// while checking nothing.
			if checked == 0 {
				t.Errorf("the rule applies to no package")
			}
		})
	}
}

// TestNoCatchAllPackages keeps names that say nothing out: a util or
// common package collects what has no home instead of giving it one.
func TestNoCatchAllPackages(t *testing.T) {
	banned := []string{"util", "utils", "common", "helpers", "misc"}
	for _, p := range listPackages(t) {
		for _, seg := range strings.Split(strings.TrimPrefix(p.ImportPath, module+"/"), "/") {
			if slices.Contains(banned, seg) {
				t.Errorf("%s: no package named %s; name it for what it does", p.ImportPath, seg)
			}
		}
		if slices.Contains(banned, p.Name) {
			t.Errorf("%s is package %s; name it for what it does", p.ImportPath, p.Name)
		}
	}
}

// TestCmdNamesOnlyConfigOverrides: cmd imports config only for the type of
// the shared flags; loading, defaults and validation are the application
// layer's (internal/app) and config's own.
func TestCmdNamesOnlyConfigOverrides(t *testing.T) {
	dir := filepath.Join("..", "..", "cmd", "greenmetrics")
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("cmd sources: %v (%d files)", err, len(files))
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		local := ""
		for _, imp := range f.Imports {
			if imp.Path.Value == `"`+module+`/config"` {
				local = "config"
				if imp.Name != nil {
					local = imp.Name.Name
				}
			}
		}
		if local == "" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == local && sel.Sel.Name != "Overrides" {
				t.Errorf("%s: cmd uses config.%s; only config.Overrides (docs/architecture.md)", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}
