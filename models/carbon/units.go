package carbon

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// factorUnit says what a factor unit turns into what: output (in its base
// unit) = amount (in the activity's base unit input) × value × outScale.
type factorUnit struct {
	output   Output
	input    string
	outScale float64
}

// factorUnits are the units factors are published in. 1 tCO2/MWh is
// 1 kgCO2/kWh is 10⁻³ tCO2 per kWh; 21.62 tCO2/10⁴Nm³ is 2.162e-3 tCO2 per m³.
var factorUnits = map[string]factorUnit{
	"tCO2/MWh":     {OutputCO2, "kWh", 1e-3},
	"kgCO2/kWh":    {OutputCO2, "kWh", 1e-3},
	"tCO2/10^4Nm3": {OutputCO2, "m3", 1e-4},
	"kgCO2/m3":     {OutputCO2, "m3", 1e-3},
	"tCO2/t":       {OutputCO2, "t", 1},
	"kgCO2/kg":     {OutputCO2, "t", 1},
	"tCO2/GJ":      {OutputCO2, "GJ", 1},
	"tCO2/tce":     {OutputCO2, "tce", 1},
	"kgce/kWh":     {OutputEnergy, "kWh", 1e-3},
	"kgce/m3":      {OutputEnergy, "m3", 1e-3},
	"kgce/kg":      {OutputEnergy, "t", 1},
	"kgce/GJ":      {OutputEnergy, "GJ", 1e-3},
}

// FactorUnits lists the accepted factor units, sorted.
func FactorUnits() []string {
	out := make([]string, 0, len(factorUnits))
	for u := range factorUnits {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// amountUnit converts an activity amount to its base unit: base = v × scale.
type amountUnit struct {
	base  string
	scale float64
}

// amountUnits are the units activity data arrive in (statistical returns
// use 万千瓦时, 万立方米, 万吨标准煤 …).
var amountUnits = map[string]amountUnit{
	"kWh": {"kWh", 1}, "千瓦时": {"kWh", 1}, "度": {"kWh", 1},
	"MWh": {"kWh", 1e3}, "GWh": {"kWh", 1e6},
	"10^4kWh": {"kWh", 1e4}, "万千瓦时": {"kWh", 1e4}, "亿千瓦时": {"kWh", 1e8},
	"m3": {"m3", 1}, "Nm3": {"m3", 1}, "m³": {"m3", 1}, "Nm³": {"m3", 1}, "立方米": {"m3", 1},
	"10^4m3": {"m3", 1e4}, "10^4Nm3": {"m3", 1e4}, "万立方米": {"m3", 1e4}, "亿立方米": {"m3", 1e8},
	"t": {"t", 1}, "吨": {"t", 1}, "kg": {"t", 1e-3}, "10^4t": {"t", 1e4}, "万吨": {"t", 1e4},
	"GJ": {"GJ", 1}, "MJ": {"GJ", 1e-3}, "TJ": {"GJ", 1e3},
	"tce": {"tce", 1}, "吨标准煤": {"tce", 1}, "kgce": {"tce", 1e-3},
	"10^4tce": {"tce", 1e4}, "万吨标准煤": {"tce", 1e4},
}

// ToBase converts an amount of activity a given in unit to a's base unit.
func ToBase(a Activity, amount float64, unit string) (float64, error) {
	base, ok := a.BaseUnit()
	if !ok {
		return 0, fmt.Errorf("activity %q: %w", a, ErrUnknownActivity)
	}
	if math.IsNaN(amount) || math.IsInf(amount, 0) || amount < 0 {
		return 0, fmt.Errorf("%s amount %v: %w", a, amount, ErrBadAmount)
	}
	if unit == "" {
		unit = base
	}
	u, ok := amountUnits[strings.TrimSpace(unit)]
	if !ok {
		return 0, fmt.Errorf("%s amount unit %q: %w", a, unit, ErrUnknownUnit)
	}
	if u.base != base {
		return 0, fmt.Errorf("%s is measured in %s, not %q: %w", a, base, unit, ErrUnitMismatch)
	}
	return amount * u.scale, nil
}
