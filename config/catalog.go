package config

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/greenmetrics/greenmetrics/models"
)

//go:embed catalog.yaml
var defaultCatalog []byte

// DefaultCatalogName is how the embedded catalogue is named in errors.
const DefaultCatalogName = "catalog.yaml (embedded)"

// Catalog is the validated set of indicators, in file order, indexed by code.
type Catalog struct {
	indicators []models.Indicator
	byCode     map[string]int
}

// Error is a problem in a configuration or catalogue file, located so that
// a person can go and fix it.
type Error struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errors is every problem found in one file; Load reports them all at once
// so a person fixes a file in one pass.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap exposes the individual problems to errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// ErrDuplicateCode reports an indicator code defined twice.
var ErrDuplicateCode = errors.New("duplicate indicator code")

// DefaultCatalog returns the catalogue embedded in the binary: every
// quantitative indicator of the 2024 work report.
func DefaultCatalog() (*Catalog, error) {
	return ParseCatalog(DefaultCatalogName, defaultCatalog)
}

// LoadCatalog reads a catalogue file; an empty path means the embedded one.
func LoadCatalog(path string) (*Catalog, error) {
	if path == "" {
		return DefaultCatalog()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading catalogue: %w", err)
	}
	return ParseCatalog(path, data)
}

// ParseCatalog decodes and validates a catalogue. name is used in errors.
func ParseCatalog(name string, data []byte) (*Catalog, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, &Error{File: name, Err: err}
	}
	items, err := indicatorNodes(name, file)
	if err != nil {
		return nil, err
	}
	cat := &Catalog{byCode: make(map[string]int, len(items))}
	var errs Errors
	firstLine := map[string]int{}
	for _, node := range items {
		line := itemLine(node)
		var ind models.Indicator
		if err := yaml.NodeToValue(node, &ind, yaml.DisallowUnknownField()); err != nil {
			if l := yamlErrorLine(err); l > 0 {
				line = l
			}
			errs = append(errs, &Error{File: name, Line: line, Err: cleanYAMLError(err)})
			continue
		}
		if err := ind.Validate(); err != nil {
			for _, e := range problemsOf(err) {
				errs = append(errs, &Error{File: name, Line: line, Field: "indicator " + ind.Code, Err: e})
			}
			continue
		}
		if prev, dup := firstLine[ind.Code]; dup {
			errs = append(errs, &Error{File: name, Line: line, Field: "code",
				Err: fmt.Errorf("%w %q (first defined at line %d)", ErrDuplicateCode, ind.Code, prev)})
			continue
		}
		firstLine[ind.Code] = line
		cat.byCode[ind.Code] = len(cat.indicators)
		cat.indicators = append(cat.indicators, ind)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return cat, nil
}

// indicatorNodes finds the sequence under the top-level "indicators" key and
// rejects any other top-level key.
func indicatorNodes(name string, file *ast.File) ([]ast.Node, error) {
	if len(file.Docs) != 1 || file.Docs[0].Body == nil {
		return nil, &Error{File: name, Err: errors.New("expected one YAML document with an indicators list")}
	}
	if top := topLevelProblem(file.Docs[0].Body); top != nil {
		return nil, &Error{File: name, Line: top.line, Err: top.err}
	}
	mapping := file.Docs[0].Body.(*ast.MappingNode)
	for _, kv := range mapping.Values {
		if kv.Key.String() != "indicators" {
			continue
		}
		seq, ok := kv.Value.(*ast.SequenceNode)
		if !ok {
			return nil, &Error{File: name, Line: kv.Value.GetToken().Position.Line, Field: "indicators", Err: errors.New("must be a list")}
		}
		return seq.Values, nil
	}
	return nil, &Error{File: name, Err: errors.New("no indicators list")}
}

// itemLine is the line of an item's code key, where a person looks for it.
func itemLine(node ast.Node) int {
	if m, ok := node.(*ast.MappingNode); ok {
		for _, kv := range m.Values {
			if kv.Key.String() == "code" {
				return kv.Key.GetToken().Position.Line
			}
		}
	}
	return node.GetToken().Position.Line
}

type locatedProblem struct {
	line int
	err  error
}

func topLevelProblem(body ast.Node) *locatedProblem {
	mapping, ok := body.(*ast.MappingNode)
	if !ok {
		return &locatedProblem{line: body.GetToken().Position.Line, err: errors.New("top level must be a mapping with the key indicators")}
	}
	for _, kv := range mapping.Values {
		if k := kv.Key.String(); k != "indicators" {
			return &locatedProblem{line: kv.Key.GetToken().Position.Line, err: fmt.Errorf("unknown key %q (allowed: indicators)", k)}
		}
	}
	return nil
}

// cleanYAMLError keeps the decoder's first line ("[3:5] unknown field …")
// and drops the source excerpt it appends; the caller adds file and line.
func cleanYAMLError(err error) error {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if strings.HasPrefix(msg, "[") {
		if j := strings.Index(msg, "] "); j > 0 {
			msg = msg[j+2:]
		}
	}
	return errors.New(msg)
}

// Indicators returns the indicators in catalogue order. The slice is shared;
// callers must not modify it.
func (c *Catalog) Indicators() []models.Indicator { return c.indicators }

// Lookup returns the indicator with the given code.
func (c *Catalog) Lookup(code string) (models.Indicator, bool) {
	i, ok := c.byCode[code]
	if !ok {
		return models.Indicator{}, false
	}
	return c.indicators[i], true
}

// Codes returns the sorted indicator codes.
func (c *Catalog) Codes() []string {
	codes := make([]string, 0, len(c.byCode))
	for code := range c.byCode {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	return codes
}

// WithReference returns a copy of the catalogue whose indicators carry, as
// a reference of their size, the latest target and baseline the plans set
// up to year (models.PlanSet.ApplyLatest). Progress does not use it: the
// engine takes each year's targets from the plans.
func (c *Catalog) WithReference(plans *models.PlanSet, year int) *Catalog {
	return &Catalog{indicators: plans.ApplyLatest(c.indicators, year), byCode: c.byCode}
}

// WithTargets returns the indicators that carry a target, in catalogue
// order: none for a catalogue as loaded (targets are plans), the latest
// plan targets for one returned by WithReference or SeedCatalog.
func (c *Catalog) WithTargets() []models.Indicator {
	var out []models.Indicator
	for _, ind := range c.indicators {
		if ind.Target != nil {
			out = append(out, ind)
		}
	}
	return out
}

// problemsOf splits an error joined with errors.Join into its problems, so
// each is reported (and counted by `check`) on its own.
func problemsOf(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
