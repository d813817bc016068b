package metrics

import (
	"math"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// BuildingCategory is a kind of green building floor area the district
// reports (domain.md §4).
type BuildingCategory string

// Building categories and the catalogue indicators behind them. Public
// building retrofits are a part of existing-building retrofits, so the two
// are separate categories and never added together.
const (
	UltraLowEnergy   BuildingCategory = "ultra_low_energy"   // 超低能耗建筑 (cumulative)
	NearlyZeroEnergy BuildingCategory = "nearly_zero_energy" // 近零能耗建筑 (cumulative)
	Prefabricated    BuildingCategory = "prefabricated"      // 装配式建筑, started (flow)
	GreenRetrofit    BuildingCategory = "green_retrofit"     // 既有建筑绿色化改造 (flow)
	PublicRetrofit   BuildingCategory = "public_retrofit"    // 公共建筑节能绿色化改造 (flow)
)

// BuildingIndicators maps each category to its catalogue indicator.
var BuildingIndicators = map[BuildingCategory]string{
	UltraLowEnergy:   "ultra_low_energy_building_area",
	NearlyZeroEnergy: "nearly_zero_energy_building_area",
	Prefabricated:    "prefab_building_started_area",
	GreenRetrofit:    "existing_building_green_retrofit_area",
	PublicRetrofit:   "public_building_green_retrofit_area",
}

// NameZh is the category as the report names it.
func (c BuildingCategory) NameZh() string {
	switch c {
	case UltraLowEnergy:
		return "超低能耗建筑"
	case NearlyZeroEnergy:
		return "近零能耗建筑"
	case Prefabricated:
		return "装配式建筑"
	case GreenRetrofit:
		return "既有建筑绿色化改造"
	case PublicRetrofit:
		return "公共建筑节能绿色化改造"
	}
	return string(c)
}

// FloorArea is one category's floor area in m²: what the year added, the
// cumulative total, and the cumulative target.
type FloorArea struct {
	Category  BuildingCategory `json:"category"`
	Indicator string           `json:"indicator"`
	// Year is the area added in the year to date: the sum of a flow (NaN
	// when nothing was reported this year), or the increase of a
	// cumulative since the prior year-end (NaN without that year-end).
	Year float64 `json:"year"`
	// Cumulative is the total to date: the latest value of a cumulative,
	// or the sum of every reported period of a flow (as far back as the
	// data go, plus Opening).
	Cumulative float64 `json:"cumulative"`
	// Target is the cumulative target (NaN: none); Completion is
	// Cumulative/Target and Remaining Target − Cumulative.
	Target     float64 `json:"target"`
	Completion float64 `json:"completion"`
	Remaining  float64 `json:"remaining"`
}

// FloorAreaTarget is a category's cumulative target and, for a flow whose
// history does not reach back to the start of the count, the area counted
// before its first observation.
type FloorAreaTarget struct {
	Target  float64
	Opening float64
}

// FloorAreas measures each category of the catalogue (inds, by code) as of
// asOf: obs holds the district's figures by indicator code and targets the
// cumulative targets by category. Categories whose indicator is not in
// inds are left out.
func FloorAreas(inds map[string]models.Indicator, obs map[string][]models.Observation, targets map[BuildingCategory]FloorAreaTarget, asOf time.Time) []FloorArea {
	var out []FloorArea
	for _, c := range []BuildingCategory{UltraLowEnergy, NearlyZeroEnergy, Prefabricated, GreenRetrofit, PublicRetrofit} {
		ind, ok := inds[BuildingIndicators[c]]
		if !ok {
			continue
		}
		out = append(out, floorArea(c, ind, obs[ind.Code], targets[c], asOf))
	}
	return out
}

func floorArea(c BuildingCategory, ind models.Indicator, obs []models.Observation, tgt FloorAreaTarget, asOf time.Time) FloorArea {
	fa := FloorArea{Category: c, Indicator: ind.Code, Year: math.NaN(), Cumulative: math.NaN(),
		Target: math.NaN(), Completion: math.NaN(), Remaining: math.NaN()}
	if tgt.Target > 0 {
		fa.Target = tgt.Target
	}
	asOf = asOf.In(models.Shanghai)
	known := seriesOf(ind, obs).Until(asOf.Add(time.Nanosecond))
	latest, ok := known.Latest()
	if !ok {
		return fa
	}
	y := asOf.Year()
	switch ind.Kind {
	case models.KindFlow:
		if ytd := known.YearToDate(y, yearStart(y+1)); ytd.OK {
			fa.Year = ytd.Value
		}
		fa.Cumulative = tgt.Opening + sumPeriods(known.Periods)
	default:
		fa.Cumulative = latest.Last
		fa.Year = fa.Cumulative - known.YearStartValue(y, ind.Baseline)
	}
	fa.Completion = completion(fa.Cumulative, fa.Target, models.DirectionHigher)
	fa.Remaining = fa.Target - fa.Cumulative
	return fa
}

func sumPeriods(ps []models.PeriodValue) float64 {
	var s float64
	for _, p := range ps {
		s += p.Sum
	}
	return s
}
