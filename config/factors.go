package config

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/greenmetrics/greenmetrics/models/carbon"
)

//go:embed factors.yaml
var defaultFactors []byte

// DefaultFactorsName is how the embedded factor table is named in errors.
const DefaultFactorsName = "factors.yaml (embedded)"

// FactorTable is a validated emission and standard-coal factor table with
// the version its file declares.
type FactorTable struct {
	*carbon.Table
	// Name is the file it was read from.
	Name string
	// Version is the edition the file declares; reports cite it.
	Version string
}

// factorYAML is one factor as written in the file.
type factorYAML struct {
	ID         string          `yaml:"id"`
	Activity   string          `yaml:"activity"`
	Series     string          `yaml:"series"`
	Region     string          `yaml:"region"`
	Year       int             `yaml:"year"`
	Value      *float64        `yaml:"value"`
	Unit       string          `yaml:"unit"`
	Source     string          `yaml:"source"`
	Note       string          `yaml:"note"`
	Derivation *derivationYAML `yaml:"derivation"`
}

type derivationYAML struct {
	NCV           float64 `yaml:"ncv"`
	CarbonContent float64 `yaml:"carbon_content"`
	Oxidation     float64 `yaml:"oxidation"`
}

func (f factorYAML) factor() carbon.Factor {
	out := carbon.Factor{
		ID: f.ID, Activity: carbon.Activity(f.Activity), Series: f.Series, Region: f.Region,
		Year: f.Year, Unit: f.Unit, Source: f.Source, Note: f.Note,
	}
	if f.Value != nil {
		out.Value = *f.Value
	}
	if d := f.Derivation; d != nil {
		out.Derivation = &carbon.Derivation{NCV: d.NCV, CarbonContent: d.CarbonContent, Oxidation: d.Oxidation}
	}
	return out
}

// DefaultFactors returns the factor table embedded in the binary.
func DefaultFactors() (*FactorTable, error) {
	return ParseFactors(DefaultFactorsName, defaultFactors)
}

// LoadFactors reads a factor table file; an empty path means the embedded one.
func LoadFactors(path string) (*FactorTable, error) {
	if path == "" {
		return DefaultFactors()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading factor table: %w", err)
	}
	return ParseFactors(path, data)
}

// ParseFactors decodes and validates a factor table: the top level holds
// exactly version and factors; every factor must pass carbon.Factor.Validate
// and ids must be unique. All problems are reported at once, with lines.
func ParseFactors(name string, data []byte) (*FactorTable, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, &Error{File: name, Err: err}
	}
	version, items, err := factorNodes(name, file)
	if err != nil {
		return nil, err
	}
	var errs Errors
	factors := make([]carbon.Factor, 0, len(items))
	lines := make([]int, 0, len(items))
	firstLine := map[string]int{}
	for _, node := range items {
		line := node.GetToken().Position.Line
		var fy factorYAML
		if err := yaml.NodeToValue(node, &fy, yaml.DisallowUnknownField()); err != nil {
			errs = append(errs, &Error{File: name, Line: line, Err: cleanYAMLError(err)})
			continue
		}
		if fy.Value == nil {
			errs = append(errs, &Error{File: name, Line: line, Field: "factor " + fy.ID, Err: errors.New("value is required")})
			continue
		}
		f := fy.factor()
		if err := f.Validate(); err != nil {
			errs = append(errs, &Error{File: name, Line: line, Field: "factor " + f.ID, Err: err})
			continue
		}
		if prev, dup := firstLine[f.ID]; dup {
			errs = append(errs, &Error{File: name, Line: line, Field: "id",
				Err: fmt.Errorf("%w %q (first defined at line %d)", carbon.ErrDuplicateID, f.ID, prev)})
			continue
		}
		firstLine[f.ID] = line
		factors = append(factors, f)
		lines = append(lines, line)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(factors) == 0 {
		return nil, &Error{File: name, Field: "factors", Err: errors.New("the table has no factors")}
	}
	table, err := carbon.NewTable(factors)
	if err != nil {
		// Every factor passed on its own above, so this is unreachable
		// unless validation rules diverge; report it rather than panic.
		return nil, &Error{File: name, Line: lines[0], Err: err}
	}
	return &FactorTable{Table: table, Name: name, Version: version}, nil
}

// factorNodes returns the version string and the factor list nodes, and
// rejects any other top-level key.
func factorNodes(name string, file *ast.File) (string, []ast.Node, error) {
	if len(file.Docs) != 1 || file.Docs[0].Body == nil {
		return "", nil, &Error{File: name, Err: errors.New("expected one YAML document with version and factors")}
	}
	mapping, ok := file.Docs[0].Body.(*ast.MappingNode)
	if !ok {
		return "", nil, &Error{File: name, Line: file.Docs[0].Body.GetToken().Position.Line,
			Err: errors.New("top level must be a mapping with the keys version and factors")}
	}
	var version string
	var items []ast.Node
	for _, kv := range mapping.Values {
		line := kv.Key.GetToken().Position.Line
		switch k := kv.Key.String(); k {
		case "version":
			if err := yaml.NodeToValue(kv.Value, &version); err != nil {
				return "", nil, &Error{File: name, Line: line, Field: "version", Err: cleanYAMLError(err)}
			}
		case "factors":
			seq, ok := kv.Value.(*ast.SequenceNode)
			if !ok {
				return "", nil, &Error{File: name, Line: line, Field: "factors", Err: errors.New("must be a list")}
			}
			items = seq.Values
		default:
			return "", nil, &Error{File: name, Line: line, Err: fmt.Errorf("unknown key %q (allowed: version, factors)", k)}
		}
	}
	if strings.TrimSpace(version) == "" {
		return "", nil, &Error{File: name, Field: "version", Err: errors.New("is required: name the edition of the table")}
	}
	if items == nil {
		return "", nil, &Error{File: name, Field: "factors", Err: errors.New("no factors list")}
	}
	return version, items, nil
}
