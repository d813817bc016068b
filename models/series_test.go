package models

import (
	"math"
	"testing"
	"time"
)

func sh(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, Shanghai) }

func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

func seriesOf(k Kind, a Aggregation, f Frequency, pts ...SeriesPoint) Series {
	return NewSeries(Indicator{Kind: k, Aggregation: a, Frequency: f}, pts)
}

func monthlyPoints(y int, m time.Month, vs ...float64) []SeriesPoint {
	var out []SeriesPoint
	for i, v := range vs {
		if !math.IsNaN(v) {
			out = append(out, SeriesPoint{Time: sh(y, m+time.Month(i), 1, 0), Value: v})
		}
	}
	return out
}

func TestSeriesChanges(t *testing.T) {
	nan := math.NaN()
	flow := seriesOf(KindFlow, AggregateSum, FrequencyMonthly, monthlyPoints(2023, time.January, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 60)...)
	ratio := seriesOf(KindRatio, AggregateLast, FrequencyMonthly, monthlyPoints(2023, time.December, 0.45, 0.5)...)
	class := seriesOf(KindClass, AggregateLast, FrequencyMonthly, monthlyPoints(2023, time.December, 4, 3)...)
	annual := seriesOf(KindFlow, AggregateSum, FrequencyAnnual, SeriesPoint{Time: sh(2023, 1, 1, 0), Value: 100}, SeriesPoint{Time: sh(2024, 1, 1, 0), Value: 110})
	quarterly := seriesOf(KindStock, AggregateLast, FrequencyQuarterly,
		SeriesPoint{Time: sh(2023, 1, 1, 0), Value: 80}, SeriesPoint{Time: sh(2023, 10, 1, 0), Value: 100}, SeriesPoint{Time: sh(2024, 1, 1, 0), Value: 110})
	// Hourly data: two days of March, one with 1 hour, one with 3; the
	// month is the mean of the daily means, not of the hours.
	hourly := seriesOf(KindLevel, AggregateMean, FrequencyHourly,
		SeriesPoint{Time: sh(2024, 3, 1, 0), Value: 10}, SeriesPoint{Time: sh(2024, 3, 2, 0), Value: 20, Figures: 3})
	tests := []struct {
		name                           string
		s                              Series
		p                              Period
		value, prev, yearAgo, mom, yoy float64
	}{
		{"January against December", flow, PeriodOf(FrequencyMonthly, sh(2024, 1, 1, 0)), 60, 120, 10, -0.5, 5},
		{"no earlier period", flow, PeriodOf(FrequencyMonthly, sh(2023, 1, 1, 0)), 10, nan, nan, nan, nan},
		{"ratio in points", ratio, PeriodOf(FrequencyMonthly, sh(2024, 1, 1, 0)), 0.5, 0.45, nan, 0.05, nan},
		{"class in classes", class, PeriodOf(FrequencyMonthly, sh(2024, 1, 1, 0)), 3, 4, nan, -1, nan},
		{"annual data have no 环比", annual, PeriodOf(FrequencyAnnual, sh(2024, 1, 1, 0)), 110, nan, 100, nan, 0.1},
		{"Q1 against Q4 and last Q1", quarterly, PeriodOf(FrequencyQuarterly, sh(2024, 2, 1, 0)), 110, 100, 80, 0.1, 0.375},
		{"hourly data by month", hourly, ReportingPeriodOf(FrequencyHourly, sh(2024, 3, 5, 0)), 15, nan, nan, nan, nan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.s.ChangesAt(tc.p)
			for _, x := range []struct {
				name      string
				got, want float64
			}{{"value", c.Value, tc.value}, {"prev", c.Prev, tc.prev}, {"yearAgo", c.YearAgo, tc.yearAgo}, {"mom", c.MoM, tc.mom}, {"yoy", c.YoY, tc.yoy}} {
				if !sameFloat(x.got, x.want) {
					t.Errorf("%s = %v; want %v", x.name, x.got, x.want)
				}
			}
		})
	}
}

func TestSeriesYearToDate(t *testing.T) {
	flow := seriesOf(KindFlow, AggregateSum, FrequencyMonthly, monthlyPoints(2024, time.January, 1, 2, 3, 4)...)
	stock := seriesOf(KindStock, AggregateLast, FrequencyMonthly, monthlyPoints(2023, time.December, 100, 110, 130)...)
	level := seriesOf(KindLevel, AggregateMean, FrequencyMonthly, monthlyPoints(2024, time.January, 30, 40, 50)...)
	lastLevel := seriesOf(KindLevel, AggregateLast, FrequencyMonthly, monthlyPoints(2024, time.January, 30, 40, 50)...)
	var days []SeriesPoint
	for d := 0; d < 45; d++ {
		days = append(days, SeriesPoint{Time: sh(2024, 1, 1+d, 0), Value: 1, Demo: d == 40})
	}
	daily := seriesOf(KindFlow, AggregateSum, FrequencyDaily, days...)
	tests := []struct {
		name string
		s    Series
		end  time.Time
		want float64
		demo bool
	}{
		{"flows sum", flow, sh(2024, 5, 1, 0), 10, false},
		{"to the end of February", flow, sh(2024, 3, 1, 0), 3, false},
		{"stocks take the latest", stock, sh(2024, 5, 1, 0), 130, false},
		{"levels the mean", level, sh(2024, 5, 1, 0), 40, false},
		{"levels aggregated last take the latest", lastLevel, sh(2024, 5, 1, 0), 50, false},
		{"daily data cut within a month", daily, sh(2024, 2, 10, 0), 40, false},
		{"a demo day makes the sum demo", daily, sh(2024, 2, 11, 0), 41, true},
		{"a series of periods only, whole months", daily.PeriodsOnly(), sh(2024, 2, 1, 0), 31, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.s.YearToDate(2024, tc.end)
			if !f.OK || !sameFloat(f.Value, tc.want) || f.Demo != tc.demo {
				t.Errorf("YearToDate = %+v; want %v (demo %v)", f, tc.want, tc.demo)
			}
		})
	}
	if p := flow.YearToDatePath(2024, sh(2024, 3, 1, 0)); p[0] != 1 || p[1] != 3 || p[2] != 6 || !math.IsNaN(p[3]) {
		t.Errorf("YearToDatePath = %v; want 1, 3, 6, then NaN", p)
	}
	// Until rebuilds the month the cut falls in from its days.
	if pv, ok := daily.Until(sh(2024, 2, 5, 0)).Latest(); !ok || pv.Value != 4 || pv.Demo {
		t.Errorf("Until(5 Feb).Latest = %+v; want February's 4 days", pv)
	}
}

func TestSeriesFullYearAndYearStart(t *testing.T) {
	full := seriesOf(KindFlow, AggregateSum, FrequencyMonthly, monthlyPoints(2023, time.January, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)...)
	gap := seriesOf(KindFlow, AggregateSum, FrequencyMonthly, monthlyPoints(2023, time.January, 1, 1, 1, 1, 1, math.NaN(), 1, 1, 1, 1, 1, 1)...)
	stock := seriesOf(KindStock, AggregateLast, FrequencyQuarterly, SeriesPoint{Time: sh(2023, 10, 1, 0), Value: 470})
	noYearEnd := seriesOf(KindStock, AggregateLast, FrequencyQuarterly, SeriesPoint{Time: sh(2023, 7, 1, 0), Value: 460})
	if f := full.FullYear(2023); !f.OK || f.Value != 12 {
		t.Errorf("FullYear(complete) = %+v; want 12", f)
	}
	if f := gap.FullYear(2023); f.OK {
		t.Errorf("FullYear(June missing) = %+v; want incomplete", f)
	}
	if v := stock.YearStartValue(2024, nil); v != 470 {
		t.Errorf("YearStartValue = %v; want the Q4 balance 470", v)
	}
	base := &Figure{Year: 2023, Value: 450, Qualifier: QualifierExact}
	if v := noYearEnd.YearStartValue(2024, base); v != 450 {
		t.Errorf("YearStartValue without a year end = %v; want the exact baseline 450", v)
	}
	if v := noYearEnd.YearStartValue(2024, &Figure{Year: 2023, Value: 450, Qualifier: QualifierMoreThan}); !math.IsNaN(v) {
		t.Errorf("YearStartValue from a bound = %v; want NaN", v)
	}
	span := seriesOf(KindFlow, AggregateSum, FrequencyMonthly, append(monthlyPoints(2023, time.January, 1, 2, 3, 4, 5, 6), monthlyPoints(2024, time.January, 9)...)...)
	if f := span.PriorSpan(2024, sh(2024, 4, 1, 0)); f.Value != 6 {
		t.Errorf("PriorSpan(1–3月) = %+v; want 1+2+3", f)
	}
}

func TestCombineEntities(t *testing.T) {
	for _, tc := range []struct {
		k    Kind
		want float64
	}{{KindFlow, 9}, {KindStock, 9}, {KindCumulative, 9}, {KindLevel, 3}, {KindRatio, 3}, {KindClass, 5}} {
		if got := CombineEntities(tc.k, []float64{1, 3, 5}); got != tc.want {
			t.Errorf("CombineEntities(%s) = %v; want %v", tc.k, got, tc.want)
		}
	}
}
