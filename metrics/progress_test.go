package metrics

import (
	"math"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// at is a time in Asia/Shanghai.
func at(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, models.Shanghai)
}

// monthly returns observations of code stamped at the start of consecutive
// months from (y, m); NaN values are skipped (a missing month).
func monthly(code string, y int, m time.Month, values ...float64) []models.Observation {
	var out []models.Observation
	for i, v := range values {
		if math.IsNaN(v) {
			continue
		}
		out = append(out, models.Observation{Time: at(y, m+time.Month(i), 1), Indicator: code, Value: v, Provider: "test"})
	}
	return out
}

func quarterly(code string, y int, q int, values ...float64) []models.Observation {
	var out []models.Observation
	for i, v := range values {
		out = append(out, models.Observation{Time: at(y, time.Month((q-1+i)*3+1), 1), Indicator: code, Value: v, Provider: "test"})
	}
	return out
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func join(parts ...[]models.Observation) []models.Observation {
	var out []models.Observation
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var nan = math.NaN()

// catalogIndicator returns a catalogue indicator, so the examples below are
// the report's own figures.
func catalogIndicator(t *testing.T, code string) models.Indicator {
	t.Helper()
	cat, err := config.SeedCatalog()
	if err != nil {
		t.Fatal(err)
	}
	ind, ok := cat.Lookup(code)
	if !ok {
		t.Fatalf("catalogue has no %s", code)
	}
	return ind
}

func flowIndicator(target float64, q models.Qualifier, d models.Direction) models.Indicator {
	return models.Indicator{Code: "flow", Kind: models.KindFlow, Direction: d, Aggregation: models.AggregateSum,
		Frequency: models.FrequencyMonthly, Unit: "count",
		Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Value: target, Qualifier: q}}
}

// approx compares with a relative tolerance; NaN equals NaN.
func approx(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

type wantProgress struct {
	actual, target, completion, timeProgress, pace float64
	status                                         models.Status
}

func checkProgress(t *testing.T, got models.Progress, w wantProgress) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"Actual", got.Actual, w.actual}, {"Target", got.Target, w.target}, {"Completion", got.Completion, w.completion},
		{"TimeProgress", got.TimeProgress, w.timeProgress}, {"Pace", got.Pace, w.pace},
	} {
		if !approx(c.got, c.want) {
			t.Errorf("%s = %v; want %v", c.name, c.got, c.want)
		}
	}
	if got.Status != w.status {
		t.Errorf("Status = %s; want %s", got.Status, w.status)
	}
}

func TestProgressFlows(t *testing.T) {
	sewage := catalogIndicator(t, "rural_sewage_stations_built") // 64座 in 2024
	tests := []struct {
		name string
		ind  models.Indicator
		obs  []models.Observation
		asOf time.Time
		want wantProgress
	}{
		{"1–5月 25 of 64 against 5/12 is behind", sewage, monthly(sewage.Code, 2024, 1, repeat(5, 5)...), at(2024, 6, 15),
			wantProgress{25, 64, 25.0 / 64, 5.0 / 12, 25.0 / 64, models.StatusBehind}},
		{"1–5月 30 of 64 is ahead", sewage, monthly(sewage.Code, 2024, 1, repeat(6, 5)...), at(2024, 6, 15),
			wantProgress{30, 64, 30.0 / 64, 5.0 / 12, 30.0 / 64, models.StatusAhead}},
		{"64 by August is achieved", sewage, monthly(sewage.Code, 2024, 1, repeat(8, 8)...), at(2024, 9, 3),
			wantProgress{64, 64, 1, 8.0 / 12, 1, models.StatusCompleted}},
		{"year over with December in, short: missed", sewage, monthly(sewage.Code, 2024, 1, repeat(5, 12)...), at(2025, 1, 10),
			wantProgress{60, 64, 60.0 / 64, 1, 60.0 / 64, models.StatusMissed}},
		{"year over but December not reported yet: still judged by pace", sewage, monthly(sewage.Code, 2024, 1, repeat(6, 11)...), at(2025, 1, 10),
			wantProgress{66 - 0, 64, 66.0 / 64, 11.0 / 12, 66.0 / 64, models.StatusCompleted}},
		{"year over, 11 months short", sewage, monthly(sewage.Code, 2024, 1, repeat(5, 11)...), at(2025, 1, 10),
			wantProgress{55, 64, 55.0 / 64, 11.0 / 12, 55.0 / 64, models.StatusBehind}},
		{"missing March: sum of what came, progress to April", sewage, monthly(sewage.Code, 2024, 1, 10, 10, nan, 10), at(2024, 5, 10),
			wantProgress{30, 64, 30.0 / 64, 4.0 / 12, 30.0 / 64, models.StatusAhead}},
		{"data after as-of ignored", sewage, monthly(sewage.Code, 2024, 1, repeat(10, 8)...), at(2024, 2, 20),
			wantProgress{20, 64, 20.0 / 64, 2.0 / 12, 20.0 / 64, models.StatusAhead}},
		{"超 target needs strictly more", flowIndicator(100, models.QualifierMoreThan, models.DirectionHigher),
			monthly("flow", 2024, 1, repeat(10, 10)...), at(2024, 11, 5),
			wantProgress{100, 100, 1, 10.0 / 12, 1, models.StatusAhead}},
		{"超 target exceeded", flowIndicator(100, models.QualifierMoreThan, models.DirectionHigher),
			monthly("flow", 2024, 1, append(repeat(10, 9), 10.5)...), at(2024, 11, 5),
			wantProgress{100.5, 100, 1.005, 10.0 / 12, 1.005, models.StatusCompleted}},
		{"cap: 600 of 1200 used by June is on pace", flowIndicator(1200, models.QualifierAtMost, models.DirectionLower),
			monthly("flow", 2024, 1, repeat(100, 6)...), at(2024, 7, 9),
			wantProgress{600, 1200, 2, 0.5, 0.5, models.StatusAhead}},
		{"cap: 660 of 1200 by June is behind", flowIndicator(1200, models.QualifierAtMost, models.DirectionLower),
			monthly("flow", 2024, 1, repeat(110, 6)...), at(2024, 7, 9),
			wantProgress{660, 1200, 1200.0 / 660, 0.5, 0.55, models.StatusBehind}},
		{"cap exceeded mid-year is missed", flowIndicator(1200, models.QualifierAtMost, models.DirectionLower),
			monthly("flow", 2024, 1, repeat(250, 6)...), at(2024, 7, 9),
			wantProgress{1500, 1200, 0.8, 0.5, 1.25, models.StatusMissed}},
		{"cap kept through December is achieved", flowIndicator(1200, models.QualifierAtMost, models.DirectionLower),
			monthly("flow", 2024, 1, repeat(95, 12)...), at(2025, 1, 20),
			wantProgress{1140, 1200, 1200.0 / 1140, 1, 0.95, models.StatusCompleted}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ComputeProgress(tc.ind, tc.obs, 2024, tc.asOf)
			checkProgress(t, got, tc.want)
		})
	}
}

func TestProgressGrowthTargets(t *testing.T) {
	rev := catalogIndicator(t, "general_budget_revenue") // 2023 94.11亿, 2024 +4%
	tests := []struct {
		name      string
		obs       []models.Observation
		wantTgt   float64
		wantBasis string
		wantPrior float64
	}{
		{"prior year from history", monthly(rev.Code, 2023, 1, repeat(1e9, 12)...), 1.2e10 * 1.04, BasisGrowthHistory, 1.2e10},
		{"no history: catalogue baseline 94.11亿", nil, 9.411e9 * 1.04, BasisGrowthBaseline, nan},
		{"incomplete prior year (no December): baseline", monthly(rev.Code, 2023, 1, repeat(1e9, 11)...), 9.411e9 * 1.04, BasisGrowthBaseline, nan},
		{"prior year missing March: baseline", monthly(rev.Code, 2023, 1, append([]float64{1e9, 1e9, nan}, repeat(1e9, 9)...)...), 9.411e9 * 1.04, BasisGrowthBaseline, nan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obs := join(tc.obs, monthly(rev.Code, 2024, 1, repeat(0.9e9, 3)...))
			got := ComputeProgress(rev, obs, 2024, at(2024, 4, 12))
			if !approx(got.Target, tc.wantTgt) || got.TargetBasis != tc.wantBasis || !approx(got.PriorYear, tc.wantPrior) {
				t.Errorf("Target = %v (%s), PriorYear %v; want %v (%s), %v", got.Target, got.TargetBasis, got.PriorYear, tc.wantTgt, tc.wantBasis, tc.wantPrior)
			}
			if want := 2.7e9 / tc.wantTgt; !approx(got.Completion, want) {
				t.Errorf("Completion = %v; want %v", got.Completion, want)
			}
		})
	}
	t.Run("no history and no baseline: unresolved, not zero", func(t *testing.T) {
		ind := rev
		ind.Baseline = nil
		got := ComputeProgress(ind, monthly(rev.Code, 2024, 1, 1e9), 2024, at(2024, 2, 1))
		if !math.IsNaN(got.Target) || got.TargetBasis != BasisGrowthUnresolved || got.Status != models.StatusNoTarget {
			t.Errorf("got target %v (%s), status %s; want NaN, growth_unresolved, no_target", got.Target, got.TargetBasis, got.Status)
		}
	})
}

func TestProgressReverseLevelsAndRatios(t *testing.T) {
	pm25 := models.Indicator{Code: "pm25_annual_mean", Kind: models.KindLevel, Direction: models.DirectionLower,
		Aggregation: models.AggregateMean, Frequency: models.FrequencyMonthly, Unit: "ug/m3",
		Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Value: 32, Qualifier: models.QualifierAtMost}}
	unemployment := catalogIndicator(t, "urban_registered_unemployment_rate") // 5%以内
	coverage := catalogIndicator(t, "group_schooling_coverage")               // 超过65%, annual
	tests := []struct {
		name string
		ind  models.Indicator
		obs  []models.Observation
		asOf time.Time
		want wantProgress
		gap  float64
	}{
		{"PM2.5 YTD mean 31.67 within 32: 达标 (not 已完成), pace not applicable; gap on published values 31.7", pm25, monthly(pm25.Code, 2024, 1, 40, 30, 25), at(2024, 4, 5),
			wantProgress{95.0 / 3, 32, 32 / (95.0 / 3), 0.25, nan, models.StatusMet}, 0.3},
		{"PM2.5 YTD mean 35 over 32: 未达标 as of now", pm25, monthly(pm25.Code, 2024, 1, 40, 35, 30), at(2024, 4, 5),
			wantProgress{35, 32, 32.0 / 35, 0.25, nan, models.StatusNotMet}, -3},
		{"unemployment 3.9% within 5%", unemployment, monthly(unemployment.Code, 2024, 1, 0.041, 0.039), at(2024, 3, 1),
			wantProgress{0.039, 0.05, nan, 2.0 / 12, nan, models.StatusMet}, 0.011},
		{"unemployment exactly 5% meets 以内", unemployment, monthly(unemployment.Code, 2024, 1, 0.05), at(2024, 3, 1),
			wantProgress{0.05, 0.05, nan, 1.0 / 12, nan, models.StatusMet}, 0},
		{"超过65% is not met by 65%", coverage, []models.Observation{{Time: at(2024, 1, 1), Indicator: coverage.Code, Value: 0.65}}, at(2024, 12, 31),
			wantProgress{0.65, 0.65, nan, 1, nan, models.StatusMissed}, 0},
		{"超过65% is met by 66%", coverage, []models.Observation{{Time: at(2024, 1, 1), Indicator: coverage.Code, Value: 0.66}}, at(2024, 12, 31),
			wantProgress{0.66, 0.65, nan, 1, nan, models.StatusMet}, 0.01},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ComputeProgress(tc.ind, tc.obs, 2024, tc.asOf)
			checkProgress(t, got, tc.want)
			if !approx(got.Gap, tc.gap) {
				t.Errorf("Gap = %v; want %v", got.Gap, tc.gap)
			}
		})
	}
}

func TestProgressStocksAndCumulatives(t *testing.T) {
	canal := catalogIndicator(t, "canal_business_district_completed_area") // 470万 → 500万㎡
	tests := []struct {
		name      string
		obs       []models.Observation
		want      wantProgress
		yearStart float64
	}{
		{"470万 at 2023-12, 485万 in June: half the increase at half-time is ahead",
			join(monthly(canal.Code, 2023, 12, 4.7e6), monthly(canal.Code, 2024, 1, 4.72e6, 4.74e6, 4.76e6, 4.78e6, 4.8e6, 4.85e6)),
			wantProgress{4.85e6, 5e6, 0.5, 0.5, 0.5, models.StatusAhead}, 4.7e6},
		{"480万 in June is a third of the increase: behind, although 96% complete",
			join(monthly(canal.Code, 2023, 12, 4.7e6), monthly(canal.Code, 2024, 6, 4.8e6)),
			wantProgress{4.8e6, 5e6, 1.0 / 3, 0.5, 1.0 / 3, models.StatusBehind}, 4.7e6},
		{"no 2023 data: the exact baseline 470万 is the year start",
			monthly(canal.Code, 2024, 6, 4.85e6),
			wantProgress{4.85e6, 5e6, 0.5, 0.5, 0.5, models.StatusAhead}, 4.7e6},
		{"500万 reached", monthly(canal.Code, 2024, 9, 5.01e6),
			wantProgress{5.01e6, 5e6, 31.0 / 30, 0.75, 31.0 / 30, models.StatusCompleted}, 4.7e6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ComputeProgress(canal, tc.obs, 2024, at(2024, 10, 8))
			checkProgress(t, got, tc.want)
			if !approx(got.YearStart, tc.yearStart) || !approx(got.SinceYearStart, got.Actual-tc.yearStart) {
				t.Errorf("YearStart, SinceYearStart = %v, %v; want %v, %v", got.YearStart, got.SinceYearStart, tc.yearStart, got.Actual-tc.yearStart)
			}
		})
	}
}

func TestProgressMunicipalNoTargetNoData(t *testing.T) {
	intensity := catalogIndicator(t, "energy_intensity") // 完成市级下达的任务
	tests := []struct {
		name       string
		ind        models.Indicator
		obs        []models.Observation
		asOf       time.Time
		wantStatus models.Status
		wantActual float64
		wantTP     float64
		wantTarget float64
	}{
		{"municipal with data: actual shown, target never zero", intensity,
			[]models.Observation{{Time: at(2024, 1, 1), Indicator: intensity.Code, Value: 0.31}}, at(2024, 12, 31), models.StatusMunicipal, 0.31, 1, nan},
		{"municipal without data is still municipal", intensity, nil, at(2024, 3, 1), models.StatusMunicipal, nan, 61.0 / 366, nan},
		{"no target", catalogIndicator(t, "green_credit_balance"), quarterly("green_credit_balance", 2024, 1, 3.2e10), at(2024, 5, 1), models.StatusNoTarget, 3.2e10, 3.0 / 12, nan},
		{"no data: 序时 by date, 2024-03-01 is day 61 of 366", catalogIndicator(t, "preschool_places_added"), nil, at(2024, 3, 1), models.StatusNoData, nan, 61.0 / 366, 1080},
		{"target of another year: none in 2023, day 60 of 365", catalogIndicator(t, "preschool_places_added"), nil, at(2023, 3, 1), models.StatusNoData, nan, 60.0 / 365, nan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			year := tc.asOf.Year()
			got := ComputeProgress(tc.ind, tc.obs, year, tc.asOf)
			if got.Status != tc.wantStatus || !approx(got.Actual, tc.wantActual) || !approx(got.TimeProgress, tc.wantTP) {
				t.Errorf("got status %s, actual %v, time progress %v; want %s, %v, %v", got.Status, got.Actual, got.TimeProgress, tc.wantStatus, tc.wantActual, tc.wantTP)
			}
			if !approx(got.Target, tc.wantTarget) || !math.IsNaN(got.Completion) {
				t.Errorf("Target, Completion = %v, %v; want %v, NaN", got.Target, got.Completion, tc.wantTarget)
			}
		})
	}
}

func TestProgressPeriodChanges(t *testing.T) {
	flow := flowIndicator(1000, models.QualifierExact, models.DirectionHigher)
	ratio := models.Indicator{Code: "share", Kind: models.KindRatio, Direction: models.DirectionHigher, Aggregation: models.AggregateLast, Frequency: models.FrequencyMonthly, Unit: "ratio"}
	balance := catalogIndicator(t, "green_credit_balance")
	tests := []struct {
		name           string
		ind            models.Indicator
		obs            []models.Observation
		asOf           time.Time
		period         time.Time
		value          float64
		mom, yoy, ytd  float64
		changeInPoints bool
	}{
		{"January against December (year boundary)", flow,
			join(monthly("flow", 2023, 1, repeat(40, 12)...), monthly("flow", 2024, 1, 60)), at(2024, 1, 20),
			at(2024, 1, 1), 60, 0.5, 0.5, 0.5, false},
		{"missing adjacent month gives NaN 环比", flow,
			join(monthly("flow", 2023, 5, 50), monthly("flow", 2024, 3, 30, nan, 55)), at(2024, 6, 1),
			at(2024, 5, 1), 55, nan, 0.1, 0.7, false},
		{"ratio changes are differences (个百分点)", ratio,
			join(monthly("share", 2023, 12, 0.45), monthly("share", 2024, 1, 0.5)), at(2024, 2, 2),
			at(2024, 1, 1), 0.5, 0.05, nan, nan, true},
		{"quarterly stock: Q2 against Q1 and Q2 2023", balance,
			join(quarterly(balance.Code, 2023, 2, 2.5e10, 2.8e10, 3.0e10), quarterly(balance.Code, 2024, 1, 3.2e10, 3.3e10)), at(2024, 7, 15),
			at(2024, 4, 1), 3.3e10, 0.03125, 0.32, 0.32, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ComputeProgress(tc.ind, tc.obs, 2024, tc.asOf)
			if !got.PeriodStart.Equal(tc.period) || !approx(got.PeriodValue, tc.value) {
				t.Errorf("period %s value %v; want %s %v", got.PeriodStart, got.PeriodValue, tc.period, tc.value)
			}
			if !approx(got.MoM, tc.mom) || !approx(got.YoY, tc.yoy) || !approx(got.YTDYoY, tc.ytd) {
				t.Errorf("MoM, YoY, YTDYoY = %v, %v, %v; want %v, %v, %v", got.MoM, got.YoY, got.YTDYoY, tc.mom, tc.yoy, tc.ytd)
			}
			if got.ChangeInPoints != tc.changeInPoints {
				t.Errorf("ChangeInPoints = %v; want %v", got.ChangeInPoints, tc.changeInPoints)
			}
		})
	}
}

func TestProgressDailyLeapYear(t *testing.T) {
	ind := flowIndicator(366, models.QualifierExact, models.DirectionHigher)
	ind.Frequency = models.FrequencyDaily
	daily := func(y int, days int) []models.Observation {
		var out []models.Observation
		for d := 0; d < days; d++ {
			out = append(out, models.Observation{Time: at(y, 1, 1+d), Indicator: "flow", Value: 1})
		}
		return out
	}
	tests := []struct {
		name   string
		year   int
		days   int
		wantTP float64
	}{
		{"2024 through 29 Feb is 60/366", 2024, 60, 60.0 / 366},
		{"2023 through 28 Feb is 59/365", 2023, 59, 59.0 / 365},
		{"2024 complete is 1", 2024, 366, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := ind
			i.Target.Year = tc.year
			got := ComputeProgress(i, daily(tc.year, tc.days), tc.year, at(tc.year+1, 1, 15))
			if !approx(got.TimeProgress, tc.wantTP) || !approx(got.Actual, float64(tc.days)) {
				t.Errorf("TimeProgress %v, Actual %v; want %v, %d", got.TimeProgress, got.Actual, tc.wantTP, tc.days)
			}
		})
	}
}

func TestDistrictSeriesScope(t *testing.T) {
	flow := models.Indicator{Code: "co2", Kind: models.KindFlow, Aggregation: models.AggregateSum, Frequency: models.FrequencyMonthly}
	regional := flow
	regional.Entity = "region"
	level := models.Indicator{Code: "nh3n", Kind: models.KindLevel, Aggregation: models.AggregateMean, Frequency: models.FrequencyMonthly, Entity: "section"}
	class := models.Indicator{Code: "water_class", Kind: models.KindClass, Aggregation: models.AggregateLast, Frequency: models.FrequencyMonthly, Entity: "section"}
	pm := models.Indicator{Code: "pm25", Kind: models.KindLevel, Aggregation: models.AggregateMean, Frequency: models.FrequencyHourly, Entity: "station"}
	jan := at(2024, 1, 1)
	o := func(entity, provider string, v float64) models.Observation {
		return models.Observation{Time: jan, Indicator: "x", Entity: entity, Provider: provider, Value: v}
	}
	sc := Scope{Scope: config.Default().Scope, Sections: []string{"a", "b", "c"}}
	sc.Stations = []string{"永顺"}
	tests := []struct {
		name string
		ind  models.Indicator
		obs  []models.Observation
		want float64 // NaN: no district figure
		demo bool
	}{
		{"the district's own figure, other entities ignored", flow, []models.Observation{o("", "s", 10), o("a", "s", 1), o("b", "s", 2)}, 10, false},
		{"an alias of the district stands for it", flow, []models.Observation{o("通州区", "s", 7), o("北京", "s", 70)}, 7, false},
		{"the figure without entity wins over an alias", flow, []models.Observation{o("通州", "s", 7), o("", "s", 8)}, 8, false},
		{"regions are never summed", regional, []models.Observation{o("China", "ceads", 100), o("Beijing", "ceads", 2), o("Hebei", "ceads", 8)}, nan, false},
		{"the region named as the district", regional, []models.Observation{o("China", "ceads", 100), o("Tongzhou", "ceads", 1)}, 1, false},
		{"configured sections average for a level", level, []models.Observation{o("a", "s", 0.4), o("b", "s", 0.8), o("z", "s", 9)}, 0.6, false},
		{"the worst configured class", class, []models.Observation{o("a", "s", 3), o("b", "s", 5), o("c", "demo", 2), o("z", "s", 6)}, 5, true},
		{"configured stations only", pm, []models.Observation{o("永顺", "s", 30), o("天坛", "s", 90)}, 30, false},
		{"NaN dropped", level, []models.Observation{o("a", "s", nan), o("b", "s", 2)}, 2, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := DistrictSeries(tc.ind, tc.obs, sc)
			if math.IsNaN(tc.want) {
				if !got.Empty() {
					t.Errorf("DistrictSeries = %+v; want none", got.Periods)
				}
				return
			}
			if len(got.Points) != 1 || !approx(got.Points[0].Value, tc.want) || got.Points[0].Demo != tc.demo {
				t.Errorf("DistrictSeries = %+v; want one point %v (demo %v)", got.Points, tc.want, tc.demo)
			}
		})
	}
	if got := DistrictSeries(pm, []models.Observation{o("永顺", "s", 30)}, Scope{}); !got.Empty() {
		t.Errorf("without configured stations the district has a station figure: %+v", got.Points)
	}
}

// TestProgressDemo: progress resting on demo data says so; once real data
// supersede the demo's figures, it does not.
func TestProgressDemo(t *testing.T) {
	flow := flowIndicator(100, models.QualifierExact, models.DirectionHigher)
	demo := monthly("flow", 2024, 1, 10, 20, 30)
	for i := range demo {
		demo[i].Provider = models.ProviderDemo
	}
	if p := ComputeProgress(flow, demo, 2024, at(2024, 3, 31)); !p.Demo {
		t.Error("progress on demo figures is not marked demo")
	}
	real := monthly("flow", 2024, 1, 10, 20, 30)
	if p := ComputeProgress(flow, real, 2024, at(2024, 3, 31)); p.Demo {
		t.Error("progress on real figures is marked demo")
	}
	mixed := join(monthly("flow", 2024, 1, 10, 20), demo[2:])
	if p := ComputeProgress(flow, mixed, 2024, at(2024, 3, 31)); !p.Demo || p.Actual != 60 {
		t.Errorf("progress with a demo March = %+v; want demo, actual 60", p)
	}
}
