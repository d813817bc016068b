package present

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/water"
)

// ProgressTable prints the year's progress entries as a table with
// Chinese headings, then the water sections' standing.
func ProgressTable(w io.Writer, snap *metrics.Snapshot, rows []models.Progress) error {
	inds := map[string]models.Indicator{}
	for _, ind := range snap.Indicators {
		inds[ind.Code] = ind
	}
	asOf := snap.GeneratedAt
	if len(rows) > 0 {
		asOf = rows[0].AsOf
	}
	title := "目标进度"
	if len(rows) > 0 && allFinal(rows) {
		title = "全年完成情况"
	}
	fmt.Fprintf(w, "%d年%s（截至%s）\n\n", snap.Year, title, asOf.In(models.Shanghai).Format("2006-01-02 15:04"))
	if len(rows) == 0 {
		_, err := fmt.Fprintf(w, "暂无数据：no indicator has figures or a target in %d.\n", snap.Year)
		return err
	}
	table := [][]string{{"指标", "期间", "本月值", "累计", "目标", "完成率", "序时进度", "状态"}}
	for _, p := range rows {
		ind := inds[p.Indicator]
		name := ind.NameZh
		if p.Demo {
			// Still the demo's figures: never to be quoted as the district's.
			name += "（演示）"
		}
		table = append(table, []string{
			name, periodLabel(ind, p), value(ind, p.PeriodValue), value(ind, p.Actual),
			targetLabel(ind, p), completionLabel(p), timeProgressLabel(p), statusLabel(p),
		})
	}
	if err := WriteAligned(w, table); err != nil {
		return err
	}
	return writeWaterLine(w, snap.Water)
}

// value formats a base-unit value the report's way; classes as Roman numerals.
func value(ind models.Indicator, v float64) string {
	if ind.Kind == models.KindClass && v >= 1 && v <= 6 {
		return water.Class(v).String()
	}
	return models.FormatQuantity(v, ind.Unit, ind.DisplayUnit)
}

func percent(v float64) string { return models.FormatQuantity(v, "ratio", "%") }

// periodLabel says what 累计 covers: "1–5月" for monthly data, "1–2季度",
// "全年", or the last day for daily data.
func periodLabel(ind models.Indicator, p models.Progress) string {
	if p.Observations == 0 || p.Through.IsZero() {
		return "—"
	}
	last := p.Through.Add(-time.Second).In(models.Shanghai)
	switch ind.Frequency {
	case models.FrequencyAnnual:
		return "全年"
	case models.FrequencyQuarterly:
		return fmt.Sprintf("1–%d季度", (int(last.Month())+2)/3)
	case models.FrequencyMonthly:
		return fmt.Sprintf("1–%d月", last.Month())
	}
	return "截至" + last.Format("1月2日")
}

func allFinal(rows []models.Progress) bool {
	for _, p := range rows {
		if !p.Final {
			return false
		}
	}
	return true
}

// statusLabel is the final result once the year is closed (完成/未完成),
// else the standing, in models' words; a rate target's with its
// difference in 个百分点 ("达标（高于目标0.4个百分点）").
func statusLabel(p models.Progress) string { return p.StatusZh() }

// completionLabel is 完成率, labelled when it is not the year's figure
// against the target: a stock's year increment ("55.7%（年内增量）"), the
// basis of its status, or its total when the year start is unknown.
func completionLabel(p models.Progress) string {
	c := percent(p.Completion)
	switch {
	case c == "—":
	case p.CompletionBasis == "increment":
		c += "（年内增量）"
	case p.CompletionBasis == "total":
		c += "（累计总量）"
	}
	return c
}

// timeProgressLabel is 序时进度, with the plan span's after it for a
// multi-year target ("50%（五年60%）").
func timeProgressLabel(p models.Progress) string {
	if p.SpanTo > p.SpanFrom && p.SpanFrom != 0 {
		return fmt.Sprintf("%s（%d–%d年%s）", percent(p.TimeProgress), p.SpanFrom, p.SpanTo, percent(p.SpanTimeProgress))
	}
	return percent(p.TimeProgress)
}

// targetLabel writes the target with the bound the report puts on it,
// marked 演示 when a demo plan sets it.
func targetLabel(ind models.Indicator, p models.Progress) string {
	label := plainTargetLabel(ind, p)
	if t := ind.Target; t != nil && t.Plan.Demo && label != "—" {
		label += "（演示）"
	}
	return label
}

func plainTargetLabel(ind models.Indicator, p models.Progress) string {
	t := ind.Target
	switch {
	case t == nil || t.Year != p.Year:
		return "—"
	case t.Kind == models.TargetMunicipal:
		return "市级下达"
	case t.Kind == models.TargetQualitative:
		return t.Text + "（定性目标）"
	}
	v := value(ind, p.Target)
	switch t.Kind {
	case models.TargetGrowth:
		return fmt.Sprintf("%s（增长%s）", v, percent(t.Value))
	case models.TargetReduction:
		return fmt.Sprintf("%s（%d年比%d年下降%s）", v, t.To, t.BaseYear, percent(t.Value))
	case models.TargetIncrease:
		return fmt.Sprintf("%s（%d年比%d年增长%s）", v, t.To, t.BaseYear, percent(t.Value))
	}
	switch t.Qualifier {
	case models.QualifierMoreThan:
		return "超" + v
	case models.QualifierAtLeast:
		return v + "以上"
	case models.QualifierAtMost:
		return v + "以内"
	case models.QualifierLessThan:
		return "低于" + v
	case models.QualifierApprox:
		return v + "左右"
	}
	return v
}

func writeWaterLine(w io.Writer, ws metrics.WaterStanding) error {
	d := ws.District
	if d.Sections == 0 {
		return nil
	}
	line := fmt.Sprintf("\n考核断面%d个：Ⅳ类以上%d个，Ⅲ类以上%d个；优良（Ⅰ–Ⅲ类）比例%s，劣Ⅴ类比例%s",
		d.Sections, d.IVOrBetter, d.IIIOrBetter, percent(d.GoodRatio), percent(d.InferiorVRatio))
	if !math.IsNaN(d.AttainmentRatio) { // some section has a target
		line += "，达标率" + percent(d.AttainmentRatio)
	}
	_, err := fmt.Fprintln(w, line+"。")
	return err
}
