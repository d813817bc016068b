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
	// BasisQualitative: the plan's target has no number ("稳步增长"); the
	// status is StatusNoTarget and the target is shown as written.
	BasisQualitative = "qualitative"
	// BasisSpanPath: this year's step on a multi-year plan's path from the
	// base year's figure to the end target (linear unless the plan says
	// geometric); BasisSpanEnd: the end target itself, the base being
	// unknown; BasisSpanShare: a flow's span total shared evenly by year.
	BasisSpanPath  = "span_path"
	BasisSpanEnd   = "span_end"
	BasisSpanShare = "span_share"
	// BasisReduction and BasisIncrease: base × (1 ∓ rate), along the path
	// for a span; BasisBaseUnresolved: a rate target whose base is known
	// neither from the plan nor from stored figures of the base year.
	BasisReduction      = "reduction"
	BasisIncrease       = "increase"
	BasisBaseUnresolved = "base_unresolved"
)

// DefaultFinalAfterMonths is the cut-off after a year's end when its
// results are fixed even if its last period never arrived
// (analysis.final_after_months).
const DefaultFinalAfterMonths = 3

// ComputeProgress measures an indicator against its target for year, as of
// asOf, from its figures (one per entity and period; those after asOf are
// ignored) under the default scope: the figures without entity are the
// district's. It reads no clock and no database. The semantics per kind —
// year-to-date rules, 序时进度, status, growth and municipal targets — are
// documented in docs/progress.md.
func ComputeProgress(ind models.Indicator, obs []models.Observation, year int, asOf time.Time) models.Progress {
	p := progressOf(ind, DistrictSeries(ind, obs, Scope{}), year, asOf)
	closeYear(&p, DefaultFinalAfterMonths)
	return p
}

// progressOf computes progress on the district's series; every period
// rule is the models.Series one. The caller closes the year (closeYear)
// with its cut-off, after any settle of its own.
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
	p.Base, p.EndTarget, p.Change, p.SpanTimeProgress = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	if t := ind.Target; t != nil && t.Year == year {
		p.Plan, p.BaseYear = t.Plan, t.BaseYear
		if t.MultiYear() {
			p.SpanFrom, p.SpanTo = t.From, t.To
		}
		p.Base = baseValue(ind, known, t)
	}
	p.Target, p.EndTarget, p.TargetBasis = resolveTarget(ind, year, p.PriorYear, p.Base)
	settle(ind, &p)
	return p
}

// baseValue is what a target is measured from: the base the plan states,
// else the base year's full-year figure in the stored data, else a
// baseline of that year a plan states (an exact or approximate one).
func baseValue(ind models.Indicator, known models.Series, t *models.Target) float64 {
	if !math.IsNaN(t.BaseValue) && t.BaseValue != 0 {
		return t.BaseValue
	}
	if t.BaseYear == 0 {
		return math.NaN()
	}
	if f := known.FullYear(t.BaseYear); f.OK {
		return f.Value
	}
	if b := ind.Baseline; b != nil && b.Year == t.BaseYear && b.Qualifier != models.QualifierMunicipal {
		return b.Value
	}
	return math.NaN()
}

// closeYear fixes the year's final result (全年完成情况) once the year's
// last period is in (December's figure of a monthly series, the annual
// figure) or finalAfter months have passed since its end: an amount still
// short, or a level still not met, is then 未完成 (missed).
func closeYear(p *models.Progress, finalAfter int) {
	next := yearStart(p.Year + 1)
	complete := !p.Through.Before(next)
	p.Final = complete || !p.AsOf.Before(next.AddDate(0, finalAfter, 0))
	p.Result = ""
	if !p.Final {
		return
	}
	switch p.Status {
	case models.StatusAhead, models.StatusBehind, models.StatusPaceUnknown, models.StatusNotMet:
		// Still short at the close: the annual task failed.
		p.Status = models.StatusMissed
	}
	p.Result = models.ResultOf(p.Status)
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

// resolveTarget turns the target in force for year into this year's
// amount and the end target of its span (docs/progress.md §4). A growth
// target is the prior year's actual × (1 + growth): from stored history
// when that year is complete, else from a plan's baseline of that year.
// A reduction or increase is base × (1 ∓ rate) at the span's end, and
// this year's step on the path from the base year. Municipal targets stay
// NaN: they are never zero.
func resolveTarget(ind models.Indicator, year int, prior, base float64) (target, end float64, basis string) {
	t := ind.Target
	nan := math.NaN()
	if t == nil || t.Year != year {
		return nan, nan, BasisNone
	}
	switch t.Kind {
	case models.TargetMunicipal:
		return nan, nan, BasisMunicipal
	case models.TargetQualitative:
		return nan, nan, BasisQualitative
	case models.TargetGrowth:
		if !math.IsNaN(prior) {
			v := prior * (1 + t.Value)
			return v, v, BasisGrowthHistory
		}
		if b := ind.Baseline; b != nil && b.Year == year-1 {
			v := b.Value * (1 + t.Value)
			return v, v, BasisGrowthBaseline
		}
		return nan, nan, BasisGrowthUnresolved
	case models.TargetReduction, models.TargetIncrease:
		if math.IsNaN(base) {
			return nan, nan, BasisBaseUnresolved
		}
		end, basis = base*(1-t.Value), BasisReduction
		if t.Kind == models.TargetIncrease {
			end, basis = base*(1+t.Value), BasisIncrease
		}
		return models.PathValue(base, end, t.BaseYear, year, t.To, t.Path), end, basis
	}
	if !t.MultiYear() {
		return t.Value, t.Value, BasisAbsolute
	}
	if ind.Kind == models.KindFlow {
		return t.Value / float64(t.To-t.From+1), t.Value, BasisSpanShare
	}
	if math.IsNaN(base) {
		return t.Value, t.Value, BasisSpanEnd
	}
	return models.PathValue(base, t.Value, t.BaseYear, year, t.To, t.Path), t.Value, BasisSpanPath
}

// bound is the qualifier and direction that decide whether an actual
// meets the resolved target. A rate target bounds the rate, not the
// figure: "下降13.5%以上" (at least a 13.5 % fall) is met by a figure at
// most base × 0.865.
func bound(ind models.Indicator) (models.Qualifier, models.Direction) {
	t := ind.Target
	switch t.Kind {
	case models.TargetReduction:
		flip := map[models.Qualifier]models.Qualifier{
			models.QualifierAtLeast: models.QualifierAtMost, models.QualifierMoreThan: models.QualifierLessThan,
			models.QualifierAtMost: models.QualifierAtLeast, models.QualifierLessThan: models.QualifierMoreThan,
		}
		q, ok := flip[t.Qualifier]
		if !ok {
			q = models.QualifierAtMost
		}
		return q, models.DirectionLower
	case models.TargetIncrease:
		return t.Qualifier, models.DirectionHigher
	}
	return t.Qualifier, ind.Direction
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
// shares recomputed on mean concentrations) and settle again. Every
// comparison is on values rounded to the indicator's reporting precision
// (models.ReportingStep, GB/T 8170): a PM2.5 mean of 32.04 published as
// 32.0 meets 32.
func settle(ind models.Indicator, p *models.Progress) {
	p.Completion, p.Pace, p.Gap, p.Points = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	p.CompletionBasis, p.RateTarget, p.Ceiling = "", false, false
	if p.SpanTo > p.SpanFrom && p.SpanFrom != 0 {
		// 序时进度 over the plan's span: whole years gone plus this one's.
		p.SpanTimeProgress = (float64(p.Year-p.SpanFrom) + p.TimeProgress) / float64(p.SpanTo-p.SpanFrom+1)
	}
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
	q, dir := bound(ind)
	if !math.IsNaN(p.Base) && p.Base > 0 {
		p.Change = p.Actual/p.Base - 1
	}
	step := models.ReportingStep(ind, p.Target)
	na, nt := models.RoundUnits(p.Actual, step), models.RoundUnits(p.Target, step)
	p.Gap = (na - nt) * step
	if dir == models.DirectionLower {
		p.Gap = -p.Gap
	}
	met := meets(na, nt, q, dir)
	rate := isRateTarget(ind)
	near := !met && ind.Target.Qualifier == models.QualifierApprox && models.WithinApprox(na*step, nt*step, rate)
	p.Ceiling = dir == models.DirectionLower || q == models.QualifierAtMost || q == models.QualifierLessThan
	if rate {
		p.RateTarget, p.Points = true, (na-nt)*step
	} else {
		p.Completion, p.CompletionBasis = completion(p.Actual, p.Target, dir), "year"
	}
	over := !p.AsOf.Before(yearStart(p.Year+1)) && !p.Through.Before(yearStart(p.Year+1))
	switch {
	case ind.Kind == models.KindFlow && ind.Direction == models.DirectionLower:
		p.Status = capStatus(p, met, near, over)
	case ind.Kind == models.KindFlow || (isStockLike(ind.Kind) && ind.Direction == models.DirectionHigher):
		p.Status = amountStatus(ind, p, met, near, over)
	case met:
		p.Status = models.StatusMet
	case near:
		p.Status = models.StatusBasicallyMet
	default:
		p.Status = models.StatusNotMet
	}
}

// isRateTarget reports whether the target is on a rate — a ratio
// indicator (growth rate, unemployment rate, share) with an absolute
// target: compared in 个百分点, without 完成率.
func isRateTarget(ind models.Indicator) bool {
	return ind.Kind == models.KindRatio && !ind.Target.Kind.IsRate()
}

// amountStatus is the status of a flow, stock or cumulative that should
// grow: completed once the target is met (basically completed within a
// 左右 tolerance), missed if the year is over without it, else ahead or
// behind as its pace compares with 序时进度. A stock or cumulative's pace
// is the year's increment against the increment the target asks; with its
// year start unknown the pace cannot be judged (pace_unknown), and its 完成率
// is then its total against the target, labelled so (CompletionBasis
// "total").
func amountStatus(ind models.Indicator, p *models.Progress, met, near, over bool) models.Status {
	p.Pace = p.Completion
	if isStockLike(ind.Kind) {
		p.Pace, p.CompletionBasis = math.NaN(), "total"
		if !math.IsNaN(p.YearStart) && p.Target > p.YearStart {
			// A balance that starts the year at 470 of 500 is not 94% done:
			// what the year must deliver is the increase.
			p.Pace = (p.Actual - p.YearStart) / (p.Target - p.YearStart)
			p.Completion, p.CompletionBasis = p.Pace, "increment"
		}
	}
	switch {
	case met:
		return models.StatusCompleted
	case near:
		return models.StatusBasicallyCompleted
	case over:
		return models.StatusMissed
	case isStockLike(ind.Kind) && math.IsNaN(p.YearStart):
		return models.StatusPaceUnknown
	case aheadOf(p.Pace, p.TimeProgress):
		return models.StatusAhead
	}
	return models.StatusBehind
}

// aheadOf compares a pace with 序时进度 as both are published, in percent
// to one decimal (GB/T 8170): 49.96 % is on time against 50 %.
func aheadOf(pace, timeProgress float64) bool {
	const step = 0.001
	return models.RoundUnits(pace, step) >= models.RoundUnits(timeProgress, step)
}

// capStatus is the status of a flow with a ceiling (lower is better): the
// cap is missed as soon as it is exceeded (beyond a 左右 tolerance),
// completed when the year ends within it, and in between ahead while the
// share of the cap used does not exceed 序时进度.
func capStatus(p *models.Progress, met, near, over bool) models.Status {
	if p.Target > 0 {
		p.Pace = p.Actual / p.Target
	}
	switch {
	case !met && !near:
		return models.StatusMissed
	case over && met:
		return models.StatusCompleted
	case over:
		return models.StatusBasicallyCompleted
	case aheadOf(p.TimeProgress, p.Pace):
		return models.StatusAhead
	}
	return models.StatusBehind
}
