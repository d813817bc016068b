package models

// FinalResult is a target's outcome once its year is closed (全年完成情况):
// fixed after the year's last period is in, or at the configured cut-off
// (analysis.final_after_months) when it never arrives. Mid-year standings
// are Status; the two vocabularies share one place (resultWords below) so
// that their words are refined together.
type FinalResult string

// Final results.
const (
	// ResultCompleted: the target was met over the year (完成).
	ResultCompleted FinalResult = "completed"
	// ResultBasicallyCompleted: a 左右 target was missed by no more than
	// the tolerance (基本完成, models.ApproxTolerance).
	ResultBasicallyCompleted FinalResult = "basically_completed"
	// ResultNotCompleted: the year closed without the target met (未完成).
	ResultNotCompleted FinalResult = "not_completed"
	// ResultNoTarget: no plan set a number for the year (未设定目标).
	ResultNoTarget FinalResult = "no_target"
	// ResultMunicipal: the municipality sets and judges the number (市级下达).
	ResultMunicipal FinalResult = "municipal"
	// ResultNoData: the year closed with no figure of it (暂无数据).
	ResultNoData FinalResult = "no_data"
)

// resultWords are the report's words for final results, Chinese and
// English.
var resultWords = map[FinalResult][2]string{
	ResultCompleted:          {"完成", "target met"},
	ResultBasicallyCompleted: {"基本完成", "target basically met"},
	ResultNotCompleted:       {"未完成", "target not met"},
	ResultNoTarget:           {"未设定目标", "no target"},
	ResultMunicipal:          {"市级下达", "set by the municipality"},
	ResultNoData:             {"暂无数据", "no data"},
}

// NameZh is the result as the report writes it.
func (r FinalResult) NameZh() string {
	if w, ok := resultWords[r]; ok {
		return w[0]
	}
	return string(r)
}

// NameEn is the result in the English report.
func (r FinalResult) NameEn() string {
	if w, ok := resultWords[r]; ok {
		return w[1]
	}
	return string(r)
}

// ResultOf is the final result a closed year's status stands for: a met
// target (completed, met) is 完成, one within a 左右 tolerance (basically
// completed or met) 基本完成; anything else judged — ahead, behind, pace
// unknown, not met or missed at the close — is 未完成.
func ResultOf(s Status) FinalResult {
	switch s {
	case StatusCompleted, StatusMet:
		return ResultCompleted
	case StatusBasicallyCompleted, StatusBasicallyMet:
		return ResultBasicallyCompleted
	case StatusAhead, StatusBehind, StatusPaceUnknown, StatusNotMet, StatusMissed:
		return ResultNotCompleted
	case StatusMunicipal:
		return ResultMunicipal
	case StatusNoData:
		return ResultNoData
	}
	return ResultNoTarget
}
