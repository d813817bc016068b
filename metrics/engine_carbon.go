package metrics

import (
	"math"
	"sort"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/analysis"
	"github.com/greenmetrics/greenmetrics/models/carbon"
)

// Catalogue codes of the carbon accounting.
const (
	CodeCO2Emissions    = "co2_emissions"
	CodeCarbonIntensity = "carbon_intensity"
	CodeEnergyIntensity = "energy_intensity"
	CodeEnergyTotal     = "energy_consumption_total"
	CodeGDP             = "gdp"
)

// carbonActivities maps the catalogue's activity-data indicators to
// accounting activities. Total energy in tce is not among them: it already
// contains the electricity and gas and would count them twice. The gas
// burnt in power plants is part of natural_gas_consumption (partOf): it is
// taken out of the final-use line and passed as its own line with its use,
// which the accounting leaves out while electricity consumption is counted
// (carbon.Exclusion; docs/carbon.md, double counting).
var carbonActivities = []struct {
	code     string
	activity carbon.Activity
	use      carbon.Use
	partOf   string
}{
	{"electricity_consumption", carbon.Electricity, carbon.UseFinal, ""},
	{"natural_gas_consumption", carbon.NaturalGas, carbon.UseFinal, ""},
	{CodeGasForPower, carbon.NaturalGas, carbon.UsePowerGeneration, "natural_gas_consumption"},
}

// CodeGasForPower is the gas burnt for power generation in the district,
// a part of natural_gas_consumption.
const CodeGasForPower = "natural_gas_power_generation"

// carbonResult is what the accounting of a run derived.
type carbonResult struct {
	observations []models.Observation
	lines        []analysis.CarbonLine
}

// carbonAccounts derives, from the district activity data, the monthly
// co2_emissions (activity × factor, every line recording its factor) for
// each month from the prior January on in which every activity that has
// data reported — a month with electricity but no gas figure is not
// understated, it is skipped — and the annual carbon and energy
// intensities (per 10⁴ CNY of GDP) of complete years. All are derived
// observations; a reported figure of the same period takes precedence in
// progress.
func (e *Engine) carbonAccounts(obs map[string][]models.Observation, year int, asOf time.Time) carbonResult {
	var res carbonResult
	set := e.indicatorSet()
	if e.factors == nil || !set[CodeCO2Emissions] {
		return res
	}
	from, end := yearStart(year-1), cutoff(asOf, yearStart(year+1))
	monthly := e.activityMonths(obs, from, end)
	for _, m := range monthStarts(monthly) {
		data, demo, ok := monthActivities(monthly, m)
		if !ok {
			continue
		}
		inv, err := e.factors.Emissions(data, e.selection)
		if err != nil {
			e.log.Warn("carbon accounting skipped a month", "month", m.Format("2006-01"), "err", err)
			continue
		}
		res.observations = append(res.observations, models.Observation{Time: m, Indicator: CodeCO2Emissions, Value: inv.Total, Provider: models.DerivedProvider(demo)})
		for _, l := range inv.Lines {
			res.lines = append(res.lines, analysis.CarbonLine{Indicator: CodeCO2Emissions, Month: m, Line: l})
		}
		for _, x := range inv.Excluded {
			base, _ := x.Activity.BaseUnit()
			res.lines = append(res.lines, analysis.CarbonLine{Indicator: CodeCO2Emissions, Month: m,
				Line: carbon.Line{ActivityData: x.ActivityData, BaseAmount: x.Amount, BaseUnit: base}, Excluded: x.Reason})
		}
	}
	merged := mergeDerived(obs, res.observations)
	for _, y := range []int{year - 1, year} {
		for _, in := range []struct{ code, numerator string }{
			{CodeCarbonIntensity, CodeCO2Emissions}, {CodeEnergyIntensity, CodeEnergyTotal},
		} {
			if v, demo, ok := e.intensity(merged, in.numerator, y); ok && set[in.code] {
				res.observations = append(res.observations, models.Observation{Time: yearStart(y), Indicator: in.code, Value: v, Provider: models.DerivedProvider(demo)})
			}
		}
	}
	return res
}

// activityMonths returns the monthly district values of each activity with
// data in [from, end).
func (e *Engine) activityMonths(obs map[string][]models.Observation, from, end time.Time) map[string]models.Series {
	out := map[string]models.Series{}
	for _, a := range carbonActivities {
		ind, ok := e.lookup(a.code)
		if !ok {
			continue
		}
		monthlyInd := ind
		monthlyInd.Frequency = models.FrequencyMonthly
		if s := e.district(monthlyInd, obs[a.code]).Between(from, end); !s.Empty() {
			out[a.code] = s
		}
	}
	return out
}

func monthStarts(monthly map[string]models.Series) []time.Time {
	seen := map[int64]time.Time{}
	for _, s := range monthly {
		for _, p := range s.Periods {
			seen[p.Period.Start.Unix()] = p.Period.Start
		}
	}
	out := make([]time.Time, 0, len(seen))
	for _, t := range seen {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// monthActivities are the activity lines of month m, whether any of them
// is demo data, or false when an activity with data elsewhere has none in
// m.
func monthActivities(monthly map[string]models.Series, m time.Time) (data []carbon.ActivityData, demo, ok bool) {
	index := map[string]int{}
	for _, a := range carbonActivities {
		s, active := monthly[a.code]
		if !active {
			continue
		}
		p, found := s.At(models.PeriodOf(models.FrequencyMonthly, m))
		if !found {
			return nil, false, false
		}
		demo = demo || p.Demo
		base, _ := a.activity.BaseUnit()
		if a.partOf != "" {
			whole, has := index[a.partOf]
			if !has {
				return nil, false, false // a part without its total cannot be placed
			}
			// The part comes out of the total's final use; more than the
			// total is bad data, not a negative final use.
			if p.Value > data[whole].Amount {
				return nil, false, false
			}
			data[whole].Amount -= p.Value
		}
		index[a.code] = len(data)
		data = append(data, carbon.ActivityData{Activity: a.activity, Amount: p.Value, Unit: base, Year: m.Year(), Label: a.code, Use: a.use})
	}
	return data, demo, len(data) > 0
}

// intensity is a complete year's numerator (tCO2 or tce) over its GDP in
// 10⁴ CNY; false unless both years are complete (Series.FullYear).
func (e *Engine) intensity(obs map[string][]models.Observation, numerator string, y int) (v float64, demo, ok bool) {
	num, ok1 := e.lookup(numerator)
	gdp, ok2 := e.lookup(CodeGDP)
	if !ok1 || !ok2 {
		return 0, false, false
	}
	n := e.district(num, obs[numerator]).FullYear(y)
	g := e.district(gdp, obs[CodeGDP]).FullYear(y)
	v = carbon.Intensity(n.Value, g.Value)
	return v, n.Demo || g.Demo, !math.IsNaN(v)
}

func (e *Engine) lookup(code string) (models.Indicator, bool) {
	for _, ind := range e.inds {
		if ind.Code == code {
			return ind, true
		}
	}
	return models.Indicator{}, false
}
