package models

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// A Plan is a document that sets targets: a year's 政府工作报告, a five-year
// plan (十四五 2021–2025), a bureau's own action plan. Plans are data, apart
// from the indicator definitions, and several are in force at once; which
// target applies to an indicator in a year is decided by PlanSet
// (docs/progress.md §4.1: precedence).
type Plan struct {
	// ID is a short ASCII name ("2024-tongzhou-gwr"), unique among plans.
	ID string `json:"id"`
	// Name is the plan's title as published ("2024年通州区政府工作报告").
	Name string `json:"name"`
	// Issued is the publication date (YYYY-MM-DD); a later-issued plan
	// overrides an earlier one for the same indicator and year.
	Issued string `json:"issued"`
	// Demo marks an illustrative plan (the demo's later years): shown as 演示
	// wherever its targets appear.
	Demo bool `json:"demo,omitempty"`
	// Source names where the plan was published.
	Source string `json:"source,omitempty"`
	// Targets are the plan's targets, each for one year or a span.
	Targets []PlanTarget `json:"targets"`
	// Baselines are figures the plan states for a past year (the 2024
	// report's review of 2023): the base of its targets when stored data
	// of that year are missing.
	Baselines []PlanFigure `json:"baselines,omitempty"`
	// File is where the plan was read from ("config/plans/x.yaml (embedded)").
	File string `json:"-"`
}

// IssuedDate parses Issued; the zero time when it is empty or malformed.
func (p *Plan) IssuedDate() time.Time {
	t, err := time.ParseInLocation("2006-01-02", p.Issued, Shanghai)
	if err != nil {
		return time.Time{}
	}
	return t
}

// PathShape is how a multi-year target's yearly path runs from the base
// year's value to the end year's target.
type PathShape string

// Path shapes. Linear is the default: the same amount each year, which is
// how 序时进度 over a plan span is read (two of five years gone → 40 % of
// the way). Geometric is the same rate each year: a 下降13.5% over five
// years is 1−(1−0.135)^(1/5) ≈ 2.86 % a year, compounding.
const (
	PathLinear    PathShape = "linear"
	PathGeometric PathShape = "geometric"
)

// Target kinds a plan adds to the annual ones (TargetAbsolute,
// TargetGrowth, TargetMunicipal, TargetQualitative).
const (
	// TargetReduction: Value is a fall (0.135 for 下降13.5%) of the end
	// year's figure against the base year's.
	TargetReduction TargetKind = "reduction"
	// TargetIncrease: Value is a rise (0.2 for 增长20%) of the end year's
	// figure against the base year's.
	TargetIncrease TargetKind = "increase"
)

// Valid reports whether k is a known target kind.
func (k TargetKind) Valid() bool {
	switch k {
	case TargetAbsolute, TargetGrowth, TargetMunicipal, TargetReduction, TargetIncrease, TargetQualitative:
		return true
	}
	return false
}

// IsRate reports whether Value is a rate (a ratio) rather than an amount of
// the indicator.
func (k TargetKind) IsRate() bool {
	return k == TargetGrowth || k == TargetReduction || k == TargetIncrease
}

// PlanTarget is one target of a plan: an indicator's figure for one year
// (Year) or for the end of a span (From–To). Value is in Unit; config
// converts it to the indicator's base unit when the plan is loaded (rates
// are ratios: "%" or "ratio").
type PlanTarget struct {
	Indicator string `json:"indicator"`
	// Year is a single-year target; From and To a span (inclusive), whose
	// target is reached by the end of To.
	Year int `json:"year,omitempty"`
	From int `json:"from,omitempty"`
	To   int `json:"to,omitempty"`
	// Kind says how Value reads: absolute (the year's figure — a level, a
	// year-end balance or, for flows, the year's or span's total), growth
	// (over the prior year's actual), reduction or increase (against the
	// base year), municipal (the municipality sets the number).
	Kind      TargetKind `json:"kind"`
	Value     float64    `json:"value"`
	Unit      string     `json:"unit,omitempty"`
	Qualifier Qualifier  `json:"qualifier"`
	// BaseYear is the year a reduction or increase is measured against:
	// From−1 for a span, Year−1 for a single year when left 0. BaseValue
	// is the base as the plan states it (in Unit); nil: the base year's
	// stored figures.
	BaseYear  int      `json:"base_year,omitempty"`
	BaseValue *float64 `json:"base_value,omitempty"`
	// Path is the yearly path of a span target (linear when empty).
	Path PathShape `json:"path,omitempty"`
	// ConstantPrices says an intensity (per 万元 GDP) is compared at
	// constant prices: its denominator moves with the real GDP index
	// (gdp_index), not with nominal GDP.
	ConstantPrices bool `json:"constant_prices,omitempty"`
	// Text is the target as the plan writes it ("下降13.5%"), Quote the
	// sentence it comes from.
	Text  string `json:"text,omitempty"`
	Quote string `json:"quote,omitempty"`
	// Line is the line of the target in its file (1-based; 0 unknown).
	Line int `json:"-"`
}

// Span returns the years the target covers: [Year, Year] or [From, To].
func (t *PlanTarget) Span() (from, to int) {
	if t.Year != 0 {
		return t.Year, t.Year
	}
	return t.From, t.To
}

// MultiYear reports whether the target is set over a span of years.
func (t *PlanTarget) MultiYear() bool { return t.Year == 0 && t.To > t.From }

// Covers reports whether the target is in force in year.
func (t *PlanTarget) Covers(year int) bool {
	from, to := t.Span()
	return year >= from && year <= to
}

// Base returns the base year of the target (BaseYear, else the year before
// the span starts).
func (t *PlanTarget) Base() int {
	if t.BaseYear != 0 {
		return t.BaseYear
	}
	from, _ := t.Span()
	return from - 1
}

// Errors of plan definitions. config wraps them with file, line and field.
var (
	ErrPlanYears     = errors.New("a target needs year, or from and to with from ≤ to")
	ErrPlanBase      = errors.New("base_year must be before the target's years")
	ErrPlanDuplicate = errors.New("two targets for one indicator and year in the same plan")
	ErrPlanConflict  = errors.New("two plans issued the same day set the same indicator and year")
)

// Bounds of a target's years: a plan is about this century, and a span is
// a five- or ten-year plan, not an open-ended one.
const (
	MinPlanYear = 1949
	MaxPlanYear = 2200
	MaxPlanSpan = 20
)

// Validate checks a target on its own (not against the catalogue): known
// kind, qualifier and path, a year or an ordered span, a base before it.
func (t *PlanTarget) Validate() error {
	if t.Indicator == "" {
		return fmt.Errorf("indicator: %w", ErrMissingField)
	}
	if !t.Kind.Valid() {
		return fmt.Errorf("kind %q: %w (absolute, growth, reduction, increase, municipal, qualitative)", t.Kind, ErrBadEnum)
	}
	if !t.Qualifier.Valid() {
		return fmt.Errorf("qualifier %q: %w (exact, approx, more_than, at_least, at_most, less_than, municipal)", t.Qualifier, ErrBadEnum)
	}
	switch t.Path {
	case "", PathLinear, PathGeometric:
	default:
		return fmt.Errorf("path %q: %w (linear, geometric)", t.Path, ErrBadEnum)
	}
	switch {
	case t.Year != 0 && (t.From != 0 || t.To != 0):
		return fmt.Errorf("year with from/to: %w", ErrPlanYears)
	case t.Year == 0 && (t.From == 0 || t.To == 0 || t.From > t.To):
		return fmt.Errorf("year, from, to: %w", ErrPlanYears)
	}
	if from, to := t.Span(); from < MinPlanYear || to > MaxPlanYear || to-from >= MaxPlanSpan {
		return fmt.Errorf("years %d–%d: %w (within %d–%d, at most %d years)", from, to, ErrPlanYears, MinPlanYear, MaxPlanYear, MaxPlanSpan)
	}
	if from, _ := t.Span(); t.BaseYear != 0 && t.BaseYear >= from {
		return fmt.Errorf("base_year %d: %w", t.BaseYear, ErrPlanBase)
	}
	if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
		return fmt.Errorf("value: %w", ErrMissingField)
	}
	return nil
}

// PlanFigure is a figure a plan states for a year (a baseline): the 2024
// report's "全区绿色信贷余额超300亿元" for 2023.
type PlanFigure struct {
	Indicator string    `json:"indicator"`
	Year      int       `json:"year"`
	Value     float64   `json:"value"`
	Unit      string    `json:"unit,omitempty"`
	Qualifier Qualifier `json:"qualifier"`
	Text      string    `json:"text,omitempty"`
	Quote     string    `json:"quote,omitempty"`
	Line      int       `json:"-"`
}

// Figure is the baseline as an indicator carries it.
func (f *PlanFigure) Figure() Figure {
	return Figure{Year: f.Year, Value: f.Value, Qualifier: f.Qualifier, Text: f.Text, Quote: f.Quote}
}

// Origin says where a target or baseline comes from: its plan and the
// place in the plan's file.
type Origin struct {
	PlanID   string `json:"plan_id"`
	PlanName string `json:"plan_name"`
	Demo     bool   `json:"demo,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
}

// Where is "file:line" (the file alone when the line is unknown).
func (o Origin) Where() string {
	if o.Line > 0 {
		return fmt.Sprintf("%s:%d", o.File, o.Line)
	}
	return o.File
}

// InForce is the target that applies to an indicator in a year, with its
// origin.
type InForce struct {
	Year   int        `json:"year"`
	Target PlanTarget `json:"target"`
	Origin Origin     `json:"origin"`
	// Overrides lists the origins of targets this one prevails over.
	Overrides []Origin `json:"overrides,omitempty"`
}

// PlanConflict is two targets for one indicator and year that precedence
// cannot separate.
type PlanConflict struct {
	Indicator string
	Year      int
	First     Origin
	Second    Origin
	Err       error
}

func (c PlanConflict) Error() string {
	return fmt.Sprintf("%s: %s %d: %v (also at %s)", c.Second.Where(), c.Indicator, c.Year, c.Err, c.First.Where())
}

// PlanSet is every plan in force, resolved to one target per indicator and
// year. Precedence (docs/progress.md §4):
//
//  0. a real plan's target beats a demo plan's (an illustrative 演示 plan
//     never outranks a document the bureau adopted, whatever its date);
//  1. a single-year target beats a multi-year target for that year (the
//     year's 政府工作报告 sets the year's step on the five-year path);
//  2. between two targets of the same sort, the plan issued later wins;
//  3. two targets of the same sort from plans issued the same day — or two
//     in one plan — are a conflict (an error from NewPlanSet).
type PlanSet struct {
	plans []Plan
	// chosen[code][year]
	chosen    map[string]map[int]*InForce
	baselines map[string]map[int]PlanFigureOrigin
}

// PlanFigureOrigin is a stated baseline with its origin.
type PlanFigureOrigin struct {
	Figure PlanFigure
	Origin Origin
}

// NewPlanSet resolves plans into the targets in force. It returns the set
// built from every target it could place and the conflicts it found.
func NewPlanSet(plans []Plan) (*PlanSet, []PlanConflict) {
	s := &PlanSet{plans: plans, chosen: map[string]map[int]*InForce{}, baselines: map[string]map[int]PlanFigureOrigin{}}
	var conflicts []PlanConflict
	for pi := range plans {
		p := &plans[pi]
		seen := map[string]Origin{}
		for _, t := range p.Targets {
			o := originOf(p, t.Line)
			from, to := t.Span()
			for y := from; y <= to; y++ {
				key := fmt.Sprintf("%s/%d", t.Indicator, y)
				if first, dup := seen[key]; dup {
					conflicts = append(conflicts, PlanConflict{t.Indicator, y, first, o, ErrPlanDuplicate})
					continue
				}
				seen[key] = o
				if c := s.place(p, t, y, o); c != nil {
					conflicts = append(conflicts, *c)
				}
			}
		}
		for _, f := range p.Baselines {
			byYear := s.baselines[f.Indicator]
			if byYear == nil {
				byYear = map[int]PlanFigureOrigin{}
				s.baselines[f.Indicator] = byYear
			}
			if cur, ok := byYear[f.Year]; !ok || plans[pi].IssuedDate().After(s.issuedOf(cur.Origin.PlanID)) {
				byYear[f.Year] = PlanFigureOrigin{Figure: f, Origin: originOf(p, f.Line)}
			}
		}
	}
	return s, conflicts
}

func originOf(p *Plan, line int) Origin {
	return Origin{PlanID: p.ID, PlanName: p.Name, Demo: p.Demo, File: p.File, Line: line}
}

func (s *PlanSet) issuedOf(id string) time.Time {
	for i := range s.plans {
		if s.plans[i].ID == id {
			return s.plans[i].IssuedDate()
		}
	}
	return time.Time{}
}

// place offers t as the target of its indicator in year y and keeps
// whichever of it and the current one precedence prefers.
func (s *PlanSet) place(p *Plan, t PlanTarget, y int, o Origin) *PlanConflict {
	byYear := s.chosen[t.Indicator]
	if byYear == nil {
		byYear = map[int]*InForce{}
		s.chosen[t.Indicator] = byYear
	}
	cur, ok := byYear[y]
	cand := &InForce{Year: y, Target: t, Origin: o}
	if !ok {
		byYear[y] = cand
		return nil
	}
	switch prefer(cand, cur, s) {
	case 1:
		cand.Overrides = append(append([]Origin{}, cur.Overrides...), cur.Origin)
		byYear[y] = cand
	case -1:
		cur.Overrides = append(cur.Overrides, o)
	default:
		return &PlanConflict{Indicator: t.Indicator, Year: y, First: cur.Origin, Second: o, Err: ErrPlanConflict}
	}
	return nil
}

// prefer is 1 when a prevails over b, −1 when b does, 0 when neither.
func prefer(a, b *InForce, s *PlanSet) int {
	switch {
	case !a.Origin.Demo && b.Origin.Demo:
		return 1
	case a.Origin.Demo && !b.Origin.Demo:
		return -1
	}
	am, bm := a.Target.MultiYear(), b.Target.MultiYear()
	switch {
	case !am && bm:
		return 1
	case am && !bm:
		return -1
	}
	ai, bi := s.issuedOf(a.Origin.PlanID), s.issuedOf(b.Origin.PlanID)
	switch {
	case ai.After(bi):
		return 1
	case bi.After(ai):
		return -1
	}
	return 0
}

// Plans returns the plans of the set. The slice is shared.
func (s *PlanSet) Plans() []Plan {
	if s == nil {
		return nil
	}
	return s.plans
}

// TargetFor returns the target in force for an indicator in year.
func (s *PlanSet) TargetFor(code string, year int) (InForce, bool) {
	if s == nil {
		return InForce{}, false
	}
	t, ok := s.chosen[code][year]
	if !ok {
		return InForce{}, false
	}
	return *t, true
}

// InForce lists the targets in force in year, by indicator code.
func (s *PlanSet) InForce(year int) []InForce {
	if s == nil {
		return nil
	}
	var out []InForce
	for _, byYear := range s.chosen {
		if t, ok := byYear[year]; ok {
			out = append(out, *t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target.Indicator < out[j].Target.Indicator })
	return out
}

// Years lists every year some target is in force, ascending.
func (s *PlanSet) Years() []int {
	if s == nil {
		return nil
	}
	set := map[int]bool{}
	for _, byYear := range s.chosen {
		for y := range byYear {
			set[y] = true
		}
	}
	out := make([]int, 0, len(set))
	for y := range set {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// Baseline returns the figure a plan states for an indicator in year.
func (s *PlanSet) Baseline(code string, year int) (PlanFigureOrigin, bool) {
	if s == nil {
		return PlanFigureOrigin{}, false
	}
	f, ok := s.baselines[code][year]
	return f, ok
}

// Apply returns copies of inds carrying the target in force in year
// (Indicator.Target) and the baseline of year−1 a plan states
// (Indicator.Baseline); indicators without either keep nil. The engine,
// progress and the report read targets through it.
func (s *PlanSet) Apply(inds []Indicator, year int) []Indicator {
	out := make([]Indicator, len(inds))
	for i, ind := range inds {
		ind.Target, ind.Baseline = nil, nil
		if f, ok := s.Baseline(ind.Code, year-1); ok {
			fig := f.Figure.Figure()
			ind.Baseline = &fig
		}
		if t, ok := s.TargetFor(ind.Code, year); ok {
			ind.Target = t.Resolved()
		}
		out[i] = ind
	}
	return out
}

// Resolved is the target in force as an Indicator carries it for its year.
func (f InForce) Resolved() *Target {
	t := f.Target
	from, to := t.Span()
	out := &Target{
		Year: f.Year, Kind: t.Kind, Value: t.Value, Qualifier: t.Qualifier, Text: t.Text, Quote: t.Quote,
		From: from, To: to, BaseYear: t.Base(), BaseValue: math.NaN(), Path: t.Path, ConstantPrices: t.ConstantPrices,
		Plan: f.Origin,
	}
	if t.BaseValue != nil {
		out.BaseValue = *t.BaseValue
	}
	if out.Path == "" {
		out.Path = PathLinear
	}
	return out
}

// PathValue is a span target's step for year on the path from base (the
// base year's figure) to end (the target at the end of to): linear — the
// same amount each year, base + (end − base)·(year − baseYear)/(to −
// baseYear) — or geometric, the same rate each year, base·(end/base)^share
// (linear again when either figure is not positive). Before the span it is
// base, from its end year on it is end.
func PathValue(base, end float64, baseYear, year, to int, shape PathShape) float64 {
	if to <= baseYear || year >= to {
		return end
	}
	if year <= baseYear {
		return base
	}
	share := float64(year-baseYear) / float64(to-baseYear)
	if shape == PathGeometric && base > 0 && end > 0 {
		return base * math.Pow(end/base, share)
	}
	return base + (end-base)*share
}

// SpanLabel is "2021–2025" for a span, "2024" for a single year.
func (t *Target) SpanLabel() string {
	if t == nil {
		return ""
	}
	if t.From != 0 && t.To > t.From {
		return fmt.Sprintf("%d–%d", t.From, t.To)
	}
	return fmt.Sprint(t.Year)
}

// MultiYear reports whether the target is one year's step on a span plan.
func (t *Target) MultiYear() bool { return t != nil && t.From != 0 && t.To > t.From }

// validPlanID: plan IDs are lower-case ASCII, used in labels and file names.
func validPlanID(id string) bool {
	if id == "" {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return !strings.HasPrefix(id, "-")
}

// ErrPlanID reports a plan ID that is not lower-case ASCII.
var ErrPlanID = errors.New("plan id must be lower-case ASCII letters, digits, - and _")

// Validate checks the plan's own fields (not its targets).
func (p *Plan) Validate() error {
	if !validPlanID(p.ID) {
		return fmt.Errorf("id %q: %w", p.ID, ErrPlanID)
	}
	if p.Name == "" {
		return fmt.Errorf("name: %w", ErrMissingField)
	}
	if p.IssuedDate().IsZero() {
		return fmt.Errorf("issued %q: %w (YYYY-MM-DD)", p.Issued, ErrMissingField)
	}
	return nil
}

// ApplyLatest is Apply with, per indicator, the latest year up to year that
// has a target (and the latest stated baseline before it): a reference of
// each indicator's size for those who need one whatever the year —
// plausibility checks, the demo, the catalogue listing.
func (s *PlanSet) ApplyLatest(inds []Indicator, year int) []Indicator {
	out := make([]Indicator, len(inds))
	for i, ind := range inds {
		ind.Target, ind.Baseline = nil, nil
		if s != nil {
			best := 0
			for y, f := range s.chosen[ind.Code] {
				if y <= year && y > best {
					best = y
					ind.Target = f.Resolved()
				}
			}
			bestB := 0
			for y, f := range s.baselines[ind.Code] {
				if y < year && y > bestB {
					bestB = y
					fig := f.Figure.Figure()
					ind.Baseline = &fig
				}
			}
		}
		out[i] = ind
	}
	return out
}
