package models

import (
	"fmt"
	"math"
)

// Status is where an indicator stands against its target, in the words a
// bureau publishes (docs/progress.md §6). Which statuses apply depends on
// the kind of indicator and on the time of year:
//
//   - amounts that should grow (flows, stocks, cumulatives): 超序时/落后序时
//     during the year, 已完成 only once the annual target is reached, 未完成
//     once the year is closed without it;
//   - levels, ratios and classes: 达标/未达标, the current standing — never
//     已完成 mid-year (half a year of PM2.5 is not half an annual mean);
//   - 左右 (approximate) targets: 基本完成/基本达标 within the tolerance of
//     ApproxTolerance;
//   - rate targets (a ratio indicator: growth rate, unemployment rate) are
//     达标/未达标 with the difference in 个百分点 (Progress.StatusZh), never a
//     完成率.
//
// The codes are ASCII and are the exporter's `status` label values; the
// words are in statusWords, the one vocabulary the CLI, the report, the
// dashboards and the alert texts use.
type Status string

// Statuses of target progress.
const (
	// StatusAhead: an amount whose pace is at least 序时进度 (超序时进度); a
	// capped flow whose share of the cap used is at most 序时进度.
	StatusAhead Status = "ahead"
	// StatusBehind: the opposite of StatusAhead (落后序时进度).
	StatusBehind Status = "behind"
	// StatusPaceUnknown: a stock or cumulative below its target whose value
	// at the start of the year (年初数) is unknown, so the year's pace cannot
	// be judged (无法判断序时): its total against the target says nothing of
	// what the year delivered.
	StatusPaceUnknown Status = "pace_unknown"
	// StatusCompleted: an amount has reached its annual target (已完成), or a
	// capped flow ended its year within the cap.
	StatusCompleted Status = "completed"
	// StatusBasicallyCompleted: an amount with a 左右 target is short of it
	// by no more than the tolerance (基本完成).
	StatusBasicallyCompleted Status = "basically_completed"
	// StatusMissed: the year is closed without the target met, or a capped
	// flow has exceeded its cap (未完成). It is the only status that says
	// an annual task failed.
	StatusMissed Status = "missed"
	// StatusMet: a level, ratio or class currently meets its target (达标).
	StatusMet Status = "met"
	// StatusBasicallyMet: a level or ratio with a 左右 target is off it by
	// no more than the tolerance (基本达标).
	StatusBasicallyMet Status = "basically_met"
	// StatusNotMet: a level, ratio or class currently does not meet its
	// target (未达标); it becomes StatusMissed when the year closes.
	StatusNotMet Status = "not_met"
	// StatusNoTarget: the plans set no number for this year, or a growth
	// target has no prior-year figure to grow from (未设定目标).
	StatusNoTarget Status = "no_target"
	// StatusMunicipal: the municipality sets the number (市级下达); never
	// measured against zero.
	StatusMunicipal Status = "municipal"
	// StatusNoData: no observation in the year yet.
	StatusNoData Status = "no_data"
)

// Statuses lists every status, in the order tallies are written.
var Statuses = []Status{
	StatusCompleted, StatusBasicallyCompleted, StatusAhead, StatusBehind, StatusPaceUnknown,
	StatusMet, StatusBasicallyMet, StatusNotMet, StatusMissed,
	StatusMunicipal, StatusNoData, StatusNoTarget,
}

// statusWords are the statuses as the report writes them: Chinese, English.
var statusWords = map[Status][2]string{
	StatusAhead:              {"超序时", "ahead of schedule"},
	StatusBehind:             {"落后序时", "behind schedule"},
	StatusPaceUnknown:        {"无法判断序时（无年初数）", "pace unknown (no year-start figure)"},
	StatusCompleted:          {"已完成", "completed"},
	StatusBasicallyCompleted: {"基本完成", "basically completed"},
	StatusMissed:             {"未完成", "not completed"},
	StatusMet:                {"达标", "met"},
	StatusBasicallyMet:       {"基本达标", "basically met"},
	StatusNotMet:             {"未达标", "not met"},
	StatusNoTarget:           {"未设定目标", "no target"},
	StatusMunicipal:          {"市级下达", "set by the municipality"},
	StatusNoData:             {"暂无数据", "no data"},
}

// NameZh is the status as the monthly report writes it.
func (s Status) NameZh() string {
	if w, ok := statusWords[s]; ok {
		return w[0]
	}
	return string(s)
}

// NameEn is the status in the English report.
func (s Status) NameEn() string {
	if w, ok := statusWords[s]; ok {
		return w[1]
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	_, ok := statusWords[s]
	return ok
}

// Judged reports whether the status compares a figure with a number:
// everything but municipal, no data and no target.
func (s Status) Judged() bool {
	switch s {
	case StatusMunicipal, StatusNoData, StatusNoTarget, "":
		return false
	}
	return true
}

// ApproxTolerance is how far a 左右 (approximately) target may be missed
// and still count as 基本完成/基本达标. domain.md sets no tolerance; these
// are the bureau's reading of 左右 for the 2024 targets (docs/progress.md
// §6.2): a rate within half a percentage point ("5%左右" is met by 4.5 % to
// 5.5 % and beyond on the good side), an amount or level within 2 % of the
// target ("1000亿元左右" by 980亿元).
const (
	ApproxTolerancePoints   = 0.005
	ApproxToleranceRelative = 0.02
)

// WithinApprox reports whether actual is within the 左右 tolerance of
// target, both already rounded to the reporting precision: in ratio units
// for a rate target (ApproxTolerancePoints), relative otherwise. The small
// slack absorbs the binary representation of decimal values (0.045 − 0.05).
func WithinApprox(actual, target float64, rate bool) bool {
	d := math.Abs(actual - target)
	if rate {
		return d <= ApproxTolerancePoints+1e-12
	}
	return d <= ApproxToleranceRelative*math.Abs(target)*(1+1e-12)
}

// ReportingDecimals is the precision an indicator is published with, as
// decimals of a display unit: rates and shares to 0.1 个百分点 and air
// concentrations to 0.1 of their display unit (domain.md §6: PM2.5 to 0.1
// µg/m³, CO to 0.1 mg/m³), an index, a class and a day count to whole
// numbers, any other figure as FormatQuantity prints it (2 decimals of
// its display unit: 97.87亿元). display is the unit the decimals are of:
// the catalogue's display unit, else the one FormatQuantity picks for ref.
func ReportingDecimals(ind Indicator, ref float64) (display string, decimals int) {
	display = ind.DisplayUnit
	if display == "" {
		display = autoDisplay(ref, ind.Unit)
	}
	switch {
	case ind.Unit == "ratio":
		return "%", 1
	case ind.Unit == "ug/m3" || ind.Unit == "mg/m3":
		return display, 1
	case ind.Unit == "index" || ind.Unit == "class" || ind.Kind == KindClass || display == "天":
		return display, 0
	}
	return display, 2
}

// ReportingStep is the reporting precision of ind in base units (0.001 for
// a rate: 0.1 个百分点; 1e6 CNY for 亿元 to two decimals). ref chooses the
// magnitude when the catalogue gives no display unit: use the target, so
// that actual and target round on one grid.
func ReportingStep(ind Indicator, ref float64) float64 {
	display, d := ReportingDecimals(ind, ref)
	step := math.Pow(10, -float64(d))
	if v, err := Convert(step, display, ind.Unit); err == nil && v > 0 {
		return v
	}
	return step
}

// RoundUnits is v in whole steps, rounded half to even (GB/T 8170
// 四舍六入五成双): 32.05 in steps of 0.1 is 320 (32.0), 32.15 is 322. A
// value within a relative 1e-9 of a half step is a half step, so that
// 32.05 stored as 32.04999… still rounds as written. NaN stays NaN.
func RoundUnits(v, step float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || step <= 0 {
		return v
	}
	x := v / step
	f := math.Floor(x)
	if math.Abs(x-f-0.5) <= 1e-9*math.Max(1, math.Abs(x)) {
		if math.Mod(f, 2) == 0 {
			return f
		}
		return f + 1
	}
	return math.Round(x)
}

// RoundHalfEven is v rounded to step by GB/T 8170 (RoundUnits × step).
func RoundHalfEven(v, step float64) float64 {
	if step <= 0 {
		return v
	}
	return RoundUnits(v, step) * step
}

// PointsZh writes a rate's difference from its target in 个百分点 the way a
// bureau does: "控制在目标以内" for a ceiling kept (失业率控制在5%以内),
// else "高于目标0.4个百分点", "低于目标0.3个百分点" or "与目标持平". points
// is actual − target in ratio units, already rounded.
func PointsZh(points float64, ceiling, met bool) string {
	switch {
	case math.IsNaN(points):
		return ""
	case ceiling && met:
		return "控制在目标以内"
	case math.Abs(points) < 5e-7:
		return "与目标持平"
	case points > 0:
		return "高于目标" + FormatPoints(points)
	}
	return "低于目标" + FormatPoints(-points)
}

// PointsEn is PointsZh in English.
func PointsEn(points float64, ceiling, met bool) string {
	switch {
	case math.IsNaN(points):
		return ""
	case ceiling && met:
		return "within the target"
	case math.Abs(points) < 5e-7:
		return "on target"
	case points > 0:
		return fmt.Sprintf("%s pp above target", trimDecimal(points*100, 1))
	}
	return fmt.Sprintf("%s pp below target", trimDecimal(-points*100, 1))
}

// StatusZh is the standing as the CLI and the report write it: the final
// result once the year is closed (完成, 基本完成, 未完成), else the status;
// for a rate target followed by its difference in 个百分点
// ("达标（高于目标0.4个百分点）", "未完成（低于目标0.3个百分点）").
func (p Progress) StatusZh() string {
	word := p.Status.NameZh()
	if p.Final && p.Result != "" {
		word = p.Result.NameZh()
	}
	if t := PointsZh(p.Points, p.Ceiling, p.metNow()); p.RateTarget && t != "" {
		word += "（" + t + "）"
	}
	return word
}

// StatusEn is StatusZh in English.
func (p Progress) StatusEn() string {
	word := p.Status.NameEn()
	if p.Final && p.Result != "" {
		word = p.Result.NameEn()
	}
	if t := PointsEn(p.Points, p.Ceiling, p.metNow()); p.RateTarget && t != "" {
		word += " (" + t + ")"
	}
	return word
}

// metNow reports whether the figure meets its target outright.
func (p Progress) metNow() bool {
	return p.Status == StatusMet || p.Status == StatusCompleted
}
