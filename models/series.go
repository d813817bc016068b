package models

import (
	"math"
	"slices"
	"sort"
	"time"
)

// This file is the one implementation of the period rules: how an
// indicator's figures make 本期值, 上期 and 环比, 上年同期 and 同比, 年初,
// 累计 (and its path month by month), the full year and the prior year's
// same span, for every kind of indicator. The analysis engine computes
// progress with it and the monthly report reads the engine's series through
// it, so the two can never disagree (docs/progress.md §2).

// SeriesPoint is one value of a series at its own grain: a figure of a
// monthly, quarterly or annual indicator at its period start, a daily
// figure, or one day of an hourly series aggregated as the catalogue says.
type SeriesPoint struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
	// Figures is how many stored figures the value stands for: 1, the hours
	// of a day of hourly data, or the entities combined into a district
	// value.
	Figures int `json:"figures"`
	// Demo is set when any figure behind the value is the demo's.
	Demo bool `json:"demo,omitempty"`
}

// PeriodValue is one reporting period of a series (a month for hourly,
// daily and monthly indicators, else the indicator's quarter or year).
type PeriodValue struct {
	Period Period `json:"period"`
	// Value is the period's figure by the indicator's aggregation: the sum,
	// the last value, or the mean of the points (of daily means for hourly
	// data, so a day is not weighted by how many hours it reported).
	Value float64 `json:"value"`
	// Sum and Points are the sum and number of the points in the period,
	// Last and LastTime its newest point.
	Sum      float64   `json:"sum"`
	Points   int       `json:"points"`
	Figures  int       `json:"figures"`
	Last     float64   `json:"last"`
	LastTime time.Time `json:"last_time"`
	// Demo is set when any figure behind the period is the demo's.
	Demo bool `json:"demo,omitempty"`
}

// Series is an indicator's figures (of one entity, or of the district)
// with their reporting periods. Points may be nil: a series of periods
// only (the snapshot's per-entity series) answers everything for whole
// periods.
type Series struct {
	Kind        Kind          `json:"kind"`
	Aggregation Aggregation   `json:"aggregation"`
	Frequency   Frequency     `json:"frequency"`
	Points      []SeriesPoint `json:"points,omitempty"`
	Periods     []PeriodValue `json:"periods"`
}

// NewSeries builds the series of ind from points in any order; non-finite
// values are left out.
func NewSeries(ind Indicator, pts []SeriesPoint) Series {
	s := Series{Kind: ind.Kind, Aggregation: ind.Aggregation, Frequency: ind.Frequency}
	s.Points = make([]SeriesPoint, 0, len(pts))
	for _, p := range pts {
		if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
			continue
		}
		if p.Figures <= 0 {
			p.Figures = 1
		}
		p.Time = p.Time.In(Shanghai)
		s.Points = append(s.Points, p)
	}
	if !slices.IsSortedFunc(s.Points, pointsByTime) {
		slices.SortStableFunc(s.Points, pointsByTime)
	}
	s.Periods = s.periodize(s.Points)
	return s
}

func pointsByTime(a, b SeriesPoint) int { return a.Time.Compare(b.Time) }

// PeriodsOnly is s without its points: what the snapshot keeps of
// per-entity series, whose days the report does not need.
func (s Series) PeriodsOnly() Series {
	s.Points = nil
	return s
}

// Empty reports whether the series has no value.
func (s Series) Empty() bool { return len(s.Periods) == 0 }

// ReportingPeriod is the reporting period of the series that contains t.
func (s Series) ReportingPeriod(t time.Time) Period { return ReportingPeriodOf(s.Frequency, t) }

func (s Series) periodize(pts []SeriesPoint) []PeriodValue {
	var out []PeriodValue
	for lo := 0; lo < len(pts); {
		p := s.ReportingPeriod(pts[lo].Time)
		hi := lo + 1
		for hi < len(pts) && pts[hi].Time.Before(p.End()) {
			hi++
		}
		out = append(out, s.aggregate(p, pts[lo:hi]))
		lo = hi
	}
	return out
}

// aggregate makes the period value of the points of one period.
func (s Series) aggregate(p Period, pts []SeriesPoint) PeriodValue {
	pv := PeriodValue{Period: p, Points: len(pts)}
	for _, x := range pts {
		pv.Sum += x.Value
		pv.Figures += x.Figures
		pv.Demo = pv.Demo || x.Demo
	}
	last := pts[len(pts)-1]
	pv.Last, pv.LastTime = last.Value, last.Time
	pv.Value = periodFigure(s.Aggregation, pv)
	return pv
}

func periodFigure(a Aggregation, pv PeriodValue) float64 {
	switch a {
	case AggregateSum:
		return pv.Sum
	case AggregateLast:
		return pv.Last
	}
	return pv.Sum / float64(pv.Points)
}

// Until is the series as known before end: the points stamped before it.
// A series of periods only keeps the periods whose newest point is before
// end.
func (s Series) Until(end time.Time) Series {
	if s.Points == nil {
		i := sort.Search(len(s.Periods), func(i int) bool { return !s.Periods[i].LastTime.Before(end) })
		s.Periods = s.Periods[:i]
		return s
	}
	i := sort.Search(len(s.Points), func(i int) bool { return !s.Points[i].Time.Before(end) })
	if i == len(s.Points) {
		return s
	}
	s.Points = s.Points[:i]
	j := sort.Search(len(s.Periods), func(j int) bool { return !s.Periods[j].LastTime.Before(end) })
	periods := append([]PeriodValue(nil), s.Periods[:j]...)
	if j < len(s.Periods) {
		// The period end falls in is rebuilt from its points before end.
		p := s.Periods[j].Period
		lo := sort.Search(len(s.Points), func(k int) bool { return !s.Points[k].Time.Before(p.Start) })
		if lo < len(s.Points) {
			periods = append(periods, s.aggregate(p, s.Points[lo:]))
		}
	}
	s.Periods = periods
	return s
}

// Between is the series of the points in [from, to); for a series of
// periods only, of the periods starting in it.
func (s Series) Between(from, to time.Time) Series {
	if s.Points == nil {
		lo := sort.Search(len(s.Periods), func(i int) bool { return !s.Periods[i].Period.Start.Before(from) })
		hi := sort.Search(len(s.Periods), func(i int) bool { return !s.Periods[i].Period.Start.Before(to) })
		if hi < lo {
			hi = lo
		}
		s.Periods = s.Periods[lo:hi]
		return s
	}
	lo := sort.Search(len(s.Points), func(i int) bool { return !s.Points[i].Time.Before(from) })
	hi := sort.Search(len(s.Points), func(i int) bool { return !s.Points[i].Time.Before(to) })
	if hi < lo {
		hi = lo
	}
	s.Points = s.Points[lo:hi]
	s.Periods = s.periodize(s.Points)
	return s
}

// At is the value of period p.
func (s Series) At(p Period) (PeriodValue, bool) {
	i := sort.Search(len(s.Periods), func(i int) bool { return !s.Periods[i].Period.Start.Before(p.Start) })
	if i < len(s.Periods) && s.Periods[i].Period.Start.Equal(p.Start) {
		return s.Periods[i], true
	}
	return PeriodValue{}, false
}

// Latest is the newest period with a value.
func (s Series) Latest() (PeriodValue, bool) {
	if len(s.Periods) == 0 {
		return PeriodValue{}, false
	}
	return s.Periods[len(s.Periods)-1], true
}

// LastTime is the time of the newest point (zero when empty).
func (s Series) LastTime() time.Time {
	if pv, ok := s.Latest(); ok {
		return pv.LastTime
	}
	return time.Time{}
}

// InPoints reports whether changes of the series are differences rather
// than relative changes: for ratios (×100: 个百分点) and classes.
func (s Series) InPoints() bool { return s.Kind == KindRatio || s.Kind == KindClass }

// Change is the 同比/环比 of cur against prev for an indicator of kind k: a
// difference for ratios (in ratio units: ×100 gives 个百分点) and classes
// (in classes), else the relative change (cur − prev)/|prev|, NaN when prev
// is 0 or either is missing.
func Change(k Kind, cur, prev float64) float64 {
	if math.IsNaN(cur) || math.IsNaN(prev) {
		return math.NaN()
	}
	if k == KindRatio || k == KindClass {
		return cur - prev
	}
	if prev == 0 {
		return math.NaN()
	}
	return (cur - prev) / math.Abs(prev)
}

// Changes are 本期值, 上期 and 上年同期 of a period and the changes against
// them. A missing comparison period gives NaN, never a comparison with some
// other period.
type Changes struct {
	Period Period
	// Value is 本期值, Prev 上期 (the adjacent earlier period: December for
	// January; NaN for annual data, which have no 环比) and YearAgo 上年同期.
	Value, Prev, YearAgo float64
	// MoM and YoY are 环比 and 同比 (Change).
	MoM, YoY float64
	// Demo is set when any of the three periods comes from demo data.
	Demo bool
}

// ChangesAt computes the changes of period p.
func (s Series) ChangesAt(p Period) Changes {
	c := Changes{Period: p, Value: math.NaN(), Prev: math.NaN(), YearAgo: math.NaN()}
	if cur, ok := s.At(p); ok {
		c.Value, c.Demo = cur.Value, cur.Demo
	}
	if p.Frequency != FrequencyAnnual {
		if prev, ok := s.At(p.Previous()); ok {
			c.Prev, c.Demo = prev.Value, c.Demo || prev.Demo
		}
	}
	if ya, ok := s.At(p.YearAgo()); ok {
		c.YearAgo, c.Demo = ya.Value, c.Demo || ya.Demo
	}
	c.MoM = Change(s.Kind, c.Value, c.Prev)
	c.YoY = Change(s.Kind, c.Value, c.YearAgo)
	return c
}

// YearFigure is a year-to-date (累计) or full-year figure.
type YearFigure struct {
	Value float64
	// Figures counts the stored figures behind Value.
	Figures int
	// Last is the time of the newest point used.
	Last time.Time
	OK   bool
	Demo bool
}

// YearStart is 1 January of year y in Asia/Shanghai.
func YearStart(y int) time.Time { return time.Date(y, time.January, 1, 0, 0, 0, 0, Shanghai) }

// YearToDate is 累计 of year over the points before end, by kind: flows
// sum; stocks, cumulatives, ratios and classes take the latest value;
// levels the mean of the points, or the latest when the catalogue
// aggregates them "last" (a count of projects under way is a state, not a
// concentration).
func (s Series) YearToDate(year int, end time.Time) YearFigure {
	if ye := YearStart(year + 1); ye.Before(end) {
		end = ye
	}
	in := s.yearPeriods(year, end)
	if len(in) == 0 {
		return YearFigure{Value: math.NaN()}
	}
	f := YearFigure{OK: true}
	var sum float64
	var points int
	for _, pv := range in {
		sum += pv.Sum
		points += pv.Points
		f.Figures += pv.Figures
		f.Demo = f.Demo || pv.Demo
	}
	last := in[len(in)-1]
	f.Last = last.LastTime
	switch {
	case s.Kind == KindFlow:
		f.Value = sum
	case s.Kind == KindLevel && s.Aggregation != AggregateLast:
		f.Value = sum / float64(points)
	default:
		f.Value = last.Last
		f.Demo = last.Demo
	}
	return f
}

// yearPeriods are the periods of year known before end: whole periods
// whose newest point is before end, and the period end falls in rebuilt
// from its points before end (a series of periods only has none).
func (s Series) yearPeriods(year int, end time.Time) []PeriodValue {
	from := YearStart(year)
	lo := sort.Search(len(s.Periods), func(i int) bool { return !s.Periods[i].Period.Start.Before(from) })
	var out []PeriodValue
	for i := lo; i < len(s.Periods) && s.Periods[i].Period.Start.Before(end); i++ {
		pv := s.Periods[i]
		if pv.LastTime.Before(end) {
			out = append(out, pv)
			continue
		}
		if s.Points != nil {
			a := sort.Search(len(s.Points), func(k int) bool { return !s.Points[k].Time.Before(pv.Period.Start) })
			b := sort.Search(len(s.Points), func(k int) bool { return !s.Points[k].Time.Before(end) })
			if b > a {
				out = append(out, s.aggregate(pv.Period, s.Points[a:b]))
			}
		}
		break
	}
	return out
}

// YearToDatePath is 累计 at the end of each month of year (index 0 =
// January) by YearToDate's rule, through the month that starts at or
// before through; later months, and months before any value, are NaN.
func (s Series) YearToDatePath(year int, through time.Time) [12]float64 {
	var out [12]float64
	for i := range out {
		m := time.Date(year, time.Month(i+1), 1, 0, 0, 0, 0, Shanghai)
		if m.After(through) {
			out[i] = math.NaN()
			continue
		}
		out[i] = s.YearToDate(year, m.AddDate(0, 1, 0)).Value
	}
	return out
}

// FullYear is the figure of a whole year by the year-to-date rule, or NaN
// when the year is incomplete: flows need every reporting period (all 12
// months, 4 quarters, the annual figure; daily and hourly data need every
// month), stocks and cumulatives the year-end period, levels, ratios and
// classes any data.
func (s Series) FullYear(year int) YearFigure {
	in := s.Between(YearStart(year), YearStart(year+1))
	if len(in.Periods) == 0 {
		return YearFigure{Value: math.NaN()}
	}
	first := s.ReportingPeriod(YearStart(year))
	last := s.ReportingPeriod(YearStart(year + 1)).Previous()
	complete := true
	switch s.Kind {
	case KindFlow:
		complete = len(in.Periods) == first.Frequency.PeriodsPerYear() &&
			in.Periods[0].Period.Start.Equal(first.Start) && in.Periods[len(in.Periods)-1].Period.Start.Equal(last.Start)
	case KindStock, KindCumulative:
		complete = in.Periods[len(in.Periods)-1].Period.Start.Equal(last.Start)
	}
	if !complete {
		return YearFigure{Value: math.NaN()}
	}
	return s.YearToDate(year, YearStart(year+1))
}

// PriorSpan is 累计 of the prior year over the same span as the current
// one (1–5月 against 1–5月), for 累计同比; through is the exclusive end of
// the current year-to-date figure.
func (s Series) PriorSpan(year int, through time.Time) YearFigure {
	return s.YearToDate(year-1, through.AddDate(-1, 0, 0))
}

// YearStartValue is 年初值 of a stock or cumulative: the value at the end of
// the prior year (its year-end period), else the catalogue baseline of
// that year when it is an exact or approximate figure (a bound such as
// "超300亿" is not a starting value); NaN otherwise.
func (s Series) YearStartValue(year int, baseline *Figure) float64 {
	if f := s.FullYear(year - 1); f.OK {
		return f.Value
	}
	if baseline != nil && baseline.Year == year-1 &&
		(baseline.Qualifier == QualifierExact || baseline.Qualifier == QualifierApprox) {
		return baseline.Value
	}
	return math.NaN()
}

// CoveredUntil is the exclusive end of the time a point at last covers:
// its reporting period for monthly, quarterly and annual data, its day for
// daily and hourly data.
func CoveredUntil(f Frequency, last time.Time) time.Time {
	switch f {
	case FrequencyDaily, FrequencyHourly:
		return PeriodOf(FrequencyDaily, last).End()
	}
	return PeriodOf(f, last).End()
}

// CombineEntities combines the values of several entities at one time into
// the district's value by kind: amounts (flow, stock, cumulative) add up,
// levels and ratios are averaged, and a class takes the worst (highest), as
// the single-factor rule does. Only entities that make up the district may
// be combined (config.Scope): overlapping regions are never summed.
func CombineEntities(k Kind, vs []float64) float64 {
	switch k {
	case KindFlow, KindStock, KindCumulative:
		var s float64
		for _, v := range vs {
			s += v
		}
		return s
	case KindClass:
		m := vs[0]
		for _, v := range vs[1:] {
			m = math.Max(m, v)
		}
		return m
	}
	var s float64
	for _, v := range vs {
		s += v
	}
	return s / float64(len(vs))
}
