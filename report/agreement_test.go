package report

import (
	"context"
	"errors"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
)

// memReader is an in-memory metrics.HistoryReader with the store's contract: one
// figure per indicator, entity and time (the latest written wins).
type memReader []models.Observation

func (m memReader) Observations(_ context.Context, f models.FigureQuery) ([]models.Observation, error) {
	type key struct {
		entity string
		t      int64
	}
	latest := map[key]models.Observation{}
	for _, o := range m {
		if o.Indicator == f.Indicator && !o.Time.Before(f.Start) && o.Time.Before(f.End) && (f.Entity == "" || o.Entity == f.Entity) {
			latest[key{o.Entity, o.Time.Unix()}] = o
		}
	}
	out := make([]models.Observation, 0, len(latest))
	for _, o := range latest {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}

func (memReader) DailyAggregates(context.Context, string, models.Aggregation, time.Time, time.Time) ([]models.DailyFigure, error) {
	return nil, errors.New("memReader: the agreement test has no hourly series")
}

// kindIndicators are one indicator of every kind and frequency the period
// rules distinguish, each in its own report section so every one gets a
// chart.
func kindIndicators() []models.Indicator {
	ind := func(code string, d models.Domain, k models.Kind, a models.Aggregation, f models.Frequency, unit string) models.Indicator {
		return models.Indicator{Code: code, NameZh: code, NameEn: code, Domain: d, Unit: unit, Kind: k,
			Direction: models.DirectionHigher, Aggregation: a, Frequency: f}
	}
	return []models.Indicator{
		ind("k_flow", models.DomainCarbon, models.KindFlow, models.AggregateSum, models.FrequencyMonthly, "t"),
		ind("k_stock_q", models.DomainGreenFinance, models.KindStock, models.AggregateLast, models.FrequencyQuarterly, "CNY"),
		ind("k_cumulative", models.DomainBuilding, models.KindCumulative, models.AggregateLast, models.FrequencyMonthly, "m2"),
		ind("k_level_daily", models.DomainAir, models.KindLevel, models.AggregateMean, models.FrequencyDaily, "ug/m3"),
		ind("k_level_last", models.DomainTransport, models.KindLevel, models.AggregateLast, models.FrequencyMonthly, "count"),
		ind("k_ratio", models.DomainEconomy, models.KindRatio, models.AggregateLast, models.FrequencyMonthly, "ratio"),
		ind("k_class", models.DomainWater, models.KindClass, models.AggregateLast, models.FrequencyMonthly, "class"),
		ind("k_flow_annual", models.DomainEnergy, models.KindFlow, models.AggregateSum, models.FrequencyAnnual, "t"),
	}
}

// kindHistory is 2022-01 … 2024-12 of formula values. The monthly flow
// misses November 2023 (December's 环比 has no base) and the cumulative is
// the demo's from June 2024 on.
func kindHistory() memReader {
	var h memReader
	add := func(code string, t time.Time, v float64, provider string) {
		h = append(h, models.Observation{Time: t, Indicator: code, Value: v, Provider: provider})
	}
	for y := 2022; y <= 2024; y++ {
		k := float64(y - 2022)
		add("k_flow_annual", at(y, time.January, 1, 0), 5000+500*k, "nbs")
		for m := time.January; m <= time.December; m++ {
			t, fm := at(y, m, 1, 0), float64(m)
			if !(y == 2023 && m == time.November) {
				add("k_flow", t, 100+fm+10*k, "bureau")
			}
			provider := "bureau"
			if y == 2024 && m >= time.June {
				provider = models.ProviderDemo
			}
			add("k_cumulative", t, 1e5+1e3*(12*k+fm), provider)
			add("k_level_last", t, 40+float64(int(m)%4)+k, "bureau")
			add("k_ratio", t, 0.3+0.01*fm+0.05*k, "bureau")
			add("k_class", t, 2+float64(int(m)%3), "bureau")
			if m%3 == 1 {
				add("k_stock_q", t, 1000+50*float64(int(m)/3+1)+200*k, "pboc")
			}
			days := time.Date(y, m+1, 0, 0, 0, 0, 0, models.Shanghai).Day()
			for d := 1; d <= days; d++ {
				add("k_level_daily", at(y, m, d, 0), 20+float64(d%5)+fm, "cnemc")
			}
		}
	}
	return h
}

// TestReportAgreesWithProgress feeds the analysis engine and the report
// the same history and checks that 本期值, 环比, 同比 and 累计 agree for
// every kind of indicator, at year boundaries (January against December,
// December with its November missing) and for quarterly and annual data —
// there is one implementation of the period rules (models.Series).
func TestReportAgreesWithProgress(t *testing.T) {
	inds := kindIndicators()
	eng, err := metrics.New(metrics.Options{Indicators: inds, Analysis: config.Default().Analysis, Reader: kindHistory()})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []Month{{2023, time.December}, {2024, time.January}, {2024, time.March}, {2024, time.June}, {2024, time.December}} {
		t.Run(m.String(), func(t *testing.T) {
			snap, err := eng.RunAt(context.Background(), m.End().Add(-time.Second), m.Year)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Build(context.Background(), Input{Month: m, Snapshot: snap, Indicators: inds,
				Now: func() time.Time { return m.End() }})
			if err != nil {
				t.Fatal(err)
			}
			for _, ind := range inds {
				p, ok := snap.Progress[ind.Code]
				if !ok {
					t.Fatalf("%s: no progress", ind.Code)
				}
				r := findRow(t, rep, ind.Code)
				if want := models.ReportingPeriodOf(ind.Frequency, p.PeriodStart).Label(); r.Period != want {
					t.Errorf("%s: report period %s, progress period %s", ind.Code, r.Period, want)
				}
				for _, c := range []struct {
					name                 string
					report, progressWant float64
				}{
					{"本期值", r.Value.Float(), p.PeriodValue}, {"环比", r.MoM.Float(), p.MoM},
					{"同比", r.YoY.Float(), p.YoY}, {"累计", r.YTD.Float(), p.Actual},
					{"累计 (chart)", chartAt(t, rep, ind.Code, m), p.Actual},
				} {
					if !sameNum(c.report, c.progressWant) {
						t.Errorf("%s %s: report %v, progress %v", ind.Code, c.name, c.report, c.progressWant)
					}
				}
				if r.ChangeInPoints != p.ChangeInPoints {
					t.Errorf("%s: ChangeInPoints report %v, progress %v", ind.Code, r.ChangeInPoints, p.ChangeInPoints)
				}
				if want := ind.Code == "k_cumulative" && !m.Start().Before(at(2024, time.June, 1, 0)); r.Demo != want {
					t.Errorf("%s: Demo = %v, want %v", ind.Code, r.Demo, want)
				}
			}
		})
	}
}

// TestPeriodFiguresByHand pins a few of the agreed figures to hand-worked
// values, so the agreement above is not an agreement on a wrong number.
func TestPeriodFiguresByHand(t *testing.T) {
	inds := kindIndicators()
	eng, err := metrics.New(metrics.Options{Indicators: inds, Analysis: config.Default().Analysis, Reader: kindHistory()})
	if err != nil {
		t.Fatal(err)
	}
	build := func(m Month) *Report {
		snap, err := eng.RunAt(context.Background(), m.End().Add(-time.Second), m.Year)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Build(context.Background(), Input{Month: m, Snapshot: snap, Indicators: inds, Now: func() time.Time { return m.End() }})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	jan, dec := build(Month{2024, time.January}), build(Month{2023, time.December})
	nan := math.NaN()
	for _, tc := range []struct {
		rep                  *Report
		code, period         string
		value, mom, yoy, ytd float64
	}{
		// flow 100 + m + 10(y−2022): Jan 2024 121 against Dec 2023 122 and Jan 2023 111.
		{jan, "k_flow", "2024-01", 121, -1.0 / 122, 10.0 / 111, 121},
		// December 2023 has no November to compare with; 1–12月 is Σ(110+m) less November.
		{dec, "k_flow", "2023-12", 122, nan, 10.0 / 112, 12*110 + 78 - 121},
		// ratio in points: Jan 2024 0.41, Dec 2023 0.47, Jan 2023 0.36.
		{jan, "k_ratio", "2024-01", 0.41, -0.06, 0.05, 0.41},
		// class in classes: 2 + m mod 3: January 3, December 2.
		{jan, "k_class", "2024-01", 3, 1, 0, 3},
		// quarterly stock 1000 + 50q + 200(y−2022): Q1 2024 1450, Q4 2023 1400, Q1 2023 1250.
		{jan, "k_stock_q", "2024-Q1", 1450, 50.0 / 1400, 200.0 / 1250, 1450},
		// annual flow: 2024 6000 against 2023 5500; annual data have no 环比.
		{jan, "k_flow_annual", "2024", 6000, nan, 500.0 / 5500, 6000},
	} {
		r := findRow(t, tc.rep, tc.code)
		if r.Period != tc.period {
			t.Errorf("%s %s: period %s, want %s", tc.rep.Month, tc.code, r.Period, tc.period)
		}
		for _, c := range []struct {
			name      string
			got, want float64
		}{{"value", r.Value.Float(), tc.value}, {"mom", r.MoM.Float(), tc.mom}, {"yoy", r.YoY.Float(), tc.yoy}, {"ytd", r.YTD.Float(), tc.ytd}} {
			if !sameNum(c.got, c.want) {
				t.Errorf("%s %s %s = %v, want %v", tc.rep.Month, tc.code, c.name, c.got, c.want)
			}
		}
	}
}

func sameNum(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return near(a, b)
}

// chartAt is the chart's 累计 at month m, NaN without a chart value.
func chartAt(t *testing.T, r *Report, code string, m Month) float64 {
	t.Helper()
	for _, s := range r.Sections {
		for _, c := range s.Charts {
			if c.ID == "chart-"+code && len(c.Series) > 0 {
				return c.Series[0].Values[m.Index()-1]
			}
		}
	}
	t.Fatalf("no chart for %s", code)
	return math.NaN()
}
