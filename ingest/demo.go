package ingest

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// DemoSource is the source tag of every synthetic observation.
const DemoSource = "demo"

// DemoOptions configure Demo. The zero value gives data up to June 2024
// from the default seed.
type DemoOptions struct {
	// AsOf is the last month of 2024 with data (its day is ignored); zero:
	// June 2024. It must lie in 2024.
	AsOf time.Time
	// Seed makes the jitter reproducible; zero: 20240104, the report's date.
	Seed uint64
}

// A DemoSection is one of the eight synthetic assessed sections of the
// demo. Its name carries "(演示)" so that no chart mistakes it for data.
type DemoSection struct {
	Name      string
	River     string
	Level     string // national or municipal
	WaterBody string // river
	// Target is the section's target class (3 = Ⅲ); Class the annual class
	// its samples are made to reach.
	Target, Class int
}

// DemoSections returns the synthetic sections. Four reach Ⅲ and four Ⅳ, as
// the report says of 2023: "8个国市控考核断面水质全部达到Ⅳ类以上，其中4个实现Ⅲ类水质".
func DemoSections() []DemoSection {
	return []DemoSection{
		{Name: "榆林庄(演示)", River: "北运河", Level: "national", WaterBody: "river", Target: 4, Class: 4},
		{Name: "王家摆(演示)", River: "潮白河", Level: "national", WaterBody: "river", Target: 3, Class: 3},
		{Name: "通惠河-火车站(演示)", River: "通惠河", Level: "municipal", WaterBody: "river", Target: 4, Class: 4},
		{Name: "凉水河-许各庄(演示)", River: "凉水河", Level: "municipal", WaterBody: "river", Target: 4, Class: 4},
		{Name: "港沟河-西集(演示)", River: "港沟河", Level: "municipal", WaterBody: "river", Target: 3, Class: 3},
		{Name: "凤港减河-沙古堆(演示)", River: "凤港减河", Level: "municipal", WaterBody: "river", Target: 4, Class: 4},
		{Name: "中坝河-侉店(演示)", River: "中坝河", Level: "municipal", WaterBody: "river", Target: 3, Class: 3},
		{Name: "运潮减河-胡各庄(演示)", River: "运潮减河", Level: "municipal", WaterBody: "river", Target: 3, Class: 3},
	}
}

// DemoItems are the items the demo sections measure: the fixed "5" of the
// national 5+X evaluation.
var DemoItems = []string{"ph", "do", "codmn", "nh3n", "tp"}

// demoWater gives item means by class: each value sits well inside its
// class band of GB 3838-2002 (river limits), so monthly noise cannot move
// the annual mean across a limit.
var demoWater = map[int]map[string]float64{
	3: {"ph": 7.6, "do": 6.8, "codmn": 4.8, "nh3n": 0.65, "tp": 0.14}, // Ⅲ: CODMn ≤6, NH3-N ≤1.0, TP ≤0.2
	4: {"ph": 7.8, "do": 5.6, "codmn": 7.9, "nh3n": 1.18, "tp": 0.25}, // Ⅳ: CODMn ≤10, NH3-N ≤1.5, TP ≤0.3
}

// Seasonal profiles (relative monthly weights, January first).
var (
	seasonEven         = [12]float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	seasonConstruction = [12]float64{0.4, 0.5, 0.9, 1.1, 1.2, 1.2, 1.1, 1.0, 1.1, 1.2, 1.1, 1.3}
	seasonYearEnd      = [12]float64{0.4, 0.4, 0.7, 0.8, 0.9, 1.0, 0.9, 0.9, 1.1, 1.2, 1.5, 2.2}
	seasonHeating      = [12]float64{2.0, 1.7, 1.1, 0.6, 0.4, 0.4, 0.5, 0.5, 0.4, 0.6, 1.4, 2.0}
	seasonPower        = [12]float64{1.1, 0.9, 0.9, 0.8, 0.9, 1.1, 1.3, 1.3, 1.0, 0.9, 0.9, 1.0}
	seasonPM25         = [12]float64{1.45, 1.3, 1.1, 0.9, 0.8, 0.75, 0.7, 0.7, 0.8, 1.0, 1.2, 1.4}
)

// demoPlan says how the demo makes one district indicator's series.
//
// Flows: the 2023 months sum to value2023 (the baseline where the report
// gives one); 2024 months run toward the year's amount (the target, the
// prior year grown by a growth target, or value2023·(1+growth)) at pace:
// 1 is exactly on schedule (序时进度), above 1 ahead, below behind.
// Stocks and cumulatives: 2023 goes from start2023 to value2023 (ending at
// the baseline), 2024 from there toward the target at pace. Levels and
// ratios: monthly values around value2023, the last of 2023 equal to it;
// 2024 values around value2024.
type demoPlan struct {
	code      string
	value2023 float64 // 0: the baseline
	start2023 float64 // stocks and cumulatives
	value2024 float64 // levels and ratios; flows/stocks without a target: the year's amount
	growth    float64 // flows without a target: 2024 over 2023
	pace      float64
	grain     float64 // values are whole multiples of it
	season    *[12]float64
}

// demoPlans is the explicit list of district indicators the demo fills.
// Derived indicators (co2_emissions, intensities, section counts and water
// ratios) are left to the analysis, which computes them; per-entity
// reference series come from the real data files.
var demoPlans = []demoPlan{
	{code: "carbon_eval_pilot_co2_reduction", growth: 0.3, pace: 1.1, grain: 1, season: &seasonYearEnd},
	{code: "electricity_consumption", value2023: 8.0e9, growth: 0.04, pace: 1, grain: 1e4, season: &seasonPower},
	{code: "natural_gas_consumption", value2023: 1.0e9, growth: 0.02, pace: 1, grain: 1e4, season: &seasonHeating},
	{code: "energy_consumption_total", value2023: 3.0e6, growth: 0.02, pace: 1, grain: 10, season: &seasonPower},
	{code: "air_pollutant_emissions", value2023: 3600, grain: 1},
	{code: "water_pollutant_emissions", value2023: 2900, grain: 1},
	{code: "energy_saving_agency_rate", value2024: 1},
	{code: "green_credit_balance", start2023: 2.4e10, value2024: 3.6e10, pace: 1.15, grain: 1e6},
	{code: "green_exchange_cumulative_volume", start2023: 8.2e7, value2024: 1.2e8, pace: 1.05, grain: 1000},
	{code: "climate_finance_projects", start2023: 110, value2024: 180, pace: 0.9, grain: 1},
	{code: "prefab_building_started_area", growth: 0.05, pace: 1.08, grain: 100, season: &seasonConstruction},
	{code: "public_building_green_retrofit_area", growth: 0.05, pace: 0.95, grain: 100, season: &seasonConstruction},
	{code: "ultra_low_energy_building_area", value2023: 450000, start2023: 380000, value2024: 540000, pace: 1, grain: 100},
	{code: "nearly_zero_energy_building_area", value2023: 120000, start2023: 95000, value2024: 150000, pace: 0.9, grain: 100},
	{code: "existing_building_green_retrofit_area", value2023: 600000, growth: 0.1, pace: 1, grain: 100, season: &seasonConstruction},
	{code: "electric_bus_taxi_added", growth: 0.1, pace: 1.05, grain: 1, season: &seasonYearEnd},
	{code: "ebike_charging_points_added", growth: 0, pace: 1.1, grain: 1, season: &seasonConstruction},
	{code: "bare_land_area_change_yoy", value2024: -0.2},
	{code: "pm25_annual_mean", value2023: 33, value2024: 31, grain: 0.1, season: &seasonPM25},
	{code: "assessed_sections", value2024: 8, grain: 1},
	{code: "substandard_points_remediated", growth: 0, pace: 1, grain: 1, season: &seasonYearEnd},
	// Clearly behind: 64 stations planned, a third of the scheduled pace.
	{code: "rural_sewage_stations_built", value2023: 30, pace: 0.35, grain: 1, season: &seasonYearEnd},
	{code: "bungalow_village_sewage_projects", growth: -0.3, pace: 1, grain: 1, season: &seasonYearEnd},
	{code: "gdp_growth", value2024: 0.053},
	{code: "gdp", value2023: 1.32e11, growth: 0.05, pace: 1, grain: 1e6, season: &seasonEven},
	{code: "fixed_asset_investment", pace: 1.04, grain: 1e6, season: &seasonConstruction},
	{code: "general_budget_revenue", pace: 0.98, grain: 1e4, season: &seasonEven},
	{code: "general_budget_revenue_growth", value2024: 0.041},
	{code: "operating_land_parcels_supplied", value2023: 9, pace: 1.2, grain: 1, season: &seasonYearEnd},
	{code: "urban_rural_employment", pace: 1.25, grain: 1, season: &seasonEven},
	{code: "urban_registered_unemployment_rate", value2024: 0.0372},
	{code: "public_kindergartens_opened", value2023: 5, pace: 1, grain: 1, season: &seasonYearEnd},
	{code: "preschool_places_added", value2023: 900, pace: 1.1, grain: 1, season: &seasonYearEnd},
	{code: "childcare_places_added", value2023: 1000, pace: 0.8, grain: 1, season: &seasonYearEnd},
	{code: "group_schooling_coverage", value2023: 0.62},
	// Clearly behind: 10 stations planned, 40% of the scheduled pace.
	{code: "elderly_care_stations_built", value2023: 8, pace: 0.4, grain: 1, season: &seasonYearEnd},
	{code: "affordable_housing_projects", value2023: 5, value2024: 7, grain: 1},
	{code: "old_residential_renovation", pace: 1.2, grain: 1, season: &seasonYearEnd},
	{code: "back_alley_improvement", value2023: 80, pace: 1.05, grain: 1, season: &seasonConstruction},
	{code: "overhead_lines_underground", value2023: 18, value2024: 20, grain: 1},
	{code: "canal_business_district_completed_area", start2023: 4.3e6, pace: 1.1, grain: 1000},
	{code: "community_home_centers", value2024: 5, grain: 1},
	{code: "illegal_construction_demolished", growth: -0.2, pace: 1.1, grain: 100, season: &seasonConstruction},
	{code: "basic_farmland_area", value2023: 128700000},
	{code: "land_vacated", growth: -0.1, pace: 1, grain: 100, season: &seasonConstruction},
	{code: "under_forest_economy_area"},
	// Figures of the 2023 review without a 2024 target (issue 15).
	{code: "operating_land_parcels_traded", growth: 0, pace: 1, grain: 1, season: &seasonYearEnd},
	{code: "elderly_care_facilities_opened", growth: 0, pace: 1, grain: 1, season: &seasonYearEnd},
	{code: "overhead_lines_underground_completed", growth: 0.1, pace: 1, grain: 1, season: &seasonYearEnd},
	{code: "new_market_entities", growth: 0.05, pace: 1, grain: 1, season: &seasonEven},
	{code: "new_market_entities_growth", value2024: 0.05},
	{code: "central_soe_subsidiaries", start2023: 76, value2024: 100, pace: 1, grain: 1},
	{code: "foreign_investment_utilized", growth: 0.1, pace: 1, grain: 1e4, season: &seasonEven},
	{code: "foreign_investment_utilized_growth", value2024: 0.1},
	{code: "financial_institutions", start2023: 380, value2024: 450, pace: 1, grain: 1},
	{code: "industry_support_funds_disbursed", growth: 0, pace: 1, grain: 1e4, season: &seasonYearEnd},
	{code: "self_supplied_wells_replaced", growth: 0, pace: 1, grain: 1, season: &seasonYearEnd},
	{code: "village_water_supply_pipes_renovated", growth: 0, pace: 1, grain: 1, season: &seasonYearEnd},
	{code: "water_source_switch_beneficiaries", growth: 0, pace: 1, grain: 1000},
}

// Demo generates the demonstration data set: for the district indicators
// of the catalogue, monthly (quarterly, annual as the indicator is
// reported) figures for 2023 consistent with the work report's baselines
// and for 2024 up to opts.AsOf heading toward the targets — most on or
// ahead of schedule, two clearly behind; and monthly samples of the eight
// DemoSections. Every observation has source "demo". The result depends
// only on the catalogue and opts.
func Demo(cat *config.Catalog, opts DemoOptions) ([]models.Observation, error) {
	asOf := opts.AsOf
	if asOf.IsZero() {
		asOf = time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai)
	}
	if asOf.Year() != 2024 {
		return nil, fmt.Errorf("demo: as-of month %s is not in 2024", asOf.Format("2006-01"))
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 20240104
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := demoGen{months24: int(asOf.Month()), rng: rng}
	var out []models.Observation
	for _, pl := range demoPlans {
		ind, ok := cat.Lookup(pl.code)
		if !ok {
			return nil, fmt.Errorf("demo: indicator %q is not in the catalogue", pl.code)
		}
		obs, err := g.series(ind, pl)
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", pl.code, err)
		}
		out = append(out, obs...)
	}
	out = append(out, g.water()...)
	for i := range out {
		out[i].Provider = DemoSource
	}
	return out, nil
}

type demoGen struct {
	months24 int
	rng      *rand.Rand
}

// periods returns how many periods of a year a frequency has, and how
// many months each spans.
func periods(f models.Frequency) (n, span int) {
	switch f {
	case models.FrequencyQuarterly:
		return 4, 3
	case models.FrequencyAnnual:
		return 1, 12
	}
	return 12, 1
}

// stamp is the start of period i (0-based) of year, in Beijing time.
func stamp(year, i, span int) time.Time {
	return time.Date(year, time.Month(1+i*span), 1, 0, 0, 0, 0, models.Shanghai)
}

// available is how many periods of 2024 are complete by the as-of month.
func (g *demoGen) available(span int) int { return g.months24 / span }

func (g *demoGen) series(ind models.Indicator, pl demoPlan) ([]models.Observation, error) {
	base := pl.value2023
	if base == 0 && ind.Baseline != nil {
		base = ind.Baseline.Value
	}
	if base == 0 && ind.Kind != models.KindRatio {
		return nil, fmt.Errorf("no 2023 value and no baseline")
	}
	n, span := periods(ind.Frequency)
	switch ind.Kind {
	case models.KindFlow:
		return g.flow(ind, pl, base, n, span), nil
	case models.KindStock, models.KindCumulative:
		return g.stock(ind, pl, base, n, span), nil
	}
	return g.level(ind, pl, base, n, span), nil
}

// weights returns the cumulative shares of a year's periods, following the
// plan's season with ±10% seeded jitter; the last share is exactly 1.
func (g *demoGen) weights(pl demoPlan, n, span int) []float64 {
	season := pl.season
	if season == nil {
		season = &seasonEven
	}
	w := make([]float64, n)
	total := 0.0
	for i := range w {
		for m := i * span; m < (i+1)*span; m++ {
			w[i] += season[m]
		}
		w[i] *= 0.9 + 0.2*g.rng.Float64()
		total += w[i]
	}
	cum := make([]float64, n)
	acc := 0.0
	for i := range w {
		acc += w[i]
		cum[i] = acc / total
	}
	cum[n-1] = 1
	return cum
}

// schedule is the plan with an even season: in 2024 the pace is measured
// against 序时进度 (months elapsed / 12), so a pace of 1 must mean exactly on
// schedule, whatever the indicator's seasonality.
func schedule(pl demoPlan) demoPlan {
	pl.season = &seasonEven
	return pl
}

// roundTo rounds v to a whole multiple of grain (1 when grain is 0). A
// decimal grain (0.1) divides instead of multiplying, so 43.9 stays 43.9
// and does not become 43.900000000000006.
func roundTo(v, grain float64) float64 {
	if grain <= 0 {
		grain = 1
	}
	if grain < 1 {
		d := math.Round(1 / grain)
		return math.Round(v*d) / d
	}
	return math.Round(v/grain) * grain
}

// target2024 is the 2024 amount the indicator heads for.
func target2024(ind models.Indicator, pl demoPlan, base float64) float64 {
	if t := ind.Target; t != nil && t.Year == 2024 {
		switch t.Kind {
		case models.TargetAbsolute:
			return t.Value
		case models.TargetGrowth:
			return base * (1 + t.Value)
		}
	}
	if pl.value2024 != 0 {
		return pl.value2024
	}
	return base * (1 + pl.growth)
}

// flow splits 2023's total over its periods so that they sum to it
// exactly, and runs 2024 toward its amount at the plan's pace.
func (g *demoGen) flow(ind models.Indicator, pl demoPlan, base float64, n, span int) []models.Observation {
	var out []models.Observation
	add := func(year, i int, v float64) {
		out = append(out, models.Observation{Time: stamp(year, i, span), Indicator: ind.Code, Value: v})
	}
	// Cumulative amounts rounded to the grain; their differences are the
	// period values, which therefore sum to the total exactly.
	cum := g.weights(pl, n, span)
	prev := 0.0
	for i := range n {
		c := roundTo(base*cum[i], pl.grain)
		if i == n-1 {
			c = base
		}
		add(2023, i, c-prev)
		prev = c
	}
	if n == 1 && g.months24 < 12 {
		return out // the 2024 annual figure is not known yet
	}
	goal := target2024(ind, pl, base) * pl.pace
	cum = g.weights(schedule(pl), n, span)
	prev = 0
	for i := range g.available(span) {
		c := roundTo(goal*cum[i], pl.grain)
		add(2024, i, max(c-prev, 0))
		prev = max(c, prev)
	}
	return out
}

// stock walks a balance from start2023 to the baseline over 2023 and on
// toward the 2024 target at the plan's pace.
func (g *demoGen) stock(ind models.Indicator, pl demoPlan, base float64, n, span int) []models.Observation {
	var out []models.Observation
	start := pl.start2023
	if start == 0 {
		start = base
	}
	cum := g.weights(pl, n, span)
	for i := range n {
		v := roundTo(start+(base-start)*cum[i], pl.grain)
		if i == n-1 {
			v = base
		}
		out = append(out, models.Observation{Time: stamp(2023, i, span), Indicator: ind.Code, Value: v})
	}
	if n == 1 && g.months24 < 12 {
		return out
	}
	goal := target2024(ind, pl, base)
	if pl.pace == 0 {
		pl.pace = 1
	}
	cum = g.weights(schedule(pl), n, span)
	for i := range g.available(span) {
		v := roundTo(base+(goal-base)*cum[i]*pl.pace, pl.grain)
		out = append(out, models.Observation{Time: stamp(2024, i, span), Indicator: ind.Code, Value: v})
	}
	return out
}

// level makes values around the year's figure: 2023's last period equals
// it exactly (a baseline of a "last" indicator is the year-end value).
func (g *demoGen) level(ind models.Indicator, pl demoPlan, base float64, n, span int) []models.Observation {
	var out []models.Observation
	season := pl.season
	v24 := target2024(ind, pl, base)
	if pl.value2024 != 0 {
		v24 = pl.value2024
	}
	for _, y := range []struct {
		year    int
		periods int
		value   float64
	}{{2023, n, base}, {2024, g.available(span), v24}} {
		for i := range y.periods {
			v := y.value
			if season != nil {
				v *= season[i*span] * (0.95 + 0.1*g.rng.Float64())
			} else if ind.Kind == models.KindRatio && v != 0 && i < n-1 {
				v *= 0.97 + 0.06*g.rng.Float64() // a share drifts; a count does not
			}
			if pl.grain > 0 {
				v = roundTo(v, pl.grain)
			} else {
				v = math.Round(v*1e4) / 1e4
			}
			if y.year == 2023 && i == n-1 && season == nil {
				v = base
			}
			if ind.Max != nil {
				v = math.Min(v, *ind.Max)
			}
			out = append(out, models.Observation{Time: stamp(y.year, i, span), Indicator: ind.Code, Value: v})
		}
	}
	return out
}

// water makes one sample a month, on the 10th at 09:00, for each demo
// section, from January 2023 to the as-of month.
func (g *demoGen) water() []models.Observation {
	var out []models.Observation
	decimals := map[string]float64{"ph": 100, "do": 100, "codmn": 100, "nh3n": 1000, "tp": 1000}
	// Organic load peaks in the warm months; oxygen does the opposite.
	warm := [12]float64{0.9, 0.9, 0.95, 1.0, 1.05, 1.1, 1.12, 1.1, 1.05, 1.0, 0.95, 0.88}
	for _, s := range DemoSections() {
		means := demoWater[s.Class]
		for _, ym := range [][2]int{{2023, 12}, {2024, g.months24}} {
			year, months := ym[0], ym[1]
			for m := range months {
				at := time.Date(year, time.Month(m+1), 10, 9, 0, 0, 0, models.Shanghai)
				for _, item := range DemoItems {
					f := warm[m]
					switch item {
					case "ph":
						f = 1
					case "do":
						f = 2 - warm[m]
					}
					jitter := 0.94 + 0.12*g.rng.Float64()
					if item == "ph" {
						jitter = 0.98 + 0.04*g.rng.Float64()
					}
					v := math.Round(means[item]*f*jitter*decimals[item]) / decimals[item]
					out = append(out, models.Observation{Time: at, Indicator: item, Entity: s.Name, Value: v})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// WriteCanonicalCSV writes observations as canonical long CSV (time,
// indicator, entity, value, unit, source), values in base units, so that
// generated data goes through the same pipeline as any file.
func WriteCanonicalCSV(w io.Writer, cat *config.Catalog, obs []models.Observation) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"time", "indicator", "entity", "value", "unit", "source"}); err != nil {
		return err
	}
	for _, o := range obs {
		unit := ""
		if ind, ok := cat.Lookup(o.Indicator); ok {
			unit = ind.Unit
		}
		rec := []string{o.Time.Format(time.RFC3339), o.Indicator, o.Entity, strconv.FormatFloat(o.Value, 'g', -1, 64), unit, o.Provider}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
