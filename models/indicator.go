package models

import (
	"errors"
	"fmt"
	"regexp"
)

// Domain groups indicators the way the bureau's report and dashboards do.
type Domain string

// The domains of the work report's green-development and related figures.
const (
	DomainCarbon       Domain = "carbon"
	DomainGreenFinance Domain = "green_finance"
	DomainWater        Domain = "water"
	DomainAir          Domain = "air"
	DomainBuilding     Domain = "building"
	DomainTransport    Domain = "transport"
	DomainEnergy       Domain = "energy"
	DomainEcology      Domain = "ecology"
	DomainEconomy      Domain = "economy"
	DomainSocial       Domain = "social"
	DomainUrban        Domain = "urban"
)

// Domains lists every known domain in report order.
var Domains = []Domain{
	DomainCarbon, DomainGreenFinance, DomainWater, DomainAir, DomainBuilding,
	DomainTransport, DomainEnergy, DomainEcology, DomainEconomy, DomainSocial, DomainUrban,
}

// NameZh is the Chinese section title of the domain in reports and dashboards.
func (d Domain) NameZh() string {
	switch d {
	case DomainCarbon:
		return "碳排放与碳减排"
	case DomainGreenFinance:
		return "绿色金融"
	case DomainWater:
		return "水环境"
	case DomainAir:
		return "大气"
	case DomainBuilding:
		return "建筑节能"
	case DomainTransport:
		return "交通"
	case DomainEnergy:
		return "能源"
	case DomainEcology:
		return "生态"
	case DomainEconomy:
		return "经济"
	case DomainSocial:
		return "民生"
	case DomainUrban:
		return "城市建设与治理"
	}
	return string(d)
}

// Valid reports whether d is one of Domains.
func (d Domain) Valid() bool {
	for _, k := range Domains {
		if d == k {
			return true
		}
	}
	return false
}

// Kind says what sort of quantity an indicator is; it decides how values
// aggregate over a year and how 累计 is read.
type Kind string

// Indicator kinds (domain.md §0 and §6).
const (
	// KindFlow is an amount per period (tCO2 cut, m² started): the year is the sum.
	KindFlow Kind = "flow"
	// KindStock is a balance at a moment (loan balance): the year is the period-end value.
	KindStock Kind = "stock"
	// KindCumulative is a running total since inception (累计达到/突破).
	KindCumulative Kind = "cumulative"
	// KindLevel is a concentration or intensity: the year is the mean.
	KindLevel Kind = "level"
	// KindRatio is a share or growth rate in 0–1 (stored as a ratio, shown as %).
	KindRatio Kind = "ratio"
	// KindClass is an ordinal class such as the GB 3838 water class (1–6).
	KindClass Kind = "class"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	switch k {
	case KindFlow, KindStock, KindCumulative, KindLevel, KindRatio, KindClass:
		return true
	}
	return false
}

// Direction says whether a higher or a lower value is better.
type Direction string

// Directions. Reverse indicators (PM2.5, 能耗强度) are DirectionLower.
const (
	DirectionHigher Direction = "higher"
	DirectionLower  Direction = "lower"
)

// Aggregation says how values of one indicator combine over a year.
type Aggregation string

// Aggregations over a period.
const (
	AggregateSum  Aggregation = "sum"
	AggregateLast Aggregation = "last"
	AggregateMean Aggregation = "mean"
)

// Frequency is how often an indicator is reported; it bounds staleness.
type Frequency string

// Reporting frequencies.
const (
	FrequencyHourly    Frequency = "hourly"
	FrequencyDaily     Frequency = "daily"
	FrequencyMonthly   Frequency = "monthly"
	FrequencyQuarterly Frequency = "quarterly"
	FrequencyAnnual    Frequency = "annual"
)

// Valid reports whether f is a known frequency.
func (f Frequency) Valid() bool {
	switch f {
	case FrequencyHourly, FrequencyDaily, FrequencyMonthly, FrequencyQuarterly, FrequencyAnnual:
		return true
	}
	return false
}

// Qualifier records how the report bounds a figure: "超300亿元" is more than
// 300亿元, "6000余吨" is more than 6000 t, "以上/以内" include the bound
// (民法典 art. 1259), "左右" is approximate.
type Qualifier string

// Qualifiers of reported figures and targets.
const (
	QualifierExact     Qualifier = "exact"
	QualifierApprox    Qualifier = "approx"    // 左右
	QualifierMoreThan  Qualifier = "more_than" // 超, 余, 突破, 超过
	QualifierAtLeast   Qualifier = "at_least"  // 以上, 不少于, 不低于
	QualifierAtMost    Qualifier = "at_most"   // 以内, 以下, 不超过, 控制在
	QualifierLessThan  Qualifier = "less_than" // 不满, 低于
	QualifierMunicipal Qualifier = "municipal" // 完成市级下达的任务: set by the municipality
)

// Valid reports whether q is a known qualifier.
func (q Qualifier) Valid() bool {
	switch q {
	case QualifierExact, QualifierApprox, QualifierMoreThan, QualifierAtLeast,
		QualifierAtMost, QualifierLessThan, QualifierMunicipal:
		return true
	}
	return false
}

// Figure is a value the report states for a year, in the indicator's base unit.
type Figure struct {
	Year      int       `json:"year"`
	Value     float64   `json:"value"`
	Qualifier Qualifier `json:"qualifier"`
	// Text is the figure as the report writes it ("超300亿元").
	Text string `json:"text,omitempty"`
	// Quote is the sentence of the report the figure comes from.
	Quote string `json:"quote,omitempty"`
}

// TargetKind says how a target's Value is to be read.
type TargetKind string

// Target kinds.
const (
	// TargetAbsolute: Value is the year-end amount in the base unit.
	TargetAbsolute TargetKind = "absolute"
	// TargetGrowth: Value is a growth ratio over the prior year's actual (+4% → 0.04).
	TargetGrowth TargetKind = "growth"
	// TargetMunicipal: the municipality sets the number ("完成市级下达的任务");
	// it is reported as such, never as zero.
	TargetMunicipal TargetKind = "municipal"
	// TargetQualitative: the plan names a direction without a number
	// ("居民人均可支配收入稳步增长"); it is shown as written (Text), never
	// measured, and never read as zero.
	TargetQualitative TargetKind = "qualitative"
)

// Target is the goal in force for an indicator in a year, resolved from the
// plans (PlanSet.Apply): a single-year target, or one year's step on a
// multi-year plan (From–To, measured from BaseYear along Path).
type Target struct {
	Year      int        `json:"year"`
	Kind      TargetKind `json:"kind"`
	Value     float64    `json:"value"`
	Qualifier Qualifier  `json:"qualifier"`
	Text      string     `json:"text,omitempty"`
	Quote     string     `json:"quote,omitempty"`
	// From and To are the plan's span (both Year for a single-year target).
	From int `json:"from,omitempty"`
	To   int `json:"to,omitempty"`
	// BaseYear is what reduction and increase targets are measured
	// against; BaseValue the base the plan states (NaN: stored figures).
	BaseYear       int       `json:"base_year,omitempty"`
	BaseValue      float64   `json:"-"`
	Path           PathShape `json:"path,omitempty"`
	ConstantPrices bool      `json:"constant_prices,omitempty"`
	// Plan is where the target comes from.
	Plan Origin `json:"plan"`
}

// HasValue reports whether the target carries a number to measure against.
func (t *Target) HasValue() bool {
	return t != nil && t.Kind != TargetMunicipal && t.Kind != TargetQualitative
}

// Indicator is one quantitative figure the bureau tracks, with its unit,
// baseline and target. Values of an indicator are always stored in Unit.
type Indicator struct {
	Code        string      `json:"code"`
	NameZh      string      `json:"name_zh"`
	NameEn      string      `json:"name_en"`
	Domain      Domain      `json:"domain"`
	Unit        string      `json:"unit"`
	DisplayUnit string      `json:"display_unit"`
	Kind        Kind        `json:"kind"`
	Direction   Direction   `json:"direction"`
	Aggregation Aggregation `json:"aggregation"`
	Frequency   Frequency   `json:"frequency"`
	// Entity names what the indicator is measured per ("section", "station"),
	// empty for district-wide figures.
	Entity string `json:"entity,omitempty"`
	// Min and Max bound physically possible values (nil: unbounded).
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
	// Baseline and Target are not part of the definition: plans set them
	// for a year (PlanSet.Apply); a catalogue file cannot (yaml:"-").
	Baseline *Figure `json:"baseline,omitempty" yaml:"-"`
	Target   *Target `json:"target,omitempty" yaml:"-"`
	// Source is the report sentence that defines the indicator.
	Source string `json:"source,omitempty"`
	// DueLag is the provider's publication lag after a period ends (zero:
	// the configured default of the frequency, see DefaultLag).
	DueLag Lag `json:"due_lag,omitzero"`
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Errors of indicator definitions.
var (
	ErrBadCode      = errors.New("code must be ASCII snake_case")
	ErrMissingField = errors.New("required field missing")
	ErrBadEnum      = errors.New("value not allowed")
)

// Validate checks the invariants of a definition: a snake_case code, known
// enums and a unit the unit table knows. It reports every problem of the
// definition (joined with errors.Join), not only the first, so one run of
// `greenmetrics check` lists all that a catalogue entry needs fixed.
func (ind *Indicator) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !codePattern.MatchString(ind.Code) {
		bad("code %q: %w", ind.Code, ErrBadCode)
	}
	for _, f := range []struct{ name, value string }{{"name_zh", ind.NameZh}, {"name_en", ind.NameEn}, {"unit", ind.Unit}} {
		if f.value == "" {
			bad("%s: %w", f.name, ErrMissingField)
		}
	}
	if !ind.Domain.Valid() {
		bad("domain %q: %w (one of %v)", ind.Domain, ErrBadEnum, Domains)
	}
	if !ind.Kind.Valid() {
		bad("kind %q: %w (flow, stock, cumulative, level, ratio, class)", ind.Kind, ErrBadEnum)
	}
	if ind.Direction != DirectionHigher && ind.Direction != DirectionLower {
		bad("direction %q: %w (higher, lower)", ind.Direction, ErrBadEnum)
	}
	switch ind.Aggregation {
	case AggregateSum, AggregateLast, AggregateMean:
	default:
		bad("aggregation %q: %w (sum, last, mean)", ind.Aggregation, ErrBadEnum)
	}
	if !ind.Frequency.Valid() {
		bad("frequency %q: %w (hourly, daily, monthly, quarterly, annual)", ind.Frequency, ErrBadEnum)
	}
	if ind.Unit != "" {
		if _, ok := LookupUnit(ind.Unit); !ok {
			bad("unit %q: %w", ind.Unit, ErrUnknownUnit)
		} else if ind.DisplayUnit != "" {
			if err := ConvertibleUnits(ind.DisplayUnit, ind.Unit); err != nil {
				bad("display_unit: %w", err)
			}
		}
	}
	return errors.Join(append(errs, ind.validateFigures()...)...)
}

func (ind *Indicator) validateFigures() []error {
	var errs []error
	if b := ind.Baseline; b != nil && !b.Qualifier.Valid() {
		errs = append(errs, fmt.Errorf("baseline.qualifier %q: %w", b.Qualifier, ErrBadEnum))
	}
	if t := ind.Target; t != nil {
		if !t.Kind.Valid() {
			errs = append(errs, fmt.Errorf("target.kind %q: %w (absolute, growth, reduction, increase, municipal, qualitative)", t.Kind, ErrBadEnum))
		}
		if !t.Qualifier.Valid() {
			errs = append(errs, fmt.Errorf("target.qualifier %q: %w", t.Qualifier, ErrBadEnum))
		}
		if t.Year == 0 {
			errs = append(errs, fmt.Errorf("target.year: %w", ErrMissingField))
		}
	}
	return errs
}

// Default bounds of ratio indicators whose catalogue entry sets none: a
// share or growth rate between −100 % and +100 %. A growth above +100 %
// (doubling) exists, but for the bureau's figures it is far likelier to be
// a percentage written without its sign (5 for 5 %), so the catalogue must
// say so explicitly (max:) for an indicator that can exceed it.
const (
	RatioDefaultMin = -1.0
	RatioDefaultMax = 1.0
)

// Bounds returns the indicator's physical bounds (nil: unbounded). A ratio
// indicator (Unit "ratio") is bounded by RatioDefaultMin and
// RatioDefaultMax on each side the catalogue leaves open.
func (ind *Indicator) Bounds() (min, max *float64) {
	min, max = ind.Min, ind.Max
	if ind.Unit == "ratio" {
		if min == nil {
			lo := RatioDefaultMin
			min = &lo
		}
		if max == nil {
			hi := RatioDefaultMax
			max = &hi
		}
	}
	return min, max
}

// InRange reports whether v lies within the indicator's physical bounds
// (Bounds: the catalogue's, and ±100 % for ratios it leaves unbounded).
func (ind *Indicator) InRange(v float64) bool {
	if ind.Min != nil && v < *ind.Min {
		return false
	}
	if ind.Max != nil && v > *ind.Max {
		return false
	}
	if ind.Unit == "ratio" {
		if ind.Min == nil && v < RatioDefaultMin {
			return false
		}
		if ind.Max == nil && v > RatioDefaultMax {
			return false
		}
	}
	return true
}
