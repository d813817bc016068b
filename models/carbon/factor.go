package carbon

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
)

// Activity is what consumed energy or emitted CO2: the kind of activity data
// a factor applies to.
type Activity string

// Activities of the district inventory. Each has one base unit its amounts
// are converted to (see BaseUnit).
const (
	Electricity  Activity = "electricity"   // grid electricity, kWh
	NaturalGas   Activity = "natural_gas"   // m³ (Nm³)
	RawCoal      Activity = "raw_coal"      // t
	Diesel       Activity = "diesel"        // t
	Gasoline     Activity = "gasoline"      // t
	Heat         Activity = "heat"          // purchased heat, GJ
	StandardCoal Activity = "standard_coal" // energy already in tce
)

// Activities lists every known activity.
var Activities = []Activity{Electricity, NaturalGas, RawCoal, Diesel, Gasoline, Heat, StandardCoal}

// baseUnits is the unit amounts of each activity are held in.
var baseUnits = map[Activity]string{
	Electricity:  "kWh",
	NaturalGas:   "m3",
	RawCoal:      "t",
	Diesel:       "t",
	Gasoline:     "t",
	Heat:         "GJ",
	StandardCoal: "tce",
}

// BaseUnit returns the unit amounts of a are converted to, and whether a is
// known.
func (a Activity) BaseUnit() (string, bool) {
	u, ok := baseUnits[a]
	return u, ok
}

// Output is what a factor yields: CO2 or standard coal.
type Output string

// Outputs of factors, in their base units.
const (
	OutputCO2    Output = "tCO2"
	OutputEnergy Output = "tce"
)

// Well-known series. Series are free snake_case names in the table; these
// are the ones the default table uses and the default selections name.
const (
	// SeriesMEENBS is the grid average published jointly by the Ministry of
	// Ecology and Environment and the National Bureau of Statistics.
	SeriesMEENBS = "mee_nbs"
	// SeriesMEENBSExclMarket is the national average excluding market-traded
	// non-fossil power, for market-based Scope 2.
	SeriesMEENBSExclMarket = "mee_nbs_excl_market"
	// SeriesMEENBSFossil is the national fossil-power average.
	SeriesMEENBSFossil = "mee_nbs_fossil"
	// SeriesETS is the factor enterprises report with under the national
	// emissions-trading scheme (环办气候函〔2023〕43号): a different series.
	SeriesETS = "ets"
	// SeriesGuideline holds fuel factors of the national GHG accounting
	// guidelines (E = AD × NCV × CC × OF × 44/12).
	SeriesGuideline = "guideline"
	// SeriesCoalConvention is the coal-based 2.66 tCO2/tce convention.
	SeriesCoalConvention = "coal_convention"
	// SeriesCalorific holds GB/T 2589-2020 standard-coal coefficients
	// (electricity at its 当量值, calorific equivalent).
	SeriesCalorific = "gbt2589_calorific"
)

// Factor is one row of the factor table.
type Factor struct {
	// ID names the factor uniquely, e.g. "mee_nbs_2022_beijing".
	ID       string   `json:"id"`
	Activity Activity `json:"activity"`
	Series   string   `json:"series"`
	// Region is the grid or area the factor is for ("beijing",
	// "north_china", "national").
	Region string `json:"region"`
	// Year is the data year the factor describes (not its publication year).
	Year  int     `json:"year"`
	Value float64 `json:"value"`
	// Unit is the factor's unit as published, e.g. "tCO2/MWh", "kgce/kWh".
	Unit string `json:"unit"`
	// Source is the document the value comes from.
	Source string `json:"source"`
	// Note carries caveats (how well the value is verified, alternatives).
	Note string `json:"note,omitempty"`
	// Derivation, when present, is the fuel-factor formula the value must
	// reproduce: E = NCV × CC × OF × 44/12.
	Derivation *Derivation `json:"derivation,omitempty"`
}

// Derivation is the guideline computation of a fuel factor. NCV is in GJ
// per unit of the factor's denominator (GJ/t, GJ/10⁴Nm³), CarbonContent in
// tC/TJ and Oxidation a fraction.
type Derivation struct {
	NCV           float64 `json:"ncv"`
	CarbonContent float64 `json:"carbon_content"`
	Oxidation     float64 `json:"oxidation"`
}

// co2PerC is the mass ratio of CO2 to carbon.
const co2PerC = 44.0 / 12.0

// derivationTolerance is how far (relative) a tabulated fuel factor may be
// from its derivation: published factors are rounded to 4–5 digits.
const derivationTolerance = 5e-4

// Value of the derivation in the factor's unit (tCO2 per denominator unit).
func (d Derivation) value() float64 {
	return d.NCV * d.CarbonContent / 1000 * d.Oxidation * co2PerC
}

// Errors of factor tables and accounting.
var (
	ErrUnknownActivity = errors.New("unknown activity")
	ErrUnknownUse      = errors.New("unknown use (empty, power_generation, heat_supply)")
	ErrUnknownUnit     = errors.New("unknown unit")
	ErrUnitMismatch    = errors.New("unit does not fit the activity")
	ErrBadFactor       = errors.New("invalid factor")
	ErrDuplicateID     = errors.New("duplicate factor id")
	ErrNoFactor        = errors.New("no matching factor")
	ErrBadAmount       = errors.New("activity amount must be finite and not negative")
)

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Validate checks a factor on its own: names, a known activity, a positive
// finite value in a unit that fits the activity, a plausible data year, a
// source, and agreement with its derivation.
func (f Factor) Validate() error {
	for field, v := range map[string]string{"id": f.ID, "series": f.Series, "region": f.Region} {
		if !namePattern.MatchString(v) {
			return fmt.Errorf("%s %q must be snake_case: %w", field, v, ErrBadFactor)
		}
	}
	base, ok := f.Activity.BaseUnit()
	if !ok {
		return fmt.Errorf("activity %q: %w", f.Activity, ErrUnknownActivity)
	}
	fu, ok := factorUnits[f.Unit]
	if !ok {
		return fmt.Errorf("unit %q: %w (one of %s)", f.Unit, ErrUnknownUnit, strings.Join(FactorUnits(), ", "))
	}
	if fu.input != base {
		return fmt.Errorf("unit %q is per %s, %s is measured in %s: %w", f.Unit, fu.input, f.Activity, base, ErrUnitMismatch)
	}
	if math.IsNaN(f.Value) || math.IsInf(f.Value, 0) || f.Value <= 0 {
		return fmt.Errorf("value %v must be positive and finite: %w", f.Value, ErrBadFactor)
	}
	if f.Year < 1990 || f.Year > 2100 {
		return fmt.Errorf("year %d outside 1990–2100: %w", f.Year, ErrBadFactor)
	}
	if strings.TrimSpace(f.Source) == "" {
		return fmt.Errorf("source is required: %w", ErrBadFactor)
	}
	return f.checkDerivation(fu)
}

func (f Factor) checkDerivation(fu factorUnit) error {
	d := f.Derivation
	if d == nil {
		return nil
	}
	if fu.output != OutputCO2 {
		return fmt.Errorf("derivation given for a %s factor: %w", fu.output, ErrBadFactor)
	}
	for name, v := range map[string]float64{"ncv": d.NCV, "carbon_content": d.CarbonContent, "oxidation": d.Oxidation} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return fmt.Errorf("derivation %s %v must be positive: %w", name, v, ErrBadFactor)
		}
	}
	if d.Oxidation > 1 {
		return fmt.Errorf("derivation oxidation %v exceeds 1: %w", d.Oxidation, ErrBadFactor)
	}
	// The derivation gives tonnes of CO2 per denominator unit (NCV is per
	// that unit); a kgCO2 numerator is a thousandth of that.
	tab := f.Value
	if strings.HasPrefix(f.Unit, "kg") {
		tab *= 1e-3
	}
	if got := d.value(); math.Abs(got-tab) > derivationTolerance*tab {
		return fmt.Errorf("value %v %s but NCV × CC × OF × 44/12 = %.5g: %w", f.Value, f.Unit, got*f.Value/tab, ErrBadFactor)
	}
	return nil
}

// Output is what the factor yields, CO2 or tce. It is meaningful for a
// validated factor only.
func (f Factor) Output() Output { return factorUnits[f.Unit].output }

// Ref is the identity of a factor as recorded with every figure computed
// from it.
type Ref struct {
	ID     string  `json:"id"`
	Series string  `json:"series"`
	Region string  `json:"region"`
	Year   int     `json:"year"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	Source string  `json:"source"`
}

// Ref returns the factor's identity.
func (f Factor) Ref() Ref {
	return Ref{ID: f.ID, Series: f.Series, Region: f.Region, Year: f.Year, Value: f.Value, Unit: f.Unit, Source: f.Source}
}

// Table is a validated, immutable set of factors.
type Table struct {
	factors []Factor
	byID    map[string]int
}

// NewTable validates every factor and indexes them. It reports all problems
// at once, each naming the factor's position and id.
func NewTable(factors []Factor) (*Table, error) {
	t := &Table{factors: make([]Factor, 0, len(factors)), byID: make(map[string]int, len(factors))}
	var errs []error
	for i, f := range factors {
		if err := f.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("factor %d (%s): %w", i+1, f.ID, err))
			continue
		}
		if _, dup := t.byID[f.ID]; dup {
			errs = append(errs, fmt.Errorf("factor %d: %w %q", i+1, ErrDuplicateID, f.ID))
			continue
		}
		t.byID[f.ID] = len(t.factors)
		t.factors = append(t.factors, f)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

// Factors returns the factors in table order. The slice is shared; callers
// must not modify it.
func (t *Table) Factors() []Factor { return t.factors }

// Lookup returns the factor with the given id.
func (t *Table) Lookup(id string) (Factor, bool) {
	i, ok := t.byID[id]
	if !ok {
		return Factor{}, false
	}
	return t.factors[i], true
}

// Query selects a factor by what it is for. Year 0 means the newest.
type Query struct {
	Activity Activity
	Output   Output
	Series   string
	Region   string
	Year     int
}

func (q Query) String() string {
	y := "newest"
	if q.Year != 0 {
		y = fmt.Sprintf("≤ %d", q.Year)
	}
	return fmt.Sprintf("%s→%s, series %s, region %s, year %s", q.Activity, q.Output, q.Series, q.Region, y)
}

// Select returns the factor for q: of its activity, output, series and
// region, the one of year q.Year, or else the newest year before it (grid
// factors appear about two years after their data year, so a 2024 inventory
// uses the 2023 factor until the 2024 one is published). It never crosses
// series or regions: asking the ETS series for Beijing fails rather than
// returning a MEE/NBS factor.
func (t *Table) Select(q Query) (Factor, error) {
	var best *Factor
	for i := range t.factors {
		f := &t.factors[i]
		if f.Activity != q.Activity || f.Series != q.Series || f.Region != q.Region || f.Output() != q.Output {
			continue
		}
		if q.Year != 0 && f.Year > q.Year {
			continue
		}
		if best == nil || f.Year > best.Year {
			best = f
		}
	}
	if best == nil {
		return Factor{}, fmt.Errorf("%s: %w", q, ErrNoFactor)
	}
	return *best, nil
}

// Series returns the distinct series of the table, sorted.
func (t *Table) Series() []string {
	seen := map[string]bool{}
	for _, f := range t.factors {
		seen[f.Series] = true
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
