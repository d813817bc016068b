package carbon

import (
	"fmt"
	"math"
	"sort"
)

// ActivityData is an amount of one activity in one data year.
type ActivityData struct {
	Activity Activity `json:"activity"`
	Amount   float64  `json:"amount"`
	// Unit of Amount; empty means the activity's base unit.
	Unit string `json:"unit,omitempty"`
	// Year is the data year; it selects the factor (that year's, or the
	// newest before it). 0 selects the newest factor.
	Year int `json:"year"`
	// Label says what the amount is (a sector, a site), for the record.
	Label string `json:"label,omitempty"`
	// Use says what a fuel was burnt for: final use (empty), or as input
	// to power generation or heat supply, whose output the district may
	// already count as electricity or heat consumption (see Exclusion).
	Use Use `json:"use,omitempty"`
}

// Use is what a fuel amount was burnt for.
type Use string

// Uses of a fuel. A power plant's or heating plant's fuel is a
// transformation input (加工转换投入), not final consumption.
const (
	UseFinal           Use = ""
	UsePowerGeneration Use = "power_generation"
	UseHeatSupply      Use = "heat_supply"
)

// Exclusion is an activity line left out of an inventory and why.
type Exclusion struct {
	ActivityData
	Reason string `json:"reason"`
}

// excluded applies the boundary rule against double counting (as in GB/T
// 32150-2015 and the 发改办气候〔2013〕2526号 guidelines, emissions of
// purchased electricity and heat are counted at the consumer as
// 净购入电力/热力 × factor, and the fuel burnt to make them is the
// generator's direct emission; docs/carbon.md §double counting): when an inventory counts
// electricity consumption, fuel burnt for power generation is left out
// of it, and when it counts heat consumption, fuel burnt for heat supply
// is — the emissions of that fuel are already in the grid or heat factor.
// Without an electricity (heat) line the fuel stays: nothing else counts
// it. It returns the reason, or "" when the line counts. Only emissions
// apply it. An energy balance would need the plant's output as well (fuel
// input − electricity generated + electricity consumed); without it Energy
// leaves the lines as given, and the district's energy total is taken as
// reported (energy_consumption_total).
func excluded(a ActivityData, counts map[Activity]bool) string {
	switch {
	case a.Use == UsePowerGeneration && counts[Electricity]:
		return "fuel burnt for power generation: the electricity consumption line already counts it (grid factor)"
	case a.Use == UseHeatSupply && counts[Heat]:
		return "fuel burnt for heat supply: the heat consumption line already counts it (heat factor)"
	}
	return ""
}

// Line is one computed figure: activity data, the factor applied and the
// result.
type Line struct {
	ActivityData
	// BaseAmount is Amount in BaseUnit, the activity's base unit.
	BaseAmount float64 `json:"base_amount"`
	BaseUnit   string  `json:"base_unit"`
	// Output and Value are the result: tCO2 or tce.
	Output Output  `json:"output"`
	Value  float64 `json:"value"`
	Factor Ref     `json:"factor"`
}

// Apply computes one line: amount (converted to the activity's base unit)
// × factor. The factor must be for the same activity.
func Apply(f Factor, a ActivityData) (Line, error) {
	if f.Activity != a.Activity {
		return Line{}, fmt.Errorf("factor %s is for %s, not %s: %w", f.ID, f.Activity, a.Activity, ErrUnitMismatch)
	}
	fu, ok := factorUnits[f.Unit]
	if !ok {
		return Line{}, fmt.Errorf("factor %s unit %q: %w", f.ID, f.Unit, ErrUnknownUnit)
	}
	base, err := ToBase(a.Activity, a.Amount, a.Unit)
	if err != nil {
		return Line{}, err
	}
	return Line{
		ActivityData: a,
		BaseAmount:   base,
		BaseUnit:     fu.input,
		Output:       fu.output,
		Value:        base * f.Value * fu.outScale,
		Factor:       f.Ref(),
	}, nil
}

// Choice says which factor an activity uses: a pinned FactorID, or the
// newest factor of Series and Region not after the data year.
type Choice struct {
	FactorID string `json:"factor_id,omitempty"`
	Series   string `json:"series,omitempty"`
	Region   string `json:"region,omitempty"`
}

// Selection maps each activity to its factor choice.
type Selection map[Activity]Choice

// DefaultEmissionSelection is the location-based inventory of a Beijing
// district: Beijing MEE/NBS grid factors for electricity, guideline
// defaults for fuels and purchased heat, and the coal convention 2.66
// tCO2/tce for energy already in tce.
func DefaultEmissionSelection() Selection {
	return Selection{
		Electricity:  {Series: SeriesMEENBS, Region: "beijing"},
		NaturalGas:   {Series: SeriesGuideline, Region: "national"},
		RawCoal:      {Series: SeriesGuideline, Region: "national"},
		Diesel:       {Series: SeriesGuideline, Region: "national"},
		Gasoline:     {Series: SeriesGuideline, Region: "national"},
		Heat:         {Series: SeriesGuideline, Region: "national"},
		StandardCoal: {Series: SeriesCoalConvention, Region: "national"},
	}
}

// DefaultEnergySelection converts activities to tce with GB/T 2589-2020
// coefficients, electricity at its calorific equivalent (当量值,
// 0.1229 kgce/kWh).
func DefaultEnergySelection() Selection {
	sel := Selection{}
	for _, a := range Activities {
		if a != StandardCoal {
			sel[a] = Choice{Series: SeriesCalorific, Region: "national"}
		}
	}
	return sel
}

// Inventory is a set of computed lines of one output and their total.
// Excluded lists the activity lines the double-counting rule left out
// (never silently: each with its reason).
type Inventory struct {
	Output   Output      `json:"output"`
	Lines    []Line      `json:"lines"`
	Total    float64     `json:"total"`
	Excluded []Exclusion `json:"excluded,omitempty"`
}

// Factors returns the distinct factors the inventory used, sorted by id.
func (inv Inventory) Factors() []Ref {
	seen := map[string]Ref{}
	for _, l := range inv.Lines {
		seen[l.Factor.ID] = l.Factor
	}
	out := make([]Ref, 0, len(seen))
	for _, r := range seen {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// identity is the record of an amount already in tce counted as energy.
var identity = Ref{ID: "identity_tce", Series: "none", Region: "none", Value: 1, Unit: "tce/tce", Source: "amount already in tonnes of standard coal"}

// Emissions computes the CO2 of every activity line with the factors sel
// chooses. An activity sel does not mention is an error, not a zero. Fuel
// burnt for power (heat) is left out, in Excluded, when the data also
// count electricity (heat) consumption (see excluded).
func (t *Table) Emissions(data []ActivityData, sel Selection) (Inventory, error) {
	return t.account(data, sel, OutputCO2)
}

// Energy converts every activity line to tce with the factors sel chooses;
// amounts already in tce count as they are. The double-counting rule of
// Emissions is not applied here (see excluded).
func (t *Table) Energy(data []ActivityData, sel Selection) (Inventory, error) {
	return t.account(data, sel, OutputEnergy)
}

func (t *Table) account(data []ActivityData, sel Selection, out Output) (Inventory, error) {
	inv := Inventory{Output: out, Lines: make([]Line, 0, len(data))}
	counts := map[Activity]bool{}
	for _, a := range data {
		if a.Activity == Electricity || a.Activity == Heat {
			counts[a.Activity] = true
		}
	}
	for i, a := range data {
		if a.Use != UseFinal && a.Use != UsePowerGeneration && a.Use != UseHeatSupply {
			return Inventory{}, fmt.Errorf("activity line %d (%s %s): use %q: %w", i+1, a.Activity, a.Label, a.Use, ErrUnknownUse)
		}
		if why := excluded(a, counts); why != "" && out == OutputCO2 {
			inv.Excluded = append(inv.Excluded, Exclusion{ActivityData: a, Reason: why})
			continue
		}
		l, err := t.line(a, sel, out)
		if err != nil {
			return Inventory{}, fmt.Errorf("activity line %d (%s %s): %w", i+1, a.Activity, a.Label, err)
		}
		inv.Lines = append(inv.Lines, l)
		inv.Total += l.Value
	}
	return inv, nil
}

func (t *Table) line(a ActivityData, sel Selection, out Output) (Line, error) {
	if out == OutputEnergy && a.Activity == StandardCoal {
		base, err := ToBase(a.Activity, a.Amount, a.Unit)
		if err != nil {
			return Line{}, err
		}
		ref := identity
		ref.Year = a.Year
		return Line{ActivityData: a, BaseAmount: base, BaseUnit: "tce", Output: OutputEnergy, Value: base, Factor: ref}, nil
	}
	f, err := t.choose(a, sel, out)
	if err != nil {
		return Line{}, err
	}
	return Apply(f, a)
}

func (t *Table) choose(a ActivityData, sel Selection, out Output) (Factor, error) {
	c, ok := sel[a.Activity]
	if !ok {
		return Factor{}, fmt.Errorf("no factor choice for %s: %w", a.Activity, ErrNoFactor)
	}
	if c.FactorID != "" {
		f, ok := t.Lookup(c.FactorID)
		if !ok {
			return Factor{}, fmt.Errorf("factor id %q: %w", c.FactorID, ErrNoFactor)
		}
		if f.Output() != out {
			return Factor{}, fmt.Errorf("factor %s yields %s, not %s: %w", f.ID, f.Output(), out, ErrUnitMismatch)
		}
		return f, nil
	}
	return t.Select(Query{Activity: a.Activity, Output: out, Series: c.Series, Region: c.Region, Year: a.Year})
}

// Intensity is amount per 10⁴ CNY of GDP (单位GDP): tCO2/10⁴CNY for carbon
// intensity, tce/10⁴CNY for energy intensity. It is NaN when GDP is not
// positive or either input is not finite. For the rate of decline NBS uses
// GDP at constant prices (2020 prices in the 14th Five-Year Plan); the
// caller passes the deflated GDP when that is what is reported.
func Intensity(amount, gdpCNY float64) float64 {
	if !finite(amount) || !finite(gdpCNY) || gdpCNY <= 0 {
		return math.NaN()
	}
	return amount / (gdpCNY / 1e4)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
