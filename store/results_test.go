package store_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/analysis"
	"github.com/greenmetrics/greenmetrics/models/carbon"
	"github.com/greenmetrics/greenmetrics/models/water"
	"github.com/greenmetrics/greenmetrics/store"
)

// smallResults is one of each kind of result, with what must be left out:
// a NaN, a section without a class, a district without targets, a year to
// date without a summary, an excluded carbon line, a forecast that never
// meets its target, a trend too short for the 22号 verdict and one long
// enough.
func smallResults() analysis.Results {
	asOf := time.Date(2024, 12, 20, 10, 0, 0, 0, models.Shanghai)
	nan := math.NaN()
	gas := carbon.ActivityData{Activity: carbon.NaturalGas, Amount: 3e4, Use: carbon.UsePowerGeneration}
	return analysis.Results{
		AsOf: asOf,
		Derived: []models.Observation{
			{Time: june, Indicator: "water_class", Entity: "新八里桥", Value: 4, Provider: models.ProviderDerived},
			{Time: june, Indicator: "co2_emissions", Value: 598.64, Provider: models.ProviderDerivedFromDemo},
		},
		Water: []analysis.WaterPeriod{
			{Kind: analysis.WaterMonth, Start: june, Sections: []analysis.SectionStanding{
				{Name: "新八里桥", Class: 4, ClassName: "Ⅳ类", TargetClass: 3, Samples: 1, MainPollutants: []string{"化学需氧量", "氨氮"}},
				{Name: "dry", ClassName: "无法评价"},
			}, Summary: &water.Summary{Sections: 1, IVOrBetter: 1, GoodRatio: 0, AttainmentRatio: 0}},
			{Kind: analysis.WaterYearToDate, Start: june.AddDate(0, -5, 0), Sections: []analysis.SectionStanding{
				{Name: "东店", Class: 3, ClassName: "Ⅲ类", Attained: true, TargetClass: 4, Samples: 6},
			}},
		},
		Carbon: []analysis.CarbonLine{
			{Indicator: "co2_emissions", Month: june, Line: carbon.Line{ActivityData: carbon.ActivityData{Activity: carbon.Electricity, Amount: 1e6},
				BaseAmount: 1e6, BaseUnit: "kWh", Value: 555.4, Factor: carbon.Ref{ID: "mee", Series: "mee_nbs", Year: 2023, Value: 0.5554, Unit: "tCO2/MWh", Source: "MEE, 北京"}}},
			{Indicator: "co2_emissions", Month: june, Line: carbon.Line{ActivityData: gas, BaseAmount: 3e4, BaseUnit: "m3"}, Excluded: "counted in the grid factor"},
		},
		Progress: []models.Progress{{Indicator: "gdp", Year: 2024, Actual: 1.2e10, Target: nan, Observations: 11,
			Status: models.StatusNoTarget, Through: time.Date(2024, 12, 1, 0, 0, 0, 0, models.Shanghai)}},
		Forecasts: []models.Forecast{{Indicator: "gdp", Year: 2024, Projected: 1.3e10, Lower: 1.2e10, Upper: 1.4e10, Level: 0.8,
			ProjectedCompletion: nan, ProbabilityMeet: nan, Method: "seasonal_pace"}},
		Trends: []models.TrendSummary{
			{Indicator: "gdp", Method: "seasonal_mann_kendall", Direction: "increasing", P: 0.01, SlopePerYear: 5e8, N: 4,
				From: june.AddDate(-1, 0, 0), To: june, Rs: nan, Wp: nan},
			{Indicator: "codmn", Entity: "东店", Method: "mann_kendall", Direction: "no trend", P: 0.5, SlopePerYear: 0, N: 6,
				Spearman22: "no trend", Rs: 0.2, Wp: 0.829},
		},
	}
}

// TestResultPoints pins the line each result is stored as: measurement,
// tags, fields and time (docs/schema.md).
func TestResultPoints(t *testing.T) {
	want := []string{
		`derived,entity=新八里桥,indicator=water_class provider="derived",value=4 1717171200`,
		`derived,indicator=co2_emissions provider="derived-demo",value=598.64 1717171200`,
		`water_section,period=month,section=新八里桥 attained=0,class=4,class_name="Ⅳ类",main_pollutants="化学需氧量,氨氮",samples=1,target_class=3 1717171200`,
		`water_district,period=month attained=0,good_ratio=0,iii_or_better=0,inferior_v_ratio=0,iv_or_better=1,sections=1,targeted=0,worse_than_v=0 1717171200`,
		`water_section,period=year_to_date,section=东店 attained=1,class=3,class_name="Ⅲ类",main_pollutants="",samples=6,target_class=4 1704038400`,
		`carbon,activity=electricity,indicator=co2_emissions amount=1e+06,amount_unit="kWh",emissions=555.4,factor_id="mee",factor_series="mee_nbs",factor_source="MEE, 北京",factor_unit="tCO2/MWh",factor_value=0.5554,factor_year=2023 1717171200`,
		`carbon,activity=natural_gas,indicator=co2_emissions,use=power_generation amount=30000,amount_unit="m3",excluded="counted in the grid factor" 1717171200`,
		`progress,indicator=gdp,year=2024 actual=1.2e+10,completion=0,gap=0,latest=0,mom=0,observations=11,pace=0,period_value=0,prior_year=0,since_year_start=0,status="no_target",through="2024-12-01T00:00:00+08:00",time_progress=0,year_start=0,yoy=0,ytd_yoy=0 1734660000`,
		`forecast,indicator=gdp,year=2024 level=0.8,lower=1.2e+10,method="seasonal_pace",projected=1.3e+10,upper=1.4e+10 1734660000`,
		`trend,indicator=gdp direction="increasing",from="2023-06-01T00:00:00+08:00",method="seasonal_mann_kendall",n=4,p=0.01,slope_per_year=5e+08,to="2024-06-01T00:00:00+08:00" 1734660000`,
		`trend,entity=东店,indicator=codmn direction="no trend",method="mann_kendall",n=6,p=0.5,r_s=0.2,slope_per_year=0,spearman_22="no trend",w_p=0.829 1734660000`,
	}
	points := store.ResultPoints(smallResults())
	var got []string
	for _, p := range points {
		line, err := store.EncodePoint(p)
		if err != nil {
			t.Fatalf("%s point: %v", p.Measurement, err)
		}
		got = append(got, line)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("result lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestWriteResults writes the results to a real InfluxDB and reads every
// measurement back: InfluxDB takes each line, and a second write of the
// same results leaves one copy.
func TestWriteResults(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for range 2 {
		if err := s.WriteResults(ctx, smallResults()); err != nil {
			t.Fatalf("WriteResults: %v", err)
		}
	}
	counts := map[string]int{}
	for _, p := range store.ResultPoints(smallResults()) {
		counts[p.Measurement]++
	}
	for m, want := range counts {
		series, err := s.Query(ctx, "SELECT * FROM "+store.QuoteIdent(m), nil)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		for _, sr := range series {
			n += len(sr.Values)
		}
		if n != want {
			t.Errorf("%s holds %d points after two writes, want %d", m, n, want)
		}
	}
	got, err := s.Observations(ctx, models.FigureQuery{Indicator: "water_class", WithDerived: true, Start: june})
	if err != nil || len(got) != 1 || got[0].Value != 4 || got[0].Entity != "新八里桥" {
		t.Errorf("derived water_class read back = %+v, %v; want 新八里桥's class 4", got, err)
	}
}
