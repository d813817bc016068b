package metrics

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// plansEngine is an engine over mem whose targets come from the embedded
// 2024 plan and the extra YAML plans given.
func plansEngine(t *testing.T, mem *memStore, extra ...string) *Engine {
	t.Helper()
	cat, err := config.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	plans, err := config.EmbeddedPlans(cat)
	if err != nil {
		t.Fatal(err)
	}
	for i, y := range extra {
		p, err := config.ParsePlanYAML("extra"+string(rune('a'+i))+".yaml", []byte(y), cat)
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, p)
	}
	set, conflicts := models.NewPlanSet(plans)
	if len(conflicts) > 0 {
		t.Fatal(conflicts)
	}
	a := testAnalysis()
	a.FinalAfterMonths = 3
	e, err := New(Options{Indicators: cat.Indicators(), Plans: set, Analysis: a, Water: waterConfig(), Reader: mem,
		Now: func() time.Time { return at(2025, 7, 1) }})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

const plan2025 = `id: 2025-test-gwr
name: 2025年政府工作报告（测试）
issued: "2025-01-08"
targets:
  - {indicator: rural_sewage_stations_built, year: 2025, kind: absolute, value: 70, unit: 座, qualifier: exact, text: 70座}
  - {indicator: general_budget_revenue, year: 2025, kind: growth, value: 3, unit: "%", qualifier: exact, text: 增长3%}
`

// TestPlansForTwoYears: the 2024 and 2025 plans loaded together; each
// year's progress measures against its own plan, the year defaults to the
// as-of year, 2024 is closed with its final result, and 2026 without a
// plan shows its figures as 未设定目标.
func TestPlansForTwoYears(t *testing.T) {
	var obs []models.Observation
	obs = append(obs, monthly("rural_sewage_stations_built", 2024, 1, repeat(5, 12)...)...)
	obs = append(obs, monthly("rural_sewage_stations_built", 2025, 1, repeat(6, 6)...)...)
	obs = append(obs, monthly("general_budget_revenue", 2024, 1, repeat(1e9, 12)...)...)
	obs = append(obs, monthly("general_budget_revenue", 2025, 1, repeat(1.1e9, 6)...)...)
	obs = append(obs, monthly("rural_sewage_stations_built", 2026, 1, 4)...)
	e := plansEngine(t, &memStore{obs: obs}, plan2025)
	ctx := context.Background()

	tests := []struct {
		name                   string
		asOf                   time.Time
		year                   int
		code                   string
		actual, target         float64
		status                 models.Status
		final                  bool
		result                 models.FinalResult
		plan                   string
		wantYear, wantProgress float64
	}{
		{"2025 by default", at(2025, 7, 1).Add(-time.Second), 0, "rural_sewage_stations_built", 36, 70, models.StatusAhead, false, "", "2025-test-gwr", 2025, 0.5},
		{"2025 growth on 2024's stored total", at(2025, 7, 1).Add(-time.Second), 0, "general_budget_revenue", 6.6e9, 12e9 * 1.03, models.StatusAhead, false, "", "2025-test-gwr", 2025, 0.5},
		{"2024 against the 2024 plan, closed", at(2025, 1, 31), 2024, "rural_sewage_stations_built", 60, 64, models.StatusMissed, true, models.ResultNotCompleted, "2024-tongzhou-gwr", 2024, 1},
		{"2024 growth met, closed", at(2025, 1, 31), 2024, "general_budget_revenue", 12e9, 9.411e9 * 1.04, models.StatusCompleted, true, models.ResultCompleted, "2024-tongzhou-gwr", 2024, 1},
		{"2026 has no plan", at(2026, 2, 1).Add(-time.Second), 0, "rural_sewage_stations_built", 4, math.NaN(), models.StatusNoTarget, false, "", "", 2026, 1.0 / 12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snap, err := e.RunAt(ctx, tc.asOf, tc.year)
			if err != nil {
				t.Fatal(err)
			}
			if float64(snap.Year) != tc.wantYear {
				t.Errorf("snapshot year %d, want %v", snap.Year, tc.wantYear)
			}
			p, ok := snap.Progress[tc.code]
			if !ok {
				t.Fatalf("no progress of %s", tc.code)
			}
			if !close(p.Actual, tc.actual) || !sameOrNaN(p.Target, tc.target) || p.Status != tc.status ||
				p.Final != tc.final || p.Result != tc.result || p.Plan.PlanID != tc.plan || !close(p.TimeProgress, tc.wantProgress) {
				t.Errorf("%s: actual %v target %v status %s final %v %q plan %q time %v;\nwant %v %v %s %v %q %q %v",
					tc.code, p.Actual, p.Target, p.Status, p.Final, p.Result, p.Plan.PlanID, p.TimeProgress,
					tc.actual, tc.target, tc.status, tc.final, tc.result, tc.plan, tc.wantProgress)
			}
		})
	}
}

func sameOrNaN(a, b float64) bool {
	if math.IsNaN(b) {
		return math.IsNaN(a)
	}
	return close(a, b)
}

func close(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

const fiveYearPlan = `id: 14th-fyp-test
name: 通州区“十四五”规划（测试）
issued: "2021-03-01"
targets:
  - {indicator: pm25_annual_mean, from: 2021, to: 2025, kind: reduction, value: 20, unit: "%", qualifier: at_least, text: 下降20%}
`

// TestFiveYearReductionMidSpan evaluates a 2021–2025 下降20% target in 2023
// on its stated base: the 2020 figure from stored data, three fifths of
// the way along a linear path (50 → 40: 44 in 2023), 序时进度 over the
// span 3/5 once the year is complete; a geometric path is stricter.
func TestFiveYearReductionMidSpan(t *testing.T) {
	var obs []models.Observation
	obs = append(obs, monthly("pm25_annual_mean", 2020, 1, repeat(50, 12)...)...)
	obs = append(obs, monthly("pm25_annual_mean", 2023, 1, repeat(43.8, 12)...)...)
	tests := []struct {
		plan   string
		target float64
		status models.Status
	}{
		{fiveYearPlan, 44, models.StatusMet},
		{fiveYearPlan[:len(fiveYearPlan)-2] + ", path: geometric}\n", 50 * math.Pow(0.8, 3.0/5), models.StatusMissed},
	}
	for _, tc := range tests {
		e := plansEngine(t, &memStore{obs: obs}, tc.plan)
		snap, err := e.RunAt(context.Background(), at(2024, 1, 1).Add(-time.Second), 2023)
		if err != nil {
			t.Fatal(err)
		}
		p := snap.Progress["pm25_annual_mean"]
		if p.SpanFrom != 2021 || p.SpanTo != 2025 || p.BaseYear != 2020 || !close(p.Base, 50) || !close(p.EndTarget, 40) {
			t.Errorf("span %d–%d base %d = %v end %v; want 2021–2025, 2020 = 50, end 40", p.SpanFrom, p.SpanTo, p.BaseYear, p.Base, p.EndTarget)
		}
		if !close(p.Target, tc.target) || p.Status != tc.status || p.TargetBasis != BasisReduction {
			t.Errorf("target %v (%s) status %s; want %v %s", p.Target, p.TargetBasis, p.Status, tc.target, tc.status)
		}
		if !close(p.SpanTimeProgress, 0.6) || !close(p.Change, 43.8/50-1) {
			t.Errorf("span time progress %v change %v; want 0.6, %v", p.SpanTimeProgress, p.Change, 43.8/50-1)
		}
	}
}

func TestConstantPriceIntensity(t *testing.T) {
	tests := []struct {
		name               string
		base, baseNum, num float64
		indices            []float64
		want               float64
	}{
		// Energy use up 10 %, real GDP up 5 % then 6 %: the intensity at
		// constant prices falls to 1.1/1.113 of the base.
		{"two years", 0.5, 1000, 1100, []float64{1.05, 1.06}, 0.5 * 1.1 / (1.05 * 1.06)},
		{"flat", 0.4, 1000, 1000, []float64{1}, 0.4},
		{"missing index", 0.5, 1000, 1100, []float64{1.05, math.NaN()}, math.NaN()},
		{"no base numerator", 0.5, 0, 1100, []float64{1.05}, math.NaN()},
		{"no years", 0.5, 1000, 1100, nil, math.NaN()},
	}
	for _, tc := range tests {
		got := ConstantPriceIntensity(tc.base, tc.baseNum, tc.num, tc.indices)
		if !sameOrNaN(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestReductionAtConstantPrices: an energy-intensity target of a
// five-year plan at constant prices is measured on energy use over the
// real GDP index, not on nominal GDP (which inflation would flatter).
func TestReductionAtConstantPrices(t *testing.T) {
	const plan = `id: energy-fyp-test
name: 能耗强度（测试）
issued: "2021-03-01"
targets:
  - {indicator: energy_intensity, from: 2021, to: 2025, kind: reduction, value: 15, unit: "%", qualifier: at_least, base_year: 2020, base_value: 0.5, constant_prices: true}
`
	var obs []models.Observation
	obs = append(obs, monthly("energy_consumption_total", 2020, 1, repeat(1000, 12)...)...)
	obs = append(obs, monthly("energy_consumption_total", 2022, 1, repeat(1020, 12)...)...)
	obs = append(obs, quarterly("gdp", 2022, 1, repeat(1e9, 4)...)...)
	for y, g := range map[int]float64{2021: 1.06, 2022: 1.04} {
		obs = append(obs, models.Observation{Time: at(y, 1, 1), Indicator: "gdp_index", Value: g, Provider: "test"})
	}
	e := plansEngine(t, &memStore{obs: obs}, plan)
	snap, err := e.RunAt(context.Background(), at(2023, 1, 1).Add(-time.Second), 2022)
	if err != nil {
		t.Fatal(err)
	}
	p := snap.Progress["energy_intensity"]
	want := 0.5 * (1020.0 / 1000) / (1.06 * 1.04)
	if !p.ConstantPrices || !close(p.Actual, want) {
		t.Fatalf("actual %v constant %v; want %v at constant prices", p.Actual, p.ConstantPrices, want)
	}
	pathTarget := 0.5 - 0.5*0.15*2/5
	if !close(p.Target, pathTarget) || p.Status != models.StatusMet {
		t.Errorf("target %v status %s; want %v achieved (actual %v)", p.Target, p.Status, pathTarget, p.Actual)
	}
}

// TestCutOffIsTheEngines: a year with half its data, seen long after its
// end, is closed by the engine's cut-off only — open (behind) under 60
// months, closed (未完成) under 3.
func TestCutOffIsTheEngines(t *testing.T) {
	obs := monthly("rural_sewage_stations_built", 2024, 1, repeat(2, 6)...)
	for _, tc := range []struct {
		months int
		status models.Status
		final  bool
	}{{60, models.StatusBehind, false}, {3, models.StatusMissed, true}} {
		e := plansEngine(t, &memStore{obs: obs})
		e.analysis.FinalAfterMonths = tc.months
		snap, err := e.RunAt(context.Background(), at(2026, 12, 3), 2024)
		if err != nil {
			t.Fatal(err)
		}
		p := snap.Progress["rural_sewage_stations_built"]
		if p.Status != tc.status || p.Final != tc.final {
			t.Errorf("final_after_months %d: status %s final %v, want %s %v", tc.months, p.Status, p.Final, tc.status, tc.final)
		}
	}
}
