package report

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
)

func at(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, models.Shanghai)
}

func fp(v float64) *float64 { return &v }

// fixtureIndicators is a fixed slice of the catalogue: flows with and
// without targets, a stock, a level, shares, a municipal target, a
// per-country reference series, per-station air data and a per-section
// water parameter (which the tables must leave to the water section).
func fixtureIndicators() []models.Indicator {
	return []models.Indicator{
		{Code: "carbon_eval_pilot_co2_reduction", NameZh: "用能和碳排放综合评价试点核减二氧化碳排放", NameEn: "CO2 cut by the evaluation pilot",
			Domain: models.DomainCarbon, Unit: "tCO2", DisplayUnit: "吨二氧化碳", Kind: models.KindFlow, Direction: models.DirectionHigher,
			Aggregation: models.AggregateSum, Frequency: models.FrequencyMonthly, Min: fp(0)},
		{Code: "energy_intensity", NameZh: "能耗强度（万元地区生产总值能耗）", NameEn: "Energy intensity",
			Domain: models.DomainEnergy, Unit: "tce/10^4CNY", DisplayUnit: "吨标准煤/万元", Kind: models.KindLevel, Direction: models.DirectionLower,
			Aggregation: models.AggregateLast, Frequency: models.FrequencyAnnual,
			Target: &models.Target{Year: 2024, Kind: models.TargetMunicipal, Qualifier: models.QualifierMunicipal, Text: "完成市级下达的任务"}},
		{Code: "green_credit_balance", NameZh: "绿色信贷余额", NameEn: "Green credit balance",
			Domain: models.DomainGreenFinance, Unit: "CNY", DisplayUnit: "亿元", Kind: models.KindStock, Direction: models.DirectionHigher,
			Aggregation: models.AggregateLast, Frequency: models.FrequencyQuarterly},
		{Code: "green_loan_balance", NameZh: "全国本外币绿色贷款余额", NameEn: "National green loan balance",
			Domain: models.DomainGreenFinance, Unit: "CNY", DisplayUnit: "万亿元", Kind: models.KindStock, Direction: models.DirectionHigher,
			Aggregation: models.AggregateLast, Frequency: models.FrequencyQuarterly, Entity: "country"},
		{Code: "rural_sewage_stations_built", NameZh: "农村污水处理站建设", NameEn: "Rural sewage stations built",
			Domain: models.DomainWater, Unit: "count", DisplayUnit: "座", Kind: models.KindFlow, Direction: models.DirectionHigher,
			Aggregation: models.AggregateSum, Frequency: models.FrequencyMonthly,
			Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Value: 64, Qualifier: models.QualifierExact, Text: "64座"}},
		{Code: "water_good_ratio", NameZh: "考核断面优良水体比例", NameEn: "Share of good sections",
			Domain: models.DomainWater, Unit: "ratio", DisplayUnit: "%", Kind: models.KindRatio, Direction: models.DirectionHigher,
			Aggregation: models.AggregateLast, Frequency: models.FrequencyMonthly},
		{Code: "ph", NameZh: "pH值", NameEn: "pH", Domain: models.DomainWater, Unit: "pH", DisplayUnit: "pH", Kind: models.KindLevel,
			Direction: models.DirectionLower, Aggregation: models.AggregateMean, Frequency: models.FrequencyHourly, Entity: "section"},
		{Code: "pm25_annual_mean", NameZh: "PM2.5年均浓度", NameEn: "PM2.5 annual mean",
			Domain: models.DomainAir, Unit: "ug/m3", DisplayUnit: "微克/立方米", Kind: models.KindLevel, Direction: models.DirectionLower,
			Aggregation: models.AggregateMean, Frequency: models.FrequencyMonthly,
			Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Value: 33, Qualifier: models.QualifierAtMost, Text: "33微克/立方米以内"}},
		{Code: "pm25", NameZh: "细颗粒物(PM2.5)浓度", NameEn: "PM2.5", Domain: models.DomainAir, Unit: "ug/m3", DisplayUnit: "微克/立方米",
			Kind: models.KindLevel, Direction: models.DirectionLower, Aggregation: models.AggregateMean, Frequency: models.FrequencyHourly, Entity: "station"},
		{Code: "prefab_building_started_area", NameZh: "新开工装配式建筑面积", NameEn: "Prefabricated floor area started",
			Domain: models.DomainBuilding, Unit: "m2", DisplayUnit: "万平方米", Kind: models.KindFlow, Direction: models.DirectionHigher,
			Aggregation: models.AggregateSum, Frequency: models.FrequencyMonthly,
			Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Value: 1_300_000, Qualifier: models.QualifierAtLeast, Text: "130万平方米以上"}},
		{Code: "electric_bus_taxi_added", NameZh: "新增、更新电动公交车出租车", NameEn: "Electric buses and taxis added",
			Domain: models.DomainTransport, Unit: "count", DisplayUnit: "辆", Kind: models.KindFlow, Direction: models.DirectionHigher,
			Aggregation: models.AggregateSum, Frequency: models.FrequencyMonthly,
			Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Value: 300, Qualifier: models.QualifierExact, Text: "300辆"}},
		{Code: "urban_registered_unemployment_rate", NameZh: "城镇登记失业率", NameEn: "Urban registered unemployment rate",
			Domain: models.DomainSocial, Unit: "ratio", DisplayUnit: "%", Kind: models.KindRatio, Direction: models.DirectionLower,
			Aggregation: models.AggregateLast, Frequency: models.FrequencyMonthly,
			Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Value: 0.05, Qualifier: models.QualifierAtMost, Text: "5%以内"}},
		{Code: "old_residential_renovation", NameZh: "老旧小区改造", NameEn: "Old residential compounds renovated",
			Domain: models.DomainUrban, Unit: "count", DisplayUnit: "个", Kind: models.KindFlow, Direction: models.DirectionHigher,
			Aggregation: models.AggregateSum, Frequency: models.FrequencyMonthly,
			Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Value: 10, Qualifier: models.QualifierExact, Text: "10个"}},
		{Code: "basic_farmland_area", NameZh: "基本农田面积", NameEn: "Basic farmland", Domain: models.DomainEcology, Unit: "m2",
			DisplayUnit: "万亩", Kind: models.KindStock, Direction: models.DirectionHigher, Aggregation: models.AggregateLast,
			Frequency: models.FrequencyAnnual},
	}
}

// airAnnual is one of the engine's derived annual air statistics.
func airAnnual(code, nameZh, nameEn, display string) models.Indicator {
	return models.Indicator{Code: code, NameZh: nameZh, NameEn: nameEn, Domain: models.DomainAir, Unit: "ug/m3", DisplayUnit: display,
		Kind: models.KindLevel, Direction: models.DirectionLower, Aggregation: models.AggregateLast, Frequency: models.FrequencyAnnual}
}

// fixtureAirAnnual are the year-to-date statistics of 2024 in µg/m³, on
// the rounding boundaries: PM2.5 32.04 is reported 32.0, PM10 70.5 rounds
// half to even to 70 (meets 70), CO 1250 µg/m³ is 1.2 mg/m³, and O₃ 175
// misses 160.
var fixtureAirAnnual = map[string]float64{
	"pm25_year_mean": 32.04, "pm10_year_mean": 70.5, "so2_year_mean": 5, "no2_year_mean": 31,
	"co_year_p95": 1250, "o3_8h_year_p90": 175,
}

// fixtureHistory is 2022-01 to 2024-05 of fixed, formula-made values, so
// every expected number can be worked out by hand. The electric-vehicle
// series stops after March 2024 (stale in May) and the farmland series
// has no data at all.
func fixtureHistory() []models.Observation {
	var h []models.Observation
	add := func(code, entity string, t time.Time, v float64) {
		h = append(h, models.Observation{Time: t, Indicator: code, Entity: entity, Value: v, Provider: "bureau"})
	}
	for y := 2022; y <= 2024; y++ {
		for m := time.January; m <= time.December; m++ {
			if y == 2024 && m > time.May {
				break
			}
			t := at(y, m, 1, 0)
			k := float64(y - 2022)
			add("carbon_eval_pilot_co2_reduction", "", t, 400+10*float64(m)+50*k)
			add("rural_sewage_stations_built", "", t, float64(2+int(m)%3))
			add("water_good_ratio", "", t, 0.5+0.025*float64(int(m)%4)+0.05*k)
			add("pm25_annual_mean", "", t, 40-2*k+float64(int(m)%5))
			add("prefab_building_started_area", "", t, 100_000+5_000*float64(m)+10_000*k)
			if !(y == 2024 && m > time.March) {
				add("electric_bus_taxi_added", "", t, 20+float64(m))
			}
			add("urban_registered_unemployment_rate", "", t, 0.045+0.001*float64(int(m)%3)-0.002*k)
			add("old_residential_renovation", "", t, float64(int(m)%2))
			if m%3 == 1 {
				add("green_credit_balance", "", t, 2.5e10+1e9*float64(m/3)+4e9*k)
				add("green_loan_balance", "country", t, 2.2e13+1e12*float64(m/3)+4e12*k)
			}
			add("ph", "s1", t, 7.5)
		}
	}
	// Two air stations, four readings a day in January and May 2024; the
	// second station stops on 2024-05-10 (stale at the end of May).
	for _, m := range []time.Month{time.January, time.May} {
		days := time.Date(2024, m+1, 0, 0, 0, 0, 0, models.Shanghai).Day()
		for d := 1; d <= days; d++ {
			for hr := 0; hr < 24; hr += 6 {
				add("pm25", "永顺", at(2024, m, d, hr), 30+float64(d%7)+float64(hr)/6)
				if m == time.January || d <= 10 {
					add("pm25", "宋庄", at(2024, m, d, hr), 36+float64(d%5))
				}
			}
		}
	}
	return h
}

// fixtureSnapshot is what the analysis engine would publish at the end of
// month m for the fixture: progress with hand-set completion and status, a
// trend, a forecast, four water sections, and the period series of the
// fixture's history as the engine builds them (metrics.DistrictSeries and
// metrics.EntitySeries), through May 2024 whatever m: the report cuts
// them at the end of its month.
func fixtureSnapshot(m Month) *metrics.Snapshot {
	paceless := map[string]bool{"urban_registered_unemployment_rate": true, "pm25_annual_mean": true}
	end := m.End()
	nan := math.NaN()
	prog := func(code string, actual, target, completion float64, st models.Status) models.Progress {
		p := models.Progress{Indicator: code, Year: m.Year, AsOf: end, Actual: actual, Target: target,
			Completion: completion, TimeProgress: float64(m.Index()) / 12, Status: st, Pace: nan,
			YTDYoY: nan, SinceYearStart: nan, MoM: nan, YoY: nan}
		if !paceless[code] && !math.IsNaN(completion) {
			// A flow's status is its pace against 序时进度; levels and
			// ratios compare their value with the target.
			p.Pace = completion
		}
		return p
	}
	rate := func(p models.Progress, points float64) models.Progress {
		// A rate target (5%以内): reported in 个百分点, no 完成率.
		p.RateTarget, p.Ceiling, p.Points = true, true, points
		return p
	}
	n := float64(m.Index())
	carbon := 0.0
	sewage, prefab, buses, reno := 0.0, 0.0, 0.0, 0.0
	for i := 1; i <= m.Index(); i++ {
		carbon += 400 + 10*float64(i) + 100
		sewage += float64(2 + i%3)
		prefab += 100_000 + 5_000*float64(i) + 20_000
		if i <= 3 {
			buses += 20 + float64(i)
		}
		reno += float64(i % 2)
	}
	snap := &metrics.Snapshot{
		GeneratedAt: end, Year: m.Year, Indicators: fixtureIndicators(),
		Progress: map[string]models.Progress{
			"carbon_eval_pilot_co2_reduction":    prog("carbon_eval_pilot_co2_reduction", carbon, nan, nan, models.StatusNoTarget),
			"energy_intensity":                   prog("energy_intensity", nan, nan, nan, models.StatusMunicipal),
			"rural_sewage_stations_built":        prog("rural_sewage_stations_built", sewage, 64, sewage/64, statusFor(sewage/64, n/12)),
			"prefab_building_started_area":       prog("prefab_building_started_area", prefab, 1_300_000, prefab/1_300_000, statusFor(prefab/1_300_000, n/12)),
			"electric_bus_taxi_added":            prog("electric_bus_taxi_added", buses, 300, buses/300, statusFor(buses/300, n/12)),
			"urban_registered_unemployment_rate": rate(prog("urban_registered_unemployment_rate", 0.042, 0.05, nan, models.StatusMet), -0.008),
			"pm25_annual_mean":                   prog("pm25_annual_mean", 38+0.2*n, 33, 33/(38+0.2*n), models.StatusNotMet),
			"old_residential_renovation":         prog("old_residential_renovation", reno, 10, reno/10, statusFor(reno/10, n/12)),
		},
		Forecasts: map[string]models.Forecast{
			"prefab_building_started_area": {Indicator: "prefab_building_started_area", Year: m.Year, AsOf: end,
				Projected: 1_880_000, Lower: 1_700_000, Upper: 2_050_000, Level: 0.9, ProjectedCompletion: 1.446, ProbabilityMeet: 0.97, Method: "seasonal-sen"},
			"rural_sewage_stations_built": {Indicator: "rural_sewage_stations_built", Year: m.Year, AsOf: end,
				Projected: 36, Lower: 30, Upper: 42, Level: 0.9, ProjectedCompletion: 0.5625, ProbabilityMeet: 0.02, Method: "linear"},
		},
		Trends: []models.TrendSummary{
			{Indicator: "carbon_eval_pilot_co2_reduction", Method: "seasonal Mann-Kendall", Direction: "increasing", P: 0.0012, SlopePerYear: 600, N: 24 + m.Index()},
			{Indicator: "pm25_annual_mean", Method: "Mann-Kendall", Direction: "decreasing", P: 0.21, SlopePerYear: -1.9, N: 24 + m.Index()},
		},
		Latest: []models.Observation{{Time: at(2024, time.March, 1, 0), Indicator: "electric_bus_taxi_added", Value: 23}},
		Water: metrics.WaterStanding{
			From: time.Date(m.Year, time.January, 1, 0, 0, 0, 0, models.Shanghai), To: end,
			Sections: []metrics.SectionStanding{
				{Name: "榆林庄", WaterBody: "北运河", Class: 4, ClassName: "Ⅳ类", TargetClass: 4, Attained: true, Samples: m.Index(), LastSample: at(m.Year, m.Month, 5, 10)},
				{Name: "王家摆", WaterBody: "北运河", Class: 3, ClassName: "Ⅲ类", TargetClass: 4, Attained: true, Samples: m.Index(), LastSample: at(m.Year, m.Month, 5, 10)},
				{Name: "凤港减河入境", WaterBody: "凤港减河", Class: 6, ClassName: "劣Ⅴ类", TargetClass: 5, Attained: false,
					MainPollutants: []string{"氨氮", "总磷"}, Samples: m.Index(), LastSample: at(m.Year, m.Month, 6, 10)},
				{Name: "港沟河出境", WaterBody: "港沟河", Class: 2, ClassName: "Ⅱ类", TargetClass: 0, Samples: 2, LastSample: m.Add(-3).Start()},
			},
			District: metrics.DistrictStanding{Sections: 4, IVOrBetter: 3, IIIOrBetter: 2, GoodRatio: 0.5, InferiorVRatio: 0.25, AttainmentRatio: 2.0 / 3},
		},
	}
	snap.Series, snap.EntitySeries = fixtureSeries(fixtureHistory())
	return snap
}

// fixtureSeries are the snapshot's series of a history: the district's of
// district-wide indicators, per entity for per-station and per-country
// ones.
func fixtureSeries(h []models.Observation) (map[string]models.Series, map[string]map[string]models.Series) {
	byCode := map[string][]models.Observation{}
	for _, o := range h {
		byCode[o.Indicator] = append(byCode[o.Indicator], o)
	}
	district, entities := map[string]models.Series{}, map[string]map[string]models.Series{}
	for _, ind := range fixtureIndicators() {
		if s := metrics.DistrictSeries(ind, byCode[ind.Code], metrics.Scope{}); !s.Empty() {
			district[ind.Code] = s
		}
		if ind.Entity != "" && ind.Entity != "section" {
			byEntity := metrics.EntitySeries(ind, byCode[ind.Code])
			for e, s := range byEntity {
				byEntity[e] = s.PeriodsOnly()
			}
			entities[ind.Code] = byEntity
		}
	}
	return district, entities
}

func statusFor(completion, timeProgress float64) models.Status {
	switch {
	case completion >= 1:
		return models.StatusCompleted
	case completion >= timeProgress:
		return models.StatusAhead
	}
	return models.StatusBehind
}

// fixtureRejects writes a rejection log with rows in January and May 2024.
func fixtureRejects(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	log, err := rejectlog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	entries := []rejectlog.Entry{
		{Time: at(2024, time.January, 8, 9), Source: "drop:energy_2024-01.csv", Row: 12, Field: "value", Rule: "out_of_range", Message: "value -3 below the indicator minimum 0"},
		{Time: at(2024, time.January, 8, 9), Source: "drop:energy_2024-01.csv", Row: 13, Field: "indicator", Rule: "unknown_indicator", Message: `unknown indicator "co2_reductoin"`},
		{Time: at(2024, time.January, 20, 14), Source: "api:bureau", Row: 2, Field: "time", Rule: "bad_time", Message: `"2024-13" not in an accepted form`},
		{Time: at(2024, time.May, 3, 9), Source: "drop:cnemc_water_2024-05.csv", Row: 40, Field: "status", Rule: "status_not_accepted", Message: "CNEMC status 维护, not 正常"},
		{Time: at(2024, time.May, 3, 9), Source: "drop:cnemc_water_2024-05.csv", Row: 41, Field: "status", Rule: "status_not_accepted", Message: "CNEMC status 维护, not 正常"},
		{Time: at(2024, time.May, 21, 16), Source: "api:bureau", Row: 7, Field: "value", Rule: "out_of_range", Message: "value 1.7 above the indicator maximum 1"},
	}
	if err := log.Append(entries...); err != nil {
		t.Fatal(err)
	}
	return dir
}

// fixtureAirIndicators are the district's derived air figures
// (metrics/engine_air.go): the demo-like fixture adds them to the fixture.
func fixtureAirIndicators() []models.Indicator {
	return []models.Indicator{
		{Code: "good_days", NameZh: "优良天数", NameEn: "Good days", Domain: models.DomainAir, Unit: "count", DisplayUnit: "天",
			Kind: models.KindLevel, Direction: models.DirectionHigher, Aggregation: models.AggregateLast, Frequency: models.FrequencyDaily},
		{Code: "good_days_ratio", NameZh: "优良天数比例", NameEn: "Share of good days", Domain: models.DomainAir, Unit: "ratio", DisplayUnit: "%",
			Kind: models.KindRatio, Direction: models.DirectionHigher, Aggregation: models.AggregateLast, Frequency: models.FrequencyDaily},
		{Code: "heavy_pollution_days", NameZh: "重污染天数", NameEn: "Heavy-pollution days", Domain: models.DomainAir, Unit: "count", DisplayUnit: "天",
			Kind: models.KindLevel, Direction: models.DirectionLower, Aggregation: models.AggregateLast, Frequency: models.FrequencyDaily},
		airAnnual("pm25_year_mean", "PM2.5年均浓度(站点计算)", "PM2.5 annual mean from station data", "微克/立方米"),
		airAnnual("pm10_year_mean", "PM10年均浓度(站点计算)", "PM10 annual mean from station data", "微克/立方米"),
		airAnnual("so2_year_mean", "二氧化硫年均浓度(站点计算)", "SO2 annual mean from station data", "微克/立方米"),
		airAnnual("no2_year_mean", "二氧化氮年均浓度(站点计算)", "NO2 annual mean from station data", "微克/立方米"),
		airAnnual("co_year_p95", "一氧化碳日均值第95百分位数", "CO 95th percentile of daily means", "毫克/立方米"),
		airAnnual("o3_8h_year_p90", "臭氧日最大8小时平均第90百分位数", "O3 daily max 8-hour mean, 90th percentile", "微克/立方米"),
	}
}

// fixtureAirHistory is 2024's derived air figures through May.
func fixtureAirHistory() []models.Observation {
	var h []models.Observation
	add := func(code, entity string, t time.Time, v float64) {
		h = append(h, models.Observation{Time: t, Indicator: code, Entity: entity, Value: v, Provider: "derived"})
	}
	// The district's derived air figures of 2024, year to date through each
	// day: every fourth day not good, the 15th of January and February
	// heavily polluted.
	good, heavy, valid := 0, 0, 0
	for d := at(2024, time.January, 1, 0); d.Before(at(2024, time.June, 1, 0)); d = d.AddDate(0, 0, 1) {
		valid++
		if d.YearDay()%4 != 0 {
			good++
		}
		if d.Day() == 15 && d.Month() <= time.February {
			heavy++
		}
		add("good_days", "", d, float64(good))
		add("heavy_pollution_days", "", d, float64(heavy))
		add("good_days_ratio", "", d, float64(good)/float64(valid))
	}
	for code, v := range fixtureAirAnnual {
		add(code, "", at(2024, time.January, 1, 0), v)
	}
	return h
}

// buildDemoLikeFixture builds the report of month m from the fixture plus
// the district's derived air figures, as the demo's data give them: the
// report the browser test renders and the Markdown golden file holds.
func buildDemoLikeFixture(t *testing.T, m Month, lang Lang) *Report {
	t.Helper()
	snap := fixtureSnapshot(m)
	snap.Indicators = append(snap.Indicators, fixtureAirIndicators()...)
	byCode := map[string][]models.Observation{}
	for _, o := range fixtureAirHistory() {
		byCode[o.Indicator] = append(byCode[o.Indicator], o)
	}
	for _, ind := range fixtureAirIndicators() {
		snap.Series[ind.Code] = metrics.DistrictSeries(ind, byCode[ind.Code], metrics.Scope{})
	}
	// The work report's budget revenue (+4% on 2023's 94.11亿元, whose 2024
	// figure has not come in) and the investment target written in words.
	nan := math.NaN()
	budget := models.Indicator{Code: "general_budget_revenue", NameZh: "一般公共预算收入", NameEn: "General public budget revenue",
		Domain: models.DomainEconomy, Unit: "CNY", DisplayUnit: "亿元", Kind: models.KindFlow, Direction: models.DirectionHigher,
		Aggregation: models.AggregateSum, Frequency: models.FrequencyAnnual,
		Target: &models.Target{Year: 2024, Kind: models.TargetGrowth, Value: 0.04, Qualifier: models.QualifierExact, Text: "4%"}}
	invest := models.Indicator{Code: "fixed_asset_investment", NameZh: "固定资产投资", NameEn: "Fixed-asset investment",
		Domain: models.DomainEconomy, Unit: "CNY", DisplayUnit: "亿元", Kind: models.KindFlow, Direction: models.DirectionHigher,
		Aggregation: models.AggregateSum, Frequency: models.FrequencyMonthly,
		Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Value: 1e11, Qualifier: models.QualifierExact, Text: "千亿元"}}
	snap.Indicators = append(snap.Indicators, budget, invest)
	snap.Series[budget.Code] = metrics.DistrictSeries(budget, []models.Observation{
		{Time: at(2023, time.January, 1, 0), Indicator: budget.Code, Value: 9.411e9, Provider: "bureau"}}, metrics.Scope{})
	var inv []models.Observation
	for mo := time.January; mo <= m.Month; mo++ {
		inv = append(inv, models.Observation{Time: at(2024, mo, 1, 0), Indicator: invest.Code, Value: 8e9, Provider: "bureau"})
	}
	snap.Series[invest.Code] = metrics.DistrictSeries(invest, inv, metrics.Scope{})
	n := float64(m.Index())
	snap.Progress[budget.Code] = models.Progress{Indicator: budget.Code, Year: 2024, AsOf: m.End(), Actual: nan, Target: 9.411e9 * 1.04,
		Completion: nan, TimeProgress: n / 12, Pace: nan, Status: models.StatusNoData, YTDYoY: nan, SinceYearStart: nan}
	snap.Progress[invest.Code] = models.Progress{Indicator: invest.Code, Year: 2024, AsOf: m.End(), Actual: 8e9 * n, Target: 1e11,
		Completion: 8e9 * n / 1e11, TimeProgress: n / 12, Pace: 8e9 * n / 1e11, Status: statusFor(8e9*n/1e11, n/12), YTDYoY: nan, SinceYearStart: nan}
	snap.Trends = append(snap.Trends, models.TrendSummary{Indicator: "water_good_ratio", Method: "Mann-Kendall",
		Direction: "no trend", P: 0.08, SlopePerYear: 0, N: 8, Spearman22: "increasing", Rs: 0.714, Wp: 0.643})
	rep, err := Build(context.Background(), Input{
		Month: m, Lang: lang, Snapshot: snap,
		RejectDir: fixtureRejects(t), Now: func() time.Time { return m.End().Add(56 * time.Hour) },
	})
	if err != nil {
		t.Fatalf("Build(%s) = %v", m, err)
	}
	return rep
}

// buildFixture builds the report of month m from the fixture.
func buildFixture(t *testing.T, m Month, lang Lang) *Report {
	t.Helper()
	rep, err := Build(context.Background(), Input{
		Month: m, Lang: lang, Snapshot: fixtureSnapshot(m),
		RejectDir: fixtureRejects(t), Now: func() time.Time { return m.End().Add(56 * time.Hour) },
	})
	if err != nil {
		t.Fatalf("Build(%s) = %v", m, err)
	}
	return rep
}
