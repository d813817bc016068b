package report

import (
	"fmt"
	"math"

	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
)

// FinalResults is a closed year's 全年完成情况: per target of that year, its
// figure and whether it was met. December's report states its own year's;
// the reports of the first months of a year (up to
// analysis.final_after_months) state the prior year's.
type FinalResults struct {
	Year int `json:"year"`
	// Completed, NotCompleted and Pending count the rows by result;
	// Pending are targets whose year is not closed yet (the last period
	// is missing and the cut-off has not passed).
	Completed          int        `json:"completed"`
	BasicallyCompleted int        `json:"basically_completed"`
	NotCompleted       int        `json:"not_completed"`
	Pending            int        `json:"pending"`
	Rows               []FinalRow `json:"rows"`
}

// FinalRow is one target's final result.
type FinalRow struct {
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	Unit        string      `json:"unit"`
	DisplayUnit string      `json:"display_unit"`
	Kind        models.Kind `json:"kind"`
	Actual      Num         `json:"actual"`
	Target      Num         `json:"target"`
	TargetText  string      `json:"target_text,omitempty"`
	Completion  Num         `json:"completion"`
	// CompletionBasis is models.Progress.CompletionBasis (labelled).
	CompletionBasis string `json:"completion_basis,omitempty"`
	// Result is empty while the year is not closed for this target.
	Result models.FinalResult `json:"result"`
	// RateTarget, Ceiling and Points carry a rate target's difference in
	// 个百分点 (models.Progress): its result reads "完成（控制在目标以内）".
	RateTarget bool   `json:"rate_target,omitempty"`
	Ceiling    bool   `json:"ceiling,omitempty"`
	Points     Num    `json:"points"`
	Plan       string `json:"plan"`
	Demo       bool   `json:"demo"`
}

// finalResults builds the year's final results from a snapshot of that
// year taken after its end: every indicator with a target in that year.
func finalResults(snap *metrics.Snapshot) *FinalResults {
	fr := &FinalResults{Year: snap.Year}
	for _, ind := range snap.Indicators {
		t := ind.Target
		if t == nil || t.Year != snap.Year {
			continue
		}
		p, ok := snap.Progress[ind.Code]
		if !ok {
			p = models.Progress{Actual: math.NaN(), Target: math.NaN(), Completion: math.NaN()}
		}
		row := FinalRow{Code: ind.Code, Name: ind.NameZh, Unit: ind.Unit, DisplayUnit: ind.DisplayUnit, Kind: ind.Kind,
			Actual: Num(p.Actual), Target: Num(p.Target), TargetText: t.Text, Completion: Num(p.Completion), CompletionBasis: p.CompletionBasis,
			Plan: t.Plan.PlanName, Demo: t.Plan.Demo, RateTarget: p.RateTarget, Ceiling: p.Ceiling, Points: Num(p.Points)}
		if p.Final {
			row.Result = p.Result
		}
		switch row.Result {
		case models.ResultCompleted:
			fr.Completed++
		case models.ResultBasicallyCompleted:
			fr.BasicallyCompleted++
		case models.ResultNotCompleted:
			fr.NotCompleted++
		case "":
			fr.Pending++
		}
		fr.Rows = append(fr.Rows, row)
	}
	return fr
}

// finalResultText is a row's result as the report writes it.
func finalResultText(r FinalRow, lang Lang) string {
	switch {
	case r.Result == "" && lang == LangEn:
		return "pending (year not closed)"
	case r.Result == "":
		return "待定（全年数据未齐）"
	}
	met := r.Result == models.ResultCompleted
	if lang == LangEn {
		if t := models.PointsEn(r.Points.Float(), r.Ceiling, met); r.RateTarget && t != "" {
			return r.Result.NameEn() + " (" + t + ")"
		}
		return r.Result.NameEn()
	}
	if t := models.PointsZh(r.Points.Float(), r.Ceiling, met); r.RateTarget && t != "" {
		return r.Result.NameZh() + "（" + t + "）"
	}
	return r.Result.NameZh()
}

// finalTitle is the heading of the final results.
func finalTitle(year int, lang Lang) string {
	if lang == LangEn {
		return fmt.Sprintf("Final results %d", year)
	}
	return fmt.Sprintf("%d年全年完成情况", year)
}

// finalSummary is the summary's paragraph on the final results.
func finalSummary(f *FinalResults, lang Lang) string {
	if lang == LangEn {
		s := fmt.Sprintf("Final results %d: %d targets met", f.Year, f.Completed)
		if f.BasicallyCompleted > 0 {
			s += fmt.Sprintf(", %d basically met", f.BasicallyCompleted)
		}
		s += fmt.Sprintf(", %d not met", f.NotCompleted)
		if f.Pending > 0 {
			s += fmt.Sprintf(", %d pending", f.Pending)
		}
		return s + "."
	}
	s := fmt.Sprintf("%d年全年完成情况：完成%d项", f.Year, f.Completed)
	if f.BasicallyCompleted > 0 {
		s += fmt.Sprintf("，基本完成%d项", f.BasicallyCompleted)
	}
	s += fmt.Sprintf("，未完成%d项", f.NotCompleted)
	if f.Pending > 0 {
		s += fmt.Sprintf("，待定%d项", f.Pending)
	}
	return s + "。"
}

// finalView is the final results as the HTML and Markdown write them.
type finalView struct {
	Title string
	Head  []string
	Rows  [][]string
}

func newFinalView(f *FinalResults, lang Lang) *finalView {
	if f == nil {
		return nil
	}
	v := &finalView{Title: finalTitle(f.Year, lang), Head: []string{"指标", "全年实际", "目标", "完成率", "完成情况"}}
	if lang == LangEn {
		v.Head = []string{"Indicator", "Year's figure", "Target", "Completion", "Result"}
	}
	for _, r := range f.Rows {
		target := formatValue(r.Target, r.Unit, r.DisplayUnit, r.Kind, lang)
		if r.TargetText != "" && (lang == LangZh || !r.Target.Valid()) {
			target = r.TargetText
		}
		if r.Demo {
			target += map[Lang]string{LangZh: "（演示）", LangEn: " (demo)"}[lang]
		}
		v.Rows = append(v.Rows, []string{r.Name, formatValue(r.Actual, r.Unit, r.DisplayUnit, r.Kind, lang), target,
			completionText(Row{Completion: r.Completion, CompletionBasis: r.CompletionBasis}, lang), finalResultText(r, lang)})
	}
	return v
}
