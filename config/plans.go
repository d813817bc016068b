package config

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/greenmetrics/greenmetrics/models"
)

// embeddedPlans are the plans shipped in the binary: the seed's 2024
// government work report. The templates beside them are not plans.
//
//go:embed plans/*.yaml
var embeddedPlans embed.FS

// Errors of plans checked against the catalogue.
var (
	ErrPlanUnknownIndicator = errors.New("unknown indicator (not in the catalogue)")
	ErrPlanDuplicateID      = errors.New("plan id used by another plan")
	ErrPlanFormat           = errors.New("not a plan file (.yaml, .yml, .csv or .xlsx)")
	ErrPlanQualitative      = errors.New("a qualitative target has a text and no value")
)

// EmbeddedPlans returns the plans shipped in the binary, checked against
// cat.
func EmbeddedPlans(cat *Catalog) ([]models.Plan, error) {
	entries, err := fs.ReadDir(embeddedPlans, "plans")
	if err != nil {
		return nil, fmt.Errorf("embedded plans: %w", err)
	}
	var plans []models.Plan
	var errs Errors
	for _, e := range entries {
		data, err := embeddedPlans.ReadFile("plans/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("embedded plan %s: %w", e.Name(), err)
		}
		p, err := ParsePlanYAML("config/plans/"+e.Name()+" (embedded)", data, cat)
		// A catalogue of its own (--catalog) may leave out indicators of
		// the seed's plan: those targets are not in force, and check
		// names them (EmbeddedPlanGaps); every other problem is an error.
		var real Errors
		for _, pe := range asErrors(err) {
			if !errors.Is(pe, ErrPlanUnknownIndicator) {
				real = append(real, pe)
			}
		}
		if len(real) > 0 {
			errs = append(errs, real...)
			continue
		}
		plans = append(plans, p)
	}
	if len(errs) > 0 {
		return plans, errs
	}
	return plans, nil
}

// EmbeddedPlanGaps lists the indicators the embedded plans set targets or
// baselines for that cat does not define (none for the embedded
// catalogue): with a catalogue of one's own those are not in force.
func EmbeddedPlanGaps(cat *Catalog) []string {
	entries, _ := fs.ReadDir(embeddedPlans, "plans")
	seen := map[string]bool{}
	var out []string
	for _, e := range entries {
		data, _ := embeddedPlans.ReadFile("plans/" + e.Name())
		var raw struct {
			Targets   []struct{ Indicator string } `yaml:"targets"`
			Baselines []struct{ Indicator string } `yaml:"baselines"`
		}
		if yaml.Unmarshal(data, &raw) != nil {
			continue
		}
		codes := make([]string, 0, len(raw.Targets)+len(raw.Baselines))
		for _, t := range raw.Targets {
			codes = append(codes, t.Indicator)
		}
		for _, b := range raw.Baselines {
			codes = append(codes, b.Indicator)
		}
		for _, c := range codes {
			if _, ok := cat.Lookup(c); !ok && !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}

// LoadPlans returns the plans in force: the embedded ones and every plan
// file in dir (empty: none), resolved into a PlanSet. Every problem — of
// each file, and conflicts between plans — is reported at once, each
// named by file and line.
func LoadPlans(dir string, cat *Catalog) (*models.PlanSet, error) {
	plans, err := EmbeddedPlans(cat)
	errs := asErrors(err)
	if dir != "" {
		more, err := ReadPlanDir(dir, cat)
		errs = append(errs, asErrors(err)...)
		plans = append(plans, more...)
	}
	errs = append(errs, duplicateIDs(plans)...)
	set, conflicts := models.NewPlanSet(plans)
	for _, c := range conflicts {
		errs = append(errs, &Error{File: c.Second.File, Line: c.Second.Line, Field: fmt.Sprintf("%s %d", c.Indicator, c.Year),
			Err: fmt.Errorf("%w (the other at %s)", c.Err, c.First.Where())})
	}
	if len(errs) > 0 {
		return set, errs
	}
	return set, nil
}

func duplicateIDs(plans []models.Plan) Errors {
	var errs Errors
	first := map[string]string{}
	for _, p := range plans {
		if f, dup := first[p.ID]; dup {
			errs = append(errs, &Error{File: p.File, Field: "id", Err: fmt.Errorf("%w %q (%s)", ErrPlanDuplicateID, p.ID, f)})
			continue
		}
		first[p.ID] = p.File
	}
	return errs
}

// ReadPlanDir reads every plan file of dir (.yaml, .yml, .csv, .xlsx; other
// files and files starting with "template" are skipped), in name order.
func ReadPlanDir(dir string, cat *Catalog) ([]models.Plan, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("plans_dir: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() && isPlanFile(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var plans []models.Plan
	var errs Errors
	for _, n := range names {
		p, err := ReadPlanFile(filepath.Join(dir, n), cat)
		if err != nil {
			errs = append(errs, asErrors(err)...)
			continue
		}
		plans = append(plans, p)
	}
	if len(errs) > 0 {
		return plans, errs
	}
	return plans, nil
}

func isPlanFile(name string) bool {
	if strings.HasPrefix(name, "template") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") {
		return false
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".csv", ".xlsx":
		return true
	}
	return false
}

// ReadPlanFile reads one plan file by its extension.
func ReadPlanFile(path string, cat *Catalog) (models.Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return models.Plan{}, fmt.Errorf("reading plan: %w", err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return ParsePlanYAML(path, data, cat)
	case ".csv":
		return ParsePlanCSV(path, data, cat)
	case ".xlsx":
		return ParsePlanXLSX(path, data, cat)
	}
	return models.Plan{}, &Error{File: path, Err: ErrPlanFormat}
}

func asErrors(err error) Errors {
	if err == nil {
		return nil
	}
	var es Errors
	if errors.As(err, &es) {
		return es
	}
	var e *Error
	if errors.As(err, &e) {
		return Errors{e}
	}
	return Errors{{Err: err}}
}

// planHeader is the plan's own fields, decoded apart from its lists so
// that each target is decoded (and located) on its own.
type planHeader struct {
	ID     string `yaml:"id"`
	Name   string `yaml:"name"`
	Issued string `yaml:"issued"`
	Demo   bool   `yaml:"demo"`
	Source string `yaml:"source"`
}

// ParsePlanYAML decodes and checks a YAML plan; name is used in errors.
func ParsePlanYAML(name string, data []byte, cat *Catalog) (models.Plan, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return models.Plan{}, &Error{File: name, Line: yamlErrorLine(err), Err: cleanYAMLError(err)}
	}
	if len(file.Docs) != 1 || file.Docs[0].Body == nil {
		return models.Plan{}, &Error{File: name, Err: errors.New("expected one YAML document: a plan with id, name, issued and targets")}
	}
	mapping, ok := file.Docs[0].Body.(*ast.MappingNode)
	if !ok {
		return models.Plan{}, &Error{File: name, Line: file.Docs[0].Body.GetToken().Position.Line, Err: errors.New("top level must be a mapping")}
	}
	plan := models.Plan{File: name}
	var errs Errors
	var targets, baselines []ast.Node
	header := &ast.MappingNode{BaseNode: mapping.BaseNode, Start: mapping.Start}
	for _, kv := range mapping.Values {
		key := kv.Key.String()
		switch key {
		case "targets", "baselines":
			seq, ok := kv.Value.(*ast.SequenceNode)
			if !ok {
				if _, null := kv.Value.(*ast.NullNode); !null {
					errs = append(errs, &Error{File: name, Line: kv.Key.GetToken().Position.Line, Field: key, Err: errors.New("must be a list")})
				}
				continue
			}
			if key == "targets" {
				targets = seq.Values
			} else {
				baselines = seq.Values
			}
		default:
			header.Values = append(header.Values, kv)
		}
	}
	var h planHeader
	if err := yaml.NodeToValue(header, &h, yaml.DisallowUnknownField()); err != nil {
		errs = append(errs, &Error{File: name, Line: yamlErrorLine(err), Err: fmt.Errorf("%v (allowed: id, name, issued, demo, source, targets, baselines)", cleanYAMLError(err))})
	}
	plan.ID, plan.Name, plan.Issued, plan.Demo, plan.Source = h.ID, h.Name, h.Issued, h.Demo, h.Source
	if err := plan.Validate(); err != nil && len(errs) == 0 {
		errs = append(errs, &Error{File: name, Line: 1, Field: "plan", Err: err})
	}
	for _, node := range targets {
		line := keyedLine(node, "indicator")
		var t models.PlanTarget
		if err := yaml.NodeToValue(node, &t, yaml.DisallowUnknownField()); err != nil {
			if l := yamlErrorLine(err); l > 0 {
				line = l
			}
			errs = append(errs, &Error{File: name, Line: line, Err: cleanYAMLError(err)})
			continue
		}
		t.Line = line
		if err := normalizeTarget(&t, cat); err != nil {
			errs = append(errs, &Error{File: name, Line: line, Field: "target " + t.Indicator, Err: err})
			continue
		}
		plan.Targets = append(plan.Targets, t)
	}
	for _, node := range baselines {
		line := keyedLine(node, "indicator")
		var f models.PlanFigure
		if err := yaml.NodeToValue(node, &f, yaml.DisallowUnknownField()); err != nil {
			errs = append(errs, &Error{File: name, Line: line, Err: cleanYAMLError(err)})
			continue
		}
		f.Line = line
		if err := normalizeFigure(&f, cat); err != nil {
			errs = append(errs, &Error{File: name, Line: line, Field: "baseline " + f.Indicator, Err: err})
			continue
		}
		plan.Baselines = append(plan.Baselines, f)
	}
	errs = append(errs, duplicatesInPlan(&plan)...)
	if len(errs) > 0 {
		return plan, errs
	}
	return plan, nil
}

// keyedLine is the line of an item's key, where a person looks for it.
func keyedLine(node ast.Node, key string) int {
	if m, ok := node.(*ast.MappingNode); ok {
		for _, kv := range m.Values {
			if kv.Key.String() == key {
				return kv.Key.GetToken().Position.Line
			}
		}
	}
	return node.GetToken().Position.Line
}

// normalizeTarget checks a target against the catalogue and converts its
// value (and stated base) to the indicator's base unit: rates to ratios.
func normalizeTarget(t *models.PlanTarget, cat *Catalog) error {
	if err := t.Validate(); err != nil {
		return err
	}
	ind, ok := cat.Lookup(t.Indicator)
	if !ok {
		return fmt.Errorf("indicator %q: %w", t.Indicator, ErrPlanUnknownIndicator)
	}
	unit := ind.Unit
	if t.Kind.IsRate() {
		unit = "ratio"
	}
	if t.Kind == models.TargetMunicipal || t.Kind == models.TargetQualitative {
		if t.Kind == models.TargetQualitative && (t.Value != 0 || t.Text == "") {
			return fmt.Errorf("qualitative target: %w (a text such as 稳步增长 and no value)", ErrPlanQualitative)
		}
		t.Unit = ind.Unit
		return nil
	}
	from := t.Unit
	if from == "" {
		from = unit
	}
	v, err := models.Convert(t.Value, from, unit)
	if err != nil {
		return fmt.Errorf("unit: %w", err)
	}
	t.Value, t.Unit = v, unit
	if t.BaseValue != nil {
		// A stated base is an amount of the indicator, whatever the
		// target's kind; written in the target's unit unless that is a rate.
		bu := from
		if t.Kind.IsRate() {
			bu = ind.Unit
		}
		b, err := models.Convert(*t.BaseValue, bu, ind.Unit)
		if err != nil {
			return fmt.Errorf("base_value: %w", err)
		}
		t.BaseValue = &b
	}
	if t.ConstantPrices && !isIntensity(ind) {
		return fmt.Errorf("constant_prices: %s is not an intensity per 万元 of GDP", ind.Code)
	}
	return nil
}

func isIntensity(ind models.Indicator) bool { return strings.HasSuffix(ind.Unit, "/10^4CNY") }

func normalizeFigure(f *models.PlanFigure, cat *Catalog) error {
	if f.Indicator == "" || f.Year == 0 {
		return fmt.Errorf("indicator and year: %w", models.ErrMissingField)
	}
	if !f.Qualifier.Valid() {
		return fmt.Errorf("qualifier %q: %w", f.Qualifier, models.ErrBadEnum)
	}
	ind, ok := cat.Lookup(f.Indicator)
	if !ok {
		return fmt.Errorf("indicator %q: %w", f.Indicator, ErrPlanUnknownIndicator)
	}
	from := f.Unit
	if from == "" {
		from = ind.Unit
	}
	v, err := models.Convert(f.Value, from, ind.Unit)
	if err != nil {
		return fmt.Errorf("unit: %w", err)
	}
	f.Value, f.Unit = v, ind.Unit
	return nil
}

// duplicatesInPlan reports two targets of one plan for the same indicator
// and year (an error: a plan says one thing per year), and two baselines of
// the same indicator and year.
func duplicatesInPlan(p *models.Plan) Errors {
	var errs Errors
	seen := map[string]int{}
	for _, t := range p.Targets {
		from, to := t.Span()
		for y := from; y <= to; y++ {
			k := fmt.Sprintf("%s %d", t.Indicator, y)
			if first, dup := seen[k]; dup {
				errs = append(errs, &Error{File: p.File, Line: t.Line, Field: "target " + k,
					Err: fmt.Errorf("%w (first at line %d)", models.ErrPlanDuplicate, first)})
				break
			}
			seen[k] = t.Line
		}
	}
	seenB := map[string]int{}
	for _, f := range p.Baselines {
		k := fmt.Sprintf("%s %d", f.Indicator, f.Year)
		if first, dup := seenB[k]; dup {
			errs = append(errs, &Error{File: p.File, Line: f.Line, Field: "baseline " + k,
				Err: fmt.Errorf("two baselines for one indicator and year (first at line %d)", first)})
			continue
		}
		seenB[k] = f.Line
	}
	return errs
}

// SeedCatalog is the embedded catalogue whose indicators carry the
// embedded plans' latest targets and baselines (Catalog.WithReference):
// the 2024 report's figures, for the demo and for tests written against
// them. Progress takes each year's targets from a PlanSet instead.
func SeedCatalog() (*Catalog, error) {
	cat, err := DefaultCatalog()
	if err != nil {
		return nil, err
	}
	plans, err := LoadPlans("", cat)
	if err != nil {
		return nil, err
	}
	years := plans.Years()
	if len(years) == 0 {
		return cat, nil
	}
	return cat.WithReference(plans, years[len(years)-1]), nil
}
