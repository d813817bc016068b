package demo

import (
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// Options configure Observations. The zero value gives data up to June 2024
// from the default seed.
type Options struct {
	// Today is the day the demo runs to: monthly, quarterly and annual
	// figures up to the last period complete before it (monthly: the month
	// before Today's), hourly and daily reference series up to the day
	// before. Zero: 1 July 2024 (data to June 2024). It must lie after
	// January 2024 (the demo starts from the 2023 baseline).
	Today time.Time
	// Seed makes the jitter reproducible; zero: 20240104, the report's date.
	// A period's value depends only on the seed, the indicator and the
	// period — never on Today — so a later Today only adds periods and
	// loading it over an earlier demo revises nothing.
	Seed uint64
	// Plans are the plans in force: their 2023 baselines start the series
	// and each year's targets are what its figures head for (at the
	// indicator's pace). The embedded 2024 plan, plus Plans for later
	// years; nil: no targets, and only indicators with a value of their own.
	Plans *models.PlanSet
	// Now is the clock's instant. When it falls on Today, the hourly
	// series run on through the last complete hour before it, as a live
	// station's do: ending them at midnight would make every automatic
	// station look overdue by the evening (monitoring data are due a day
	// after each hour). Zero, or another day: they end the day before.
	Now time.Time
}

// AsOf is the last month with monthly figures: the month before Today's.
func (o Options) AsOf() time.Time {
	t := o.today()
	return time.Date(t.Year(), t.Month()-1, 1, 0, 0, 0, 0, models.Shanghai)
}

func (o Options) today() time.Time {
	if o.Today.IsZero() {
		return time.Date(2024, 7, 1, 0, 0, 0, 0, models.Shanghai)
	}
	t := o.Today.In(models.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, models.Shanghai)
}

// FirstToday is the earliest Today: the demo needs a month of 2024.
var FirstToday = time.Date(2024, 2, 1, 0, 0, 0, 0, models.Shanghai)

// A Section is one of the eight synthetic assessed sections of the
// demo. Its name carries "(演示)" so that no chart mistakes it for data.
type Section struct {
	Name      string
	River     string
	Level     string // national or municipal
	WaterBody string // river
	// Target is the section's target class (3 = Ⅲ); Class the annual class
	// its samples are made to reach.
	Target, Class int
}

// Sections returns the synthetic sections. Four reach Ⅲ and four Ⅳ, as
// the report says of 2023: "8个国市控考核断面水质全部达到Ⅳ类以上，其中4个实现Ⅲ类水质".
func Sections() []Section {
	return []Section{
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

// Items are the items the demo sections measure: the fixed "5" of the
// national 5+X evaluation.
var Items = []string{"ph", "do", "codmn", "nh3n", "tp"}

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
// gives one); each later year's months run toward the year's amount (the
// year's target, the prior year grown by a growth target, or the prior
// year's amount·(1+growth); value2024 in 2024 where set) at pace: 1 is
// exactly on schedule (序时进度), above 1 ahead, below behind. The pace is
// the same every year, so the indicators behind in 2024 are behind in the
// current year too and their alerts fire. Stocks and cumulatives: 2023 goes
// from start2023 to value2023 (ending at the baseline), each later year
// from the prior year's end toward the year's target at pace (without a
// target: by 2024's planned increase). Levels and ratios: monthly values
// around value2023, the last of 2023 equal to it; later years around the
// year's target (value2024 without one).
type demoPlan struct {
	code      string
	value2023 float64 // 0: the baseline
	start2023 float64 // stocks and cumulatives
	value2024 float64 // levels and ratios; flows/stocks without a target: 2024's amount
	growth    float64 // flows without a target: each year over the one before
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

// Observations generates the demonstration data set: for the district indicators
// of the catalogue, monthly (quarterly, annual as the indicator is
// reported) figures for 2023 consistent with the work report's baselines
// and for every year from 2024 up to the last period complete before
// opts.Today heading toward that year's targets — most on or ahead of
// schedule, two clearly behind; monthly samples of the eight
// Sections; and recent hourly and daily figures of demo entities for
// the reference indicators (air stations, water sections, daily CO2,
// carbon prices, quarterly green loans), so no indicator the demo feeds is
// stale on opts.Today. Every observation has source "demo". The result
// depends only on the catalogue and opts.
func Observations(cat *config.Catalog, opts Options) ([]models.Observation, error) {
	today := opts.today()
	if today.Before(FirstToday) {
		return nil, fmt.Errorf("demo: %s is before February 2024; the demo runs from the 2023 baseline into 2024", today.Format("2006-01-02"))
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 20240104
	}
	asOf := opts.AsOf()
	g := demoGen{seed: seed, last: asOf, today: today, hoursEnd: opts.hoursEnd(today), plans: opts.Plans}
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
	recent, err := g.recent(cat)
	if err != nil {
		return nil, err
	}
	out = append(out, recent...)
	for i := range out {
		out[i].Provider = models.ProviderDemo
	}
	return out, nil
}

// Plans are the demo's illustrative plans, one per year from the year
// after the latest real plan's (2025 with the seed) to lastYear, each
// marked Demo and named 演示 — the flag every display of a target reads to
// mark it 演示 (targets list, report, progress), so the texts stay the
// plan's own. They follow one rule from the targets in
// force in that first real year: the same target again (a count per year,
// a growth rate, a share or ceiling), except a cumulative total, which
// keeps growing by its annual step (target − the plan's baseline).
func Plans(cat *config.Catalog, plans *models.PlanSet, lastYear int) []models.Plan {
	first := 0
	for _, p := range plans.Plans() {
		if p.Demo {
			continue
		}
		for _, t := range p.Targets {
			if _, to := t.Span(); to > first {
				first = to
			}
		}
	}
	if first == 0 {
		return nil
	}
	model := plans.InForce(first)
	var out []models.Plan
	for year := first + 1; year <= lastYear; year++ {
		p := models.Plan{
			ID:     fmt.Sprintf("demo-%d", year),
			Name:   fmt.Sprintf("%d年演示目标（示意，非政府文件）", year),
			Issued: fmt.Sprintf("%d-01-05", year),
			Demo:   true,
			Source: fmt.Sprintf("greenmetrics demo: %d年目标按规则生成（illustrative, generated from the %d targets）", first, first),
		}
		for _, inf := range model {
			if inf.Origin.Demo {
				continue
			}
			ind, ok := cat.Lookup(inf.Target.Indicator)
			if !ok {
				continue
			}
			base, _ := plans.Baseline(ind.Code, first-1)
			p.Targets = append(p.Targets, demoTarget(ind, inf.Target, first, base.Figure.Value, year))
		}
		out = append(out, p)
	}
	return out
}

// demoTarget is the rule of Plans for one target.
func demoTarget(ind models.Indicator, model models.PlanTarget, modelYear int, baseline float64, year int) models.PlanTarget {
	t := model
	t.Year, t.From, t.To, t.Line = year, 0, 0, 0
	if ind.Kind == models.KindCumulative && t.Kind == models.TargetAbsolute && baseline > 0 && t.Value > baseline {
		t.Value = model.Value + float64(year-modelYear)*(model.Value-baseline)
		t.Text = models.FormatQuantity(t.Value, ind.Unit, ind.DisplayUnit)
	}
	t.Quote = fmt.Sprintf("演示目标：按%d年目标“%s”的规则生成，并非政府工作报告原文", modelYear, model.Text)
	return t
}

// WritePlanYAML writes a plan in the YAML format of config/plans (one
// flow mapping per target, values in the indicator's base unit), so the
// daemon reads it from plans_dir like any plan the bureau writes.
func WritePlanYAML(w io.Writer, p models.Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n# Written by `greenmetrics demo`: illustrative targets for the demo data,\n# not a government document (demo: true marks every target 演示 where it shows).\n", p.Name)
	fmt.Fprintf(&b, "id: %s\nname: %s\nissued: %q\ndemo: true\nsource: %q\ntargets:\n", p.ID, p.Name, p.Issued, p.Source)
	for _, t := range p.Targets {
		fmt.Fprintf(&b, "  - {indicator: %s, year: %d, kind: %s, value: %s, unit: %q, qualifier: %s, text: %q, quote: %q}\n",
			t.Indicator, t.Year, t.Kind, strconv.FormatFloat(t.Value, 'g', -1, 64), t.Unit, t.Qualifier, t.Text, t.Quote)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type demoGen struct {
	seed     uint64
	last     time.Time // the last month with monthly figures
	today    time.Time // daily series end the day before
	hoursEnd time.Time // hourly series end before it: today, or Now's hour
	plans    *models.PlanSet
}

// hoursEnd is where the hourly series stop: the start of Now's hour when
// Now falls on today, else today's midnight.
func (o Options) hoursEnd(today time.Time) time.Time {
	now := o.Now.In(models.Shanghai)
	if o.Now.IsZero() || now.Before(today) || !now.Before(today.AddDate(0, 0, 1)) {
		return today
	}
	return now.Truncate(time.Hour)
}

// target is the target in force for an indicator in year.
func (g *demoGen) target(ind models.Indicator, year int) (*models.Target, bool) {
	inf, ok := g.plans.TargetFor(ind.Code, year)
	if !ok {
		return nil, false
	}
	return inf.Resolved(), true
}

// rng is the jitter of one series in one year: seeded by the seed, the
// indicator (and entity) and the year only, so a year's values do not
// depend on how far the demo runs.
func (g *demoGen) rng(key string, year int) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(key))
	return rand.New(rand.NewPCG(g.seed^h.Sum64(), uint64(year)^0x9e3779b97f4a7c15))
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

// available is how many periods of year are complete by the last month.
func (g *demoGen) available(year, span int) int {
	switch {
	case year < g.last.Year():
		return 12 / span
	case year > g.last.Year():
		return 0
	}
	return int(g.last.Month()) / span
}

// years are the years after 2023 with at least one month of data.
func (g *demoGen) years() []int {
	var ys []int
	for y := 2024; y <= g.last.Year(); y++ {
		ys = append(ys, y)
	}
	return ys
}

func (g *demoGen) series(ind models.Indicator, pl demoPlan) ([]models.Observation, error) {
	base := pl.value2023
	if b, ok := g.plans.Baseline(ind.Code, 2023); ok && base == 0 {
		base = b.Figure.Value
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
func weights(rng *rand.Rand, pl demoPlan, n, span int) []float64 {
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
		w[i] *= 0.9 + 0.2*rng.Float64()
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

// schedule is the plan with an even season: after 2023 the pace is
// measured against 序时进度 (months elapsed / 12), so a pace of 1 must mean
// exactly on schedule, whatever the indicator's seasonality.
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

// yearGoal is the amount of year (after 2023) the indicator heads for,
// given the prior year's (a flow's total, a stock's year-end value).
func (g *demoGen) yearGoal(ind models.Indicator, pl demoPlan, year int, prior, base float64) float64 {
	if t, ok := g.target(ind, year); ok {
		switch t.Kind {
		case models.TargetAbsolute:
			return t.Value
		case models.TargetGrowth:
			return prior * (1 + t.Value)
		}
	}
	if year == 2024 && pl.value2024 != 0 {
		return pl.value2024
	}
	if ind.Kind == models.KindFlow {
		return prior * (1 + pl.growth)
	}
	if pl.value2024 != 0 { // a stock: 2024's planned increase again
		return prior + pl.value2024 - base
	}
	return prior
}

// flow splits 2023's total over its periods so that they sum to it
// exactly, and runs each later year toward its amount at the plan's pace.
func (g *demoGen) flow(ind models.Indicator, pl demoPlan, base float64, n, span int) []models.Observation {
	var out []models.Observation
	add := func(year, i int, v float64) {
		out = append(out, models.Observation{Time: stamp(year, i, span), Indicator: ind.Code, Value: v})
	}
	// Cumulative amounts rounded to the grain; their differences are the
	// period values, which therefore sum to the total exactly.
	cum := weights(g.rng(ind.Code, 2023), pl, n, span)
	prev := 0.0
	for i := range n {
		c := roundTo(base*cum[i], pl.grain)
		if i == n-1 {
			c = base
		}
		add(2023, i, c-prev)
		prev = c
	}
	prior := base
	for _, year := range g.years() {
		goal := g.yearGoal(ind, pl, year, prior, base) * pl.pace
		cum = weights(g.rng(ind.Code, year), schedule(pl), n, span)
		prev = 0
		for i := range g.available(year, span) {
			c := roundTo(goal*cum[i], pl.grain)
			add(year, i, max(c-prev, 0))
			prev = max(c, prev)
		}
		prior = prev
	}
	return out
}

// stock walks a balance from start2023 to the baseline over 2023 and on,
// year by year, toward each year's target at the plan's pace.
func (g *demoGen) stock(ind models.Indicator, pl demoPlan, base float64, n, span int) []models.Observation {
	var out []models.Observation
	start := pl.start2023
	if start == 0 {
		start = base
	}
	cum := weights(g.rng(ind.Code, 2023), pl, n, span)
	for i := range n {
		v := roundTo(start+(base-start)*cum[i], pl.grain)
		if i == n-1 {
			v = base
		}
		out = append(out, models.Observation{Time: stamp(2023, i, span), Indicator: ind.Code, Value: v})
	}
	if pl.pace == 0 {
		pl.pace = 1
	}
	prior := base
	for _, year := range g.years() {
		goal := g.yearGoal(ind, pl, year, prior, base)
		cum = weights(g.rng(ind.Code, year), schedule(pl), n, span)
		end := prior
		for i := range n {
			v := roundTo(prior+(goal-prior)*cum[i]*pl.pace, pl.grain)
			if i < g.available(year, span) {
				out = append(out, models.Observation{Time: stamp(year, i, span), Indicator: ind.Code, Value: v})
			}
			end = v
		}
		prior = end
	}
	return out
}

// level makes values around each year's figure: 2023's last period equals
// it exactly (a baseline of a "last" indicator is the year-end value).
func (g *demoGen) level(ind models.Indicator, pl demoPlan, base float64, n, span int) []models.Observation {
	var out []models.Observation
	season := pl.season
	type yearValue struct {
		year, periods int
		value         float64
	}
	ys := []yearValue{{2023, n, base}}
	for _, year := range g.years() {
		// The demo's own figure first (an unemployment rate well inside its
		// ceiling), else the target, else the 2023 value.
		v := pl.value2024
		if t, ok := g.target(ind, year); ok && t.Kind == models.TargetAbsolute && v == 0 {
			v = t.Value
		}
		if v == 0 {
			v = base
		}
		ys = append(ys, yearValue{year, g.available(year, span), v})
	}
	for _, y := range ys {
		rng := g.rng(ind.Code, y.year)
		for i := range n {
			v := y.value
			if season != nil {
				v *= season[i*span] * (0.95 + 0.1*rng.Float64())
			} else if ind.Kind == models.KindRatio && v != 0 && i < n-1 {
				v *= 0.97 + 0.06*rng.Float64() // a share drifts; a count does not
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
			if i < y.periods {
				out = append(out, models.Observation{Time: stamp(y.year, i, span), Indicator: ind.Code, Value: v})
			}
		}
	}
	return out
}

// warm is the seasonal factor of organic load in rivers: it peaks in the
// warm months; dissolved oxygen does the opposite.
var warm = [12]float64{0.9, 0.9, 0.95, 1.0, 1.05, 1.1, 1.12, 1.1, 1.05, 1.0, 0.95, 0.88}

// waterDecimals are the decimals the monitoring stations report.
var waterDecimals = map[string]float64{"ph": 100, "do": 100, "codmn": 100, "nh3n": 1000, "tp": 1000}

// sample is one item of a section in month m (0-based), around the mean
// of its class.
func sample(rng *rand.Rand, mean float64, item string, m int) float64 {
	f := warm[m]
	switch item {
	case "ph":
		f = 1
	case "do":
		f = 2 - warm[m]
	}
	jitter := 0.94 + 0.12*rng.Float64()
	if item == "ph" {
		jitter = 0.98 + 0.04*rng.Float64()
	}
	return math.Round(mean*f*jitter*waterDecimals[item]) / waterDecimals[item]
}

// water makes one sample a month, on the 10th at 09:00, for each demo
// section, from January 2023 to the last month.
func (g *demoGen) water() []models.Observation {
	var out []models.Observation
	for _, s := range Sections() {
		means := demoWater[s.Class]
		for year := 2023; year <= g.last.Year(); year++ {
			rng := g.rng("water/"+s.Name, year)
			months := 12
			if year == g.last.Year() {
				months = int(g.last.Month())
			}
			for m := range months {
				at := time.Date(year, time.Month(m+1), 10, 9, 0, 0, 0, models.Shanghai)
				for _, item := range Items {
					out = append(out, models.Observation{Time: at, Indicator: item, Entity: s.Name, Value: sample(rng, means[item], item, m)})
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

// demoStation is the synthetic air station of the demo's recent hourly
// series; demoRegion, demoMarket and demoCountry name the demo's entities
// of the daily and quarterly reference indicators. Each carries 演示, and
// none is the district: they take their indicator's reference level.
const (
	demoStation = "永乐店(演示)"
	demoRegion  = "北京(演示)"
	demoMarket  = "北京碳市场(演示)"
	demoCountry = "全国(演示)"
	demoEUA     = "EU-ETS/EUA(演示)"
)

// Recent windows: the stale alert fires after two reporting periods plus a
// week's grace, so two weeks of hourly and three months of daily figures
// keep every such indicator fresh while keeping the load small (a few
// thousand rows, whatever the date).
const (
	recentHourlyDays = 14
	recentDailyDays  = 92
	// waterStep is the cadence of the water stations (CNEMC: every 4 h).
	waterStep = 4 * time.Hour
)

// demoAir are the means of the demo station (µg/m³; CO too, in the
// catalogue's unit), scaled by seasonPM25 except ozone.
var demoAir = map[string]float64{"pm25": 38, "pm10": 65, "so2": 4, "no2": 30, "co": 700, "o3": 60}

// demoWaterMonthlyTemp is a river's water temperature by month (℃).
var demoWaterMonthlyTemp = [12]float64{3, 4, 8, 14, 20, 25, 27, 27, 23, 17, 10, 5}

// demoDaily are the daily reference series (value in the base unit).
var demoDaily = []struct {
	code, entity string
	mean         float64
	decimals     float64
}{
	{"co2_power", demoRegion, 150000, 1},
	{"co2_industry", demoRegion, 40000, 1},
	{"co2_ground_transport", demoRegion, 55000, 1},
	{"carbon_price", demoMarket, 95, 100},
	{"carbon_price_low", demoMarket, 90, 100},
	{"carbon_price_high", demoMarket, 101, 100},
	{"carbon_price_eua", demoEUA, 70, 100},
}

// demoQuarterly are the green-loan series of the demo country by quarter
// (q = 0 is the first quarter of 2023), in base units.
var demoQuarterly = []struct {
	code  string
	value func(q int) float64
}{
	{"green_loan_balance", func(q int) float64 { return roundTo(2.70e13+float64(q)*0.8e12, 1e9) }},
	{"green_loan_balance_power_heat_gas_water", func(q int) float64 { return roundTo(0.75e13+float64(q)*0.2e12, 1e9) }},
	{"green_loan_balance_transport", func(q int) float64 { return roundTo(0.50e13+float64(q)*0.1e12, 1e9) }},
	{"green_loan_growth_yoy", func(q int) float64 { return math.Round((0.38-0.015*float64(q))*1000) / 1000 }},
	// Since the start of the year: a quarter's share of the year's growth.
	{"green_loan_growth_ytd", func(q int) float64 { return math.Round(0.075*float64(q%4+1)*1000) / 1000 }},
}

// recent makes the reference indicators' demo series: hourly air and
// water for the last recentHourlyDays days, daily CO2 and carbon prices
// for the last recentDailyDays, quarterly green loans and annual CO2 from
// 2023. Indicators missing from the catalogue are left out.
func (g *demoGen) recent(cat *config.Catalog) ([]models.Observation, error) {
	var out []models.Observation
	has := func(code string) bool { _, ok := cat.Lookup(code); return ok }
	hourFrom := g.today.AddDate(0, 0, -recentHourlyDays)
	for day := hourFrom; day.Before(g.hoursEnd); day = day.AddDate(0, 0, 1) {
		for _, o := range append(g.airDay(day, has), g.waterDay(day, has)...) {
			if o.Time.Before(g.hoursEnd) {
				out = append(out, o)
			}
		}
	}
	for day := g.today.AddDate(0, 0, -recentDailyDays); day.Before(g.today); day = day.AddDate(0, 0, 1) {
		for _, d := range demoDaily {
			if !has(d.code) {
				continue
			}
			rng := g.rng(d.code+"/"+d.entity+"/"+day.Format("2006-01-02"), day.Year())
			v := d.mean * (0.9 + 0.2*rng.Float64())
			out = append(out, models.Observation{Time: day, Indicator: d.code, Entity: d.entity, Value: math.Round(v*d.decimals) / d.decimals})
		}
	}
	for q := 0; ; q++ {
		at := time.Date(2023, time.Month(1+3*q), 1, 0, 0, 0, 0, models.Shanghai)
		if at.AddDate(0, 3, 0).After(g.last.AddDate(0, 1, 0)) {
			break
		}
		for _, s := range demoQuarterly {
			if has(s.code) {
				out = append(out, models.Observation{Time: at, Indicator: s.code, Entity: demoCountry, Value: s.value(q)})
			}
		}
	}
	if has("co2_total_ceads") {
		for year := 2023; year < g.last.Year() || (year == g.last.Year() && g.last.Month() == time.December); year++ {
			rng := g.rng("co2_total_ceads/"+demoRegion, year)
			v := roundTo(1.0e8*(1-0.02*float64(year-2023))*(0.98+0.04*rng.Float64()), 1e4)
			out = append(out, models.Observation{Time: stamp(year, 0, 12), Indicator: "co2_total_ceads", Entity: demoRegion, Value: v})
		}
	}
	return out, nil
}

// airDay is one day of hourly figures of the demo station: the monthly
// PM2.5 season, a morning and evening peak, ozone peaking in the
// afternoon.
func (g *demoGen) airDay(day time.Time, has func(string) bool) []models.Observation {
	var out []models.Observation
	m := int(day.Month()) - 1
	for _, code := range []string{"pm25", "pm10", "so2", "no2", "co", "o3"} {
		if !has(code) {
			continue
		}
		rng := g.rng(code+"/"+demoStation+"/"+day.Format("2006-01-02"), day.Year())
		for h := range 24 {
			f := seasonPM25[m] * (1 + 0.25*math.Cos(2*math.Pi*float64(h-8)/12))
			if code == "o3" {
				f = (2.2 - seasonPM25[m]) * (1 + 0.6*math.Cos(2*math.Pi*float64(h-15)/24))
			}
			v := math.Max(1, math.Round(demoAir[code]*f*(0.8+0.4*rng.Float64())))
			out = append(out, models.Observation{Time: day.Add(time.Duration(h) * time.Hour), Indicator: code, Entity: demoStation, Value: v})
		}
	}
	return out
}

// waterDay is one day of 4-hourly readings of each demo section, as the
// automatic stations report them: the five assessed items around the
// section's class, the published class itself, and the 9+X extras.
func (g *demoGen) waterDay(day time.Time, has func(string) bool) []models.Observation {
	var out []models.Observation
	m := int(day.Month()) - 1
	for _, s := range Sections() {
		rng := g.rng("water-recent/"+s.Name+"/"+day.Format("2006-01-02"), day.Year())
		for at := day; at.Before(day.AddDate(0, 0, 1)); at = at.Add(waterStep) {
			add := func(code string, v float64) {
				if has(code) {
					out = append(out, models.Observation{Time: at, Indicator: code, Entity: s.Name, Value: v})
				}
			}
			for _, item := range Items {
				add(item, sample(rng, demoWater[s.Class][item], item, m))
			}
			add("wq_class_official", float64(s.Class))
			add("tn", math.Round(3.2*(0.9+0.2*rng.Float64())*100)/100)
			add("water_temp", math.Round((demoWaterMonthlyTemp[m]+rng.Float64()*2-1)*10)/10)
			add("cond", math.Round(820*(0.95+0.1*rng.Float64())))
			add("turb", math.Round(12*(0.7+0.6*rng.Float64())*10)/10)
		}
	}
	return out
}
