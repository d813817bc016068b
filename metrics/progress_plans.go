package metrics

import (
	"math"

	"github.com/greenmetrics/greenmetrics/models"
)

// CodeGDPIndex is the real GDP index (constant prices, prior year = 1):
// the denominator's growth when an intensity target is at constant prices.
const CodeGDPIndex = "gdp_index"

// intensityNumerators names, per intensity, the amount it divides by GDP.
var intensityNumerators = map[string]string{
	CodeEnergyIntensity: CodeEnergyTotal,
	CodeCarbonIntensity: CodeCO2Emissions,
}

// indicatorsFor is the catalogue with the targets and baselines of year:
// from the plans when the engine has them, else as the indicators carry
// them.
func (e *Engine) indicatorsFor(year int) []models.Indicator {
	if e.plans == nil {
		return e.inds
	}
	return e.plans.Apply(e.inds, year)
}

// baseYears is, per indicator, the earliest year its target in force needs
// stored figures of: the base year of a plan target, and for an intensity
// at constant prices the same year for its numerator and the GDP index.
func baseYears(inds []models.Indicator, year int) map[string]int {
	out := map[string]int{}
	need := func(code string, y int) {
		if cur, ok := out[code]; !ok || y < cur {
			out[code] = y
		}
	}
	for _, ind := range inds {
		t := ind.Target
		if t == nil || t.Year != year || t.BaseYear == 0 {
			continue
		}
		need(ind.Code, t.BaseYear)
		if t.ConstantPrices {
			if num, ok := intensityNumerators[ind.Code]; ok {
				need(num, t.BaseYear)
			}
			need(CodeGDPIndex, t.BaseYear+1)
		}
	}
	return out
}

// atConstantPrices replaces an intensity's actual by its value at the base
// year's prices: base × (numerator this year / numerator in the base year)
// ÷ the product of the real GDP index over the years since. It needs the
// full years of the numerator and every year's index; until they are in,
// the nominal intensity stays and ConstantPrices stays false
// (docs/progress.md §4.4).
func (e *Engine) atConstantPrices(ind models.Indicator, obs map[string][]models.Observation, p *models.Progress) {
	numCode, ok := intensityNumerators[ind.Code]
	if !ok || math.IsNaN(p.Base) || p.BaseYear == 0 {
		return
	}
	num, ok1 := e.lookup(numCode)
	idx, ok2 := e.lookup(CodeGDPIndex)
	if !ok1 || !ok2 {
		return
	}
	ns := e.district(num, obs[numCode])
	is := e.district(idx, obs[CodeGDPIndex])
	indices := make([]float64, 0, p.Year-p.BaseYear)
	for y := p.BaseYear + 1; y <= p.Year; y++ {
		indices = append(indices, is.FullYear(y).Value)
	}
	v := ConstantPriceIntensity(p.Base, ns.FullYear(p.BaseYear).Value, ns.FullYear(p.Year).Value, indices)
	if math.IsNaN(v) {
		return
	}
	p.Actual, p.ConstantPrices = v, true
	if p.Observations == 0 {
		// Nominal intensity not derived (no carbon accounting, no nominal
		// GDP): the year's figure is the constant-price one alone.
		p.Observations, p.Through, p.TimeProgress = 1, yearStart(p.Year+1), 1
	}
	settle(ind, p)
}

// ConstantPriceIntensity is an intensity at the base year's prices: base
// intensity × (numerator / base numerator) ÷ Π real GDP indices (prior
// year = 1) of the years after the base. NaN when any figure is missing
// or not positive.
func ConstantPriceIntensity(base, baseNumerator, numerator float64, indices []float64) float64 {
	if !(base > 0) || !(baseNumerator > 0) || math.IsNaN(numerator) || len(indices) == 0 {
		return math.NaN()
	}
	real := 1.0
	for _, g := range indices {
		if !(g > 0) {
			return math.NaN()
		}
		real *= g
	}
	return base * (numerator / baseNumerator) / real
}
