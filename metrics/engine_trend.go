package metrics

import (
	"math"
	"sort"
	"time"

	"github.com/greenmetrics/greenmetrics/metrics/trend"
	"github.com/greenmetrics/greenmetrics/models"
)

// minTrendValues is the fewest period values a trend is tested on: with
// fewer, Mann–Kendall cannot reach significance at usual levels and its
// "no trend" would say nothing.
const minTrendValues = 4

// Trend methods recorded in TrendSummary.Method.
const (
	MethodMannKendall         = "mann_kendall"
	MethodSeasonalMannKendall = "seasonal_mann_kendall"
)

// periodMonths is the length in months of an indicator's reporting
// period: hourly and daily data are reported by month.
func periodMonths(f models.Frequency) int {
	switch f {
	case models.FrequencyAnnual:
		return 12
	case models.FrequencyQuarterly:
		return 3
	}
	return 1
}

// slots lays period values on a regular grid from the first period to the
// last, NaN marking missing periods, as the trend package expects.
func slots(f models.Frequency, periods []models.PeriodValue) (time.Time, []float64) {
	if len(periods) == 0 {
		return time.Time{}, nil
	}
	step := periodMonths(f)
	first := periods[0].Period.Start
	index := func(t time.Time) int {
		return ((t.Year()-first.Year())*12 + int(t.Month()) - int(first.Month())) / step
	}
	values := make([]float64, index(periods[len(periods)-1].Period.Start)+1)
	for i := range values {
		values[i] = math.NaN()
	}
	for _, p := range periods {
		values[index(p.Period.Start)] = p.Value
	}
	return first, values
}

// trendOf tests a series of period values for a monotonic trend: the
// seasonal Kendall test when the series is monthly or quarterly and spans
// at least two years (seasons compared only with themselves), else the
// Mann–Kendall test. The slope is Sen's, per year.
func trendOf(ind models.Indicator, entity string, periods []models.PeriodValue, alpha float64) (models.TrendSummary, bool) {
	if len(periods) < minTrendValues {
		return models.TrendSummary{}, false
	}
	perYear := 12 / periodMonths(ind.Frequency)
	_, x := slots(ind.Frequency, periods)
	ts := models.TrendSummary{Indicator: ind.Code, Entity: entity, N: len(periods), From: periods[0].Period.Start, To: periods[len(periods)-1].Period.Start}
	ts.Rs, ts.Wp = math.NaN(), math.NaN()
	if rc, err := trend.Spearman(x, alpha); err == nil && rc.Verdict22.Known {
		ts.Spearman22, ts.Rs, ts.Wp = string(rc.Verdict22.Trend), rc.Rs, rc.Verdict22.Wp
	}
	if perYear > 1 && len(x) >= 2*perYear {
		if r, err := trend.Seasonal(x, perYear, alpha); err == nil && !math.IsNaN(r.Slope) {
			ts.Method, ts.Direction, ts.P, ts.SlopePerYear = MethodSeasonalMannKendall, string(r.Trend), r.P, r.Slope
			return ts, true
		}
	}
	r, err := trend.Original(x, alpha)
	if err != nil {
		return models.TrendSummary{}, false
	}
	ts.Method, ts.Direction, ts.P, ts.SlopePerYear = MethodMannKendall, string(r.Trend), r.P, r.Slope*float64(perYear)
	return ts, true
}

// trends tests every indicator with data over the analysis window: the
// district series of district indicators (the district's figures only:
// docs/progress.md §1), each configured section of per-section
// indicators, and the busiest TrendEntities entities of other per-entity
// indicators, so the number of series stays bounded.
func (e *Engine) trends(obs map[string][]models.Observation, district map[string]models.Series, counts map[string]figureCounts, asOf time.Time) []models.TrendSummary {
	from, to := asOf.Add(-e.analysis.Window), asOf.Add(time.Nanosecond)
	var out []models.TrendSummary
	add := func(ind models.Indicator, entity string, s models.Series) {
		if ts, ok := trendOf(ind, entity, s.Between(from, to).Periods, e.analysis.Alpha); ok {
			out = append(out, ts)
		}
	}
	for _, ind := range e.inds {
		list := obs[ind.Code]
		if len(list) == 0 {
			continue
		}
		if ind.Entity == "" {
			add(ind, "", district[ind.Code])
			continue
		}
		names := e.trendEntities(ind, list)
		if len(names) == 0 {
			continue
		}
		wanted := map[string]bool{}
		for _, n := range names {
			wanted[n] = true
		}
		var sub []models.Observation
		for _, o := range list {
			if wanted[o.Entity] {
				sub = append(sub, o)
			}
		}
		byEntity := entitySeries(ind, sub, counts[ind.Code])
		for _, entity := range names {
			add(ind, entity, byEntity[entity])
		}
	}
	return out
}

// trendEntities are the entities whose trends are computed: the configured
// sections for per-section indicators, else the TrendEntities entities with
// the most observations (ties by name).
func (e *Engine) trendEntities(ind models.Indicator, list []models.Observation) []string {
	if ind.Entity == "section" {
		names := make([]string, 0, len(e.sections))
		for _, c := range e.sections {
			names = append(names, c.Name)
		}
		return names
	}
	counts := map[string]int{}
	for _, o := range list {
		if o.Entity != "" {
			counts[o.Entity]++
		}
	}
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if counts[names[i]] != counts[names[j]] {
			return counts[names[i]] > counts[names[j]]
		}
		return names[i] < names[j]
	})
	return names[:min(len(names), e.trendN)]
}

// forecast projects an indicator's year figure to the year end with the
// trend package's model (seasonal Sen or least squares) and its prediction
// interval at 1 − Alpha, measured against the resolved target. Without a
// target the projection is still made; probability and meet date are then
// NaN and zero. Classes are not projected.
func (e *Engine) forecast(ind models.Indicator, s models.Series, p models.Progress, asOf time.Time) (models.Forecast, bool) {
	if ind.Kind == models.KindClass {
		return models.Forecast{}, false
	}
	periods := s.Between(asOf.Add(-e.analysis.Window), cutoff(asOf, yearStart(p.Year+1))).Periods
	if len(periods) < 3 {
		return models.Forecast{}, false
	}
	start, values := slots(ind.Frequency, periods)
	hasTarget := !math.IsNaN(p.Target)
	goal := trend.Goal{Year: p.Year, HigherIsBetter: ind.Direction != models.DirectionLower, Aggregate: goalAggregate(ind)}
	if hasTarget {
		goal.Target = p.Target
	}
	pr, err := trend.Project(trend.History{Start: start, Period: 12 / periodMonths(ind.Frequency), Values: values}, goal, e.analysis.Alpha)
	if err != nil {
		e.log.Debug("no forecast", "indicator", ind.Code, "err", err)
		return models.Forecast{}, false
	}
	f := models.Forecast{
		Indicator: ind.Code, Year: p.Year, AsOf: asOf,
		Projected: pr.Projected, Lower: pr.Lower, Upper: pr.Upper, Level: pr.Level,
		ProjectedCompletion: math.NaN(), ProbabilityMeet: math.NaN(), Method: pr.Method,
	}
	if hasTarget {
		// A rate target (growth, unemployment) has no 完成率 — a percent of
		// a percent means nothing — so no projected one either; its
		// standing is 达标/未达标 in 个百分点 (models.Progress.RateTarget).
		if !p.RateTarget {
			f.ProjectedCompletion = completion(pr.Projected, p.Target, ind.Direction)
		}
		f.ProbabilityMeet = pr.Probability
		f.MeetDate = pr.ReachDate
	}
	return f, true
}

// goalAggregate is how a year's periods make its figure, as yearToDate
// reads it: flows sum, mean levels average, the rest take the year end.
func goalAggregate(ind models.Indicator) trend.Aggregate {
	switch {
	case ind.Kind == models.KindFlow:
		return trend.Sum
	case ind.Kind == models.KindLevel && ind.Aggregation != models.AggregateLast:
		return trend.Mean
	}
	return trend.AtEnd
}
