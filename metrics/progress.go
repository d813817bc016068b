package metrics

import (
	"math"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Target bases recorded in Progress.TargetBasis.
const (
	BasisAbsolute         = "absolute"
	BasisGrowthHistory    = "growth_history"
	BasisGrowthBaseline   = "growth_baseline"
	BasisGrowthUnresolved = "growth_unresolved"
	BasisMunicipal        = "municipal"
	BasisNone             = "none"
)

// ComputeProgress measures an indicator against its target for year, as of
// asOf, from its figures (one per entity and period; those after asOf are
// ignored) under the default scope: the figures without entity are the
// district's. It reads no clock and no database. The semantics per kind —
// year-to-date rules, 序时进度, status, growth and municipal targets — are
// documented in docs/progress.md.
func ComputeProgress(ind models.Indicator, obs []models.Observation, year int, asOf time.Time) models.Progress {
	return progressOf(ind, DistrictSeries(ind, obs, Scope{}), year, asOf)
}

// progressOf computes progress on the district's series; every period
// rule is the models.Series one.
func progressOf(ind models.Indicator, s models.Series, year int, asOf time.Time) models.Progress {
	asOf = asOf.In(models.Shanghai)
	cut := cutoff(asOf, yearStart(year+1))
	p := models.Progress{
		Indicator: ind.Code, Year: year, AsOf: asOf,
		Actual: math.NaN(), Latest: math.NaN(), PeriodValue: math.NaN(),
		Target: math.NaN(), Completion: math.NaN(), Pace: math.NaN(), Gap: math.NaN(),
		MoM: math.NaN(), YoY: math.NaN(), YTDYoY: math.NaN(),
		PriorYear: math.NaN(), YearStart: math.NaN(), SinceYearStart: math.NaN(),
		ChangeInPoints: ind.Kind == models.KindRatio,
	}
	known := s.Until(cut)
	if latest, ok := known.Latest(); ok {
		p.Latest, p.LatestTime = latest.Last, latest.LastTime
		c := known.ChangesAt(latest.Period)
		p.PeriodValue, p.PeriodStart, p.MoM, p.YoY = c.Value, c.Period.Start, c.MoM, c.YoY
		p.Demo = latest.Demo
	}
	ytd := known.YearToDate(year, cut)
	if ytd.OK {
		p.Actual, p.Observations = ytd.Value, ytd.Figures
		p.Through = models.CoveredUntil(ind.Frequency, ytd.Last)
		p.Demo = p.Demo || ytd.Demo
	}
	p.TimeProgress = timeProgress(ind.Frequency, year, asOf, p.Through, ytd.OK)
	p.PriorYear = known.FullYear(year - 1).Value
	if ytd.OK {
		p.YTDYoY = models.Change(ind.Kind, p.Actual, known.PriorSpan(year, p.Through).Value)
	}
	if isStockLike(ind.Kind) {
		p.YearStart = known.YearStartValue(year, ind.Baseline)
		p.SinceYearStart = p.Actual - p.YearStart
	}
	p.Target, p.TargetBasis = resolveTarget(ind, year, p.PriorYear)
	settle(ind, &p)
	return p
}

// cutoff is the exclusive end of what counts as known at asOf for a year
// ending at end: observations stamped at or before asOf, within the year.
func cutoff(asOf, end time.Time) time.Time {
	if c := asOf.Add(time.Nanosecond); c.Before(end) {
		return c
	}
	return end
}

func isStockLike(k models.Kind) bool { return k == models.KindStock || k == models.KindCumulative }

// timeProgress is 序时进度. With data it is the share of the year the data
// covers, so that a 1–5月 total is compared with 5/12 and not with the
// calendar date the report is written on: months/12 for monthly and
// quarterly data, days/days-in-year for daily and hourly data (366 in a
// leap year), 1 for an annual figure. Without data it is the share of the
// year elapsed by asOf, counting asOf's day.
func timeProgress(f models.Frequency, year int, asOf, through time.Time, hasData bool) float64 {
	if !hasData {
		return dateProgress(year, asOf)
	}
	switch f {
	case models.FrequencyAnnual:
		return 1
	case models.FrequencyMonthly, models.FrequencyQuarterly:
		months := (through.Year()-year)*12 + int(through.Month()) - 1
		return clamp01(float64(months) / 12)
	}
	days := math.Round(through.Sub(yearStart(year)).Hours() / 24)
	return clamp01(days / daysInYear(year))
}

// dateProgress is days elapsed (asOf's day included) / days in year.
func dateProgress(year int, asOf time.Time) float64 {
	asOf = asOf.In(models.Shanghai)
	switch {
	case asOf.Year() < year:
		return 0
	case asOf.Year() > year:
		return 1
	}
	return float64(asOf.YearDay()) / daysInYear(year)
}

func clamp01(v float64) float64 { return math.Max(0, math.Min(1, v)) }

// resolveTarget turns the catalogue target for year into an amount. A
// growth target is the prior year's actual × (1 + growth): from stored
// history when that year is complete, else from the catalogue baseline of
// that year. Municipal targets stay NaN: they are never zero.
func resolveTarget(ind models.Indicator, year int, prior float64) (float64, string) {
	t := ind.Target
	if t == nil || t.Year != year {
		return math.NaN(), BasisNone
	}
	switch t.Kind {
	case models.TargetMunicipal:
		return math.NaN(), BasisMunicipal
	case models.TargetGrowth:
		if !math.IsNaN(prior) {
			return prior * (1 + t.Value), BasisGrowthHistory
		}
		if b := ind.Baseline; b != nil && b.Year == year-1 {
			return b.Value * (1 + t.Value), BasisGrowthBaseline
		}
		return math.NaN(), BasisGrowthUnresolved
	}
	return t.Value, BasisAbsolute
}

// meets reports whether actual satisfies target. An explicit bound in the
// target's wording decides the comparison — 超/超过 is strictly more ("超300
// 亿" needs > 3e10), 以上/不少于 at least, 以内/以下/控制在 at most, 不满/低于
// strictly less; otherwise the better direction decides, bound included.
func meets(actual, target float64, q models.Qualifier, d models.Direction) bool {
	switch q {
	case models.QualifierMoreThan:
		return actual > target
	case models.QualifierAtLeast:
		return actual >= target
	case models.QualifierAtMost:
		return actual <= target
	case models.QualifierLessThan:
		return actual < target
	}
	if d == models.DirectionLower {
		return actual <= target
	}
	return actual >= target
}

// completion is 完成率: actual/target when higher is better, target/actual
// when lower is better, so that ≥ 1 means met; NaN when the divisor or the
// target is not positive (a ratio of negative growth rates means nothing).
func completion(actual, target float64, d models.Direction) float64 {
	if math.IsNaN(actual) || math.IsNaN(target) || target <= 0 {
		return math.NaN()
	}
	if d == models.DirectionLower {
		if actual <= 0 {
			return math.NaN()
		}
		return target / actual
	}
	return actual / target
}

// settle fills completion, pace, gap and status from the figures already in
// p. It is separate so that the engine can replace Actual (district water
// shares recomputed on mean concentrations) and settle again.
func settle(ind models.Indicator, p *models.Progress) {
	p.Completion, p.Pace, p.Gap = math.NaN(), math.NaN(), math.NaN()
	if isStockLike(ind.Kind) {
		p.SinceYearStart = p.Actual - p.YearStart
	}
	switch {
	case p.TargetBasis == BasisMunicipal:
		p.Status = models.StatusMunicipal
		return
	case p.Observations == 0 || math.IsNaN(p.Actual):
		p.Status = models.StatusNoData
		return
	case math.IsNaN(p.Target):
		p.Status = models.StatusNoTarget
		return
	}
	p.Completion = completion(p.Actual, p.Target, ind.Direction)
	p.Gap = p.Actual - p.Target
	if ind.Direction == models.DirectionLower {
		p.Gap = -p.Gap
	}
	met := meets(p.Actual, p.Target, ind.Target.Qualifier, ind.Direction)
	over := !p.AsOf.Before(yearStart(p.Year+1)) && !p.Through.Before(yearStart(p.Year+1))
	switch {
	case ind.Kind == models.KindFlow && ind.Direction == models.DirectionLower:
		p.Status = capStatus(p, met, over)
	case ind.Kind == models.KindFlow || (isStockLike(ind.Kind) && ind.Direction == models.DirectionHigher):
		p.Status = amountStatus(ind, p, met, over)
	case met:
		p.Status = models.StatusAchieved
	default:
		p.Status = models.StatusMissed
	}
}

// amountStatus is the status of a flow, stock or cumulative that should
// grow: achieved once the target is met, missed if the year is over
// without it, else ahead or behind as its pace compares with 序时进度.
func amountStatus(ind models.Indicator, p *models.Progress, met, over bool) models.Status {
	p.Pace = p.Completion
	if isStockLike(ind.Kind) && !math.IsNaN(p.YearStart) && p.Target > p.YearStart {
		// A balance that starts the year at 470 of 500 is not 94% done:
		// what the year must deliver is the increase.
		p.Pace = (p.Actual - p.YearStart) / (p.Target - p.YearStart)
	}
	switch {
	case met:
		return models.StatusAchieved
	case over:
		return models.StatusMissed
	case p.Pace >= p.TimeProgress:
		return models.StatusAhead
	}
	return models.StatusBehind
}

// capStatus is the status of a flow with a ceiling (lower is better): the
// cap is missed as soon as it is exceeded, achieved when the year ends
// within it, and in between ahead while the share of the cap used does not
// exceed 序时进度.
func capStatus(p *models.Progress, met, over bool) models.Status {
	if p.Target > 0 {
		p.Pace = p.Actual / p.Target
	}
	switch {
	case !met:
		return models.StatusMissed
	case over:
		return models.StatusAchieved
	case p.Pace <= p.TimeProgress:
		return models.StatusAhead
	}
	return models.StatusBehind
}
