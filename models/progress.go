package models

import "time"

// Progress is an indicator's standing in a target year, as of a date. All
// values are in the indicator's base unit; ratios are 0–1. A field that
// cannot be computed is NaN (JSON: null), never zero. The rules per kind of
// indicator are in docs/progress.md.
type Progress struct {
	Indicator string    `json:"indicator"`
	Year      int       `json:"year"`
	AsOf      time.Time `json:"as_of"`
	// Actual is the year-to-date figure (累计) by the indicator's kind:
	// flows sum, stocks and cumulatives take the latest value, levels the
	// mean (the latest for levels aggregated "last"), ratios and classes
	// the latest; district water shares are recomputed on mean
	// concentrations.
	Actual float64 `json:"actual"`
	// Through is the end (exclusive) of the last period Actual covers:
	// 2024-06-01 for monthly data through May ("1–5月").
	Through time.Time `json:"through"`
	// Latest is the newest single observation and LatestTime its time.
	Latest     float64   `json:"latest"`
	LatestTime time.Time `json:"latest_time"`
	// PeriodValue is 本月值: the value of the latest reporting period
	// (month, quarter or year by the indicator's frequency; hourly and
	// daily data are aggregated to months), PeriodStart its start.
	PeriodValue float64   `json:"period_value"`
	PeriodStart time.Time `json:"period_start"`
	// Target is the year's target resolved to an amount (a +4% growth
	// target becomes prior-year actual × 1.04); NaN without a number.
	Target float64 `json:"target"`
	// TargetBasis says where Target comes from: "absolute", "growth_history"
	// (prior-year actual from stored data), "growth_baseline" (prior year
	// from the catalogue baseline), "growth_unresolved", "municipal" or
	// "none".
	TargetBasis string `json:"target_basis"`
	// Completion is 完成率: Actual/Target for higher-is-better indicators,
	// Target/Actual for lower-is-better ones, so ≥ 1 always means met; for
	// stocks and cumulatives with a known year start the year's increment
	// against the increment the target asks (CompletionBasis). NaN when the
	// target or (lower is better) the actual is not positive, and for rate
	// targets (RateTarget): a percent of a percent means nothing.
	Completion float64 `json:"completion"`
	// CompletionBasis says what Completion measures: "year" (the year's
	// figure against the target), "increment" (比年初增量 against target −
	// year start), "total" (a stock's whole value against the target, its
	// year start unknown) or "" (no 完成率).
	CompletionBasis string `json:"completion_basis"`
	// TimeProgress is 序时进度: months covered / 12 for monthly and
	// quarterly data, days covered / days in the year for daily and
	// hourly data, 1 once an annual figure is in; by the as-of date when
	// there is no data.
	TimeProgress float64 `json:"time_progress"`
	// Pace is the share of the year's task done that is compared with
	// TimeProgress: Completion for flows; (Actual − YearStart)/(Target −
	// YearStart) for stocks and cumulatives when the year start is known;
	// for lower-is-better flows (caps) the share of the cap used, ahead
	// while it is ≤ TimeProgress. NaN where pace does not apply (levels,
	// ratios, classes: their status compares the value with the target).
	Pace   float64 `json:"pace"`
	Status Status  `json:"status"`
	// RateTarget marks a target on a rate (a ratio indicator: GDP growth
	// 5%左右, unemployment 5%以内): reported by Points, in 个百分点, with no
	// 完成率. Ceiling says the target is an upper bound (以内, lower is
	// better), kept as "控制在目标以内".
	RateTarget bool `json:"rate_target"`
	Ceiling    bool `json:"ceiling"`
	// Points is, for a rate target, actual − target in ratio units, both
	// rounded to the reporting precision (0.004: 高于目标0.4个百分点); NaN
	// otherwise.
	Points float64 `json:"points"`
	// Gap is the distance to the target in base units, positive when
	// better than the target ("优于目标X微克"), negative when short of it.
	Gap float64 `json:"gap"`
	// MoM and YoY are 环比 and 同比 of the latest period: relative changes
	// for amounts, differences in ratio units (个百分点 when ×100) for
	// ratio indicators (ChangeInPoints) and in classes for class
	// indicators. 环比 crosses year boundaries (January against December);
	// a missing adjacent period gives NaN.
	MoM            float64 `json:"mom"`
	YoY            float64 `json:"yoy"`
	ChangeInPoints bool    `json:"change_in_points"`
	// YTDYoY is 累计同比: Actual against the same span of the prior year,
	// relative (points for ratios).
	YTDYoY float64 `json:"ytd_yoy"`
	// PriorYear is the prior year's full-year figure by the same rule as
	// Actual (the base of growth targets), NaN when that year is incomplete.
	PriorYear float64 `json:"prior_year"`
	// YearStart and SinceYearStart are, for stocks and cumulatives, the
	// value at the end of the prior year (年初) and Actual − YearStart
	// (比年初增加); NaN for other kinds.
	YearStart      float64 `json:"year_start"`
	SinceYearStart float64 `json:"since_year_start"`
	// Observations is how many figures the year-to-date figure uses (an
	// hourly series counts its hours).
	Observations int `json:"observations"`
	// Demo is set when the period value or the year-to-date figure still
	// rests on demo data (provider demo): shown as 演示.
	Demo bool `json:"demo"`
	// Plan is where the target comes from (empty without a target);
	// Plan.Demo marks an illustrative plan (演示).
	Plan Origin `json:"plan"`
	// SpanFrom and SpanTo are a multi-year target's span (0 for a single
	// year); SpanTimeProgress is 序时进度 over the span: (years before this
	// one + TimeProgress) / years in the span.
	SpanFrom         int     `json:"span_from"`
	SpanTo           int     `json:"span_to"`
	SpanTimeProgress float64 `json:"span_time_progress"`
	// BaseYear and Base are what a reduction, increase or span target is
	// measured from (the plan's stated base, else the base year's stored
	// full-year figure); EndTarget is the target at the span's end. Target
	// is this year's step on the path (docs/progress.md §4).
	BaseYear  int     `json:"base_year"`
	Base      float64 `json:"base"`
	EndTarget float64 `json:"end_target"`
	// Change is the change against Base (−0.08 for 下降8%), NaN without
	// a base; ConstantPrices says Actual and Change are at the base
	// year's prices (an intensity over the real GDP index).
	Change         float64 `json:"change"`
	ConstantPrices bool    `json:"constant_prices"`
	// Final is set once the year is closed (its last period is in, or the
	// cut-off passed); Result is then its 全年完成情况.
	Final  bool        `json:"final"`
	Result FinalResult `json:"result"`
}

// Forecast projects an indicator to the end of its target year.
type Forecast struct {
	Indicator string    `json:"indicator"`
	Year      int       `json:"year"`
	AsOf      time.Time `json:"as_of"`
	// Projected is the expected year-end figure (same basis as
	// Progress.Actual), with a prediction interval at Level.
	Projected float64 `json:"projected"`
	Lower     float64 `json:"lower"`
	Upper     float64 `json:"upper"`
	Level     float64 `json:"level"`
	// ProjectedCompletion is Projected measured against the target like
	// Progress.Completion.
	ProjectedCompletion float64 `json:"projected_completion"`
	// ProbabilityMeet is the probability that the year-end figure meets
	// the target.
	ProbabilityMeet float64 `json:"probability_meet"`
	// MeetDate is when the target would be met at the current pace; zero
	// if not within the horizon.
	MeetDate time.Time `json:"meet_date"`
	Method   string    `json:"method"`
}

// TrendSummary is the outcome of a trend test on one series.
type TrendSummary struct {
	Indicator string `json:"indicator"`
	Entity    string `json:"entity,omitempty"`
	Method    string `json:"method"`
	// Direction is "increasing", "decreasing" or "no trend".
	Direction string  `json:"direction"`
	P         float64 `json:"p"`
	// SlopePerYear is Sen's slope in base units per year.
	SlopePerYear float64   `json:"slope_per_year"`
	N            int       `json:"n"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	// Spearman22 is the verdict of 环办〔2011〕22号 (HJ 663-2013 附录B) on
	// the same values: Spearman's Rs, |Rs| rounded to 3 decimals against the
	// W_p table (Wp); "increasing", "decreasing" or "no trend". Empty, with
	// NaN Rs and Wp, below 5 values.
	Spearman22 string  `json:"spearman_22"`
	Rs         float64 `json:"r_s"`
	Wp         float64 `json:"w_p"`
}
