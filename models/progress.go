package models

import "time"

// Status is where an indicator stands against its annual target, in the
// report's words (domain.md §6).
type Status string

// Statuses of target progress.
const (
	// StatusAhead: completion ≥ time progress (超序时进度).
	StatusAhead Status = "ahead"
	// StatusBehind: completion < time progress (落后序时进度).
	StatusBehind Status = "behind"
	// StatusAchieved: the year's target is already met (已完成).
	StatusAchieved Status = "achieved"
	// StatusMissed: the target period is over and the target was not met (未完成).
	StatusMissed Status = "missed"
	// StatusNoTarget: the report sets no number for this year (未设定目标).
	StatusNoTarget Status = "no_target"
	// StatusMunicipal: the municipality sets the number (市级下达), not yet known.
	StatusMunicipal Status = "municipal"
	// StatusNoData: no observation in the year yet.
	StatusNoData Status = "no_data"
)

// NameZh is the status as the monthly report writes it.
func (s Status) NameZh() string {
	switch s {
	case StatusAhead:
		return "超序时"
	case StatusBehind:
		return "落后序时"
	case StatusAchieved:
		return "已完成"
	case StatusMissed:
		return "未完成"
	case StatusNoTarget:
		return "未设定目标"
	case StatusMunicipal:
		return "市级下达"
	case StatusNoData:
		return "暂无数据"
	}
	return string(s)
}

// Progress is an indicator's standing in a target year, as of a date. All
// values are in the indicator's base unit; ratios are 0–1. A field that
// cannot be computed is NaN (JSON: null), never zero.
type Progress struct {
	Indicator string    `json:"indicator"`
	Year      int       `json:"year"`
	AsOf      time.Time `json:"as_of"`
	// Actual is the year-to-date figure by the indicator's kind: flows sum,
	// stocks and cumulatives take the latest value, levels the mean, class
	// shares are recomputed on mean concentrations.
	Actual float64 `json:"actual"`
	// Latest is the newest single observation and LatestTime its time.
	Latest     float64   `json:"latest"`
	LatestTime time.Time `json:"latest_time"`
	// Target is the year's target resolved to an amount (a +4% growth
	// target becomes prior-year actual × 1.04); NaN without a number.
	Target float64 `json:"target"`
	// Completion is 完成率: Actual/Target for higher-is-better indicators,
	// Target/Actual for lower-is-better ones, so ≥ 1 always means met.
	Completion float64 `json:"completion"`
	// TimeProgress is 序时进度: days elapsed / days in the year, n/12 for
	// monthly data.
	TimeProgress float64 `json:"time_progress"`
	Status       Status  `json:"status"`
	// MoM and YoY are 环比 and 同比 of the latest period: relative changes
	// for amounts, differences in ratio units (个百分点 when ×100) for
	// ratio indicators (ChangeInPoints).
	MoM            float64 `json:"mom"`
	YoY            float64 `json:"yoy"`
	ChangeInPoints bool    `json:"change_in_points"`
	// Observations is how many observations the year-to-date figure uses.
	Observations int `json:"observations"`
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
}
