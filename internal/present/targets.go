package present

import (
	"fmt"
	"io"
	"strings"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// TargetsTable prints one line per target in force, aligned, and a
// line for each year without any.
func TargetsTable(w io.Writer, cat *config.Catalog, plans *models.PlanSet, years []int, list []models.InForce) error {
	byYear := map[int]int{}
	for _, f := range list {
		byYear[f.Year]++
	}
	for _, y := range years {
		if byYear[y] == 0 {
			fmt.Fprintf(w, "%d年：未设定目标 — no plan sets a target for %d (plans cover %s)\n", y, y, CoveredYears(plans))
		}
	}
	if len(list) == 0 {
		return nil
	}
	rows := [][]string{{"年度", "指标", "名称", "目标", "期间", "计划", "来源", "覆盖"}}
	for _, f := range list {
		ind, _ := cat.Lookup(f.Target.Indicator)
		t := f.Resolved()
		ind.Target = t
		plan := f.Origin.PlanName
		if f.Origin.Demo && !strings.Contains(plan, "演示") {
			plan += "（演示）"
		}
		var over []string
		for _, o := range f.Overrides {
			over = append(over, o.PlanID)
		}
		rows = append(rows, []string{fmt.Sprint(f.Year), ind.Code, ind.NameZh, planTargetText(ind, f.Target),
			t.SpanLabel(), plan, f.Origin.Where(), strings.Join(over, ",")})
	}
	return WriteAligned(w, rows)
}

// planTargetText is the target as the plan writes it, else as computed
// from its kind and value.
func planTargetText(ind models.Indicator, t models.PlanTarget) string {
	if t.Text != "" {
		return t.Text
	}
	pct := models.FormatQuantity(t.Value, "ratio", "%")
	switch t.Kind {
	case models.TargetMunicipal:
		return "市级下达"
	case models.TargetGrowth:
		return "增长" + pct
	case models.TargetReduction:
		return fmt.Sprintf("比%d年下降%s", t.Base(), pct)
	case models.TargetIncrease:
		return fmt.Sprintf("比%d年增长%s", t.Base(), pct)
	}
	return models.FormatQuantity(t.Value, ind.Unit, ind.DisplayUnit)
}

// CoveredYears is the span of years the plans set targets for.
func CoveredYears(plans *models.PlanSet) string { return yearSpan(plans.Years()) }

// yearSpan writes sorted years as a span: "2024–2025", "2024", "no year".
func yearSpan(ys []int) string {
	if len(ys) == 0 {
		return "no year"
	}
	if len(ys) == 1 {
		return fmt.Sprint(ys[0])
	}
	return fmt.Sprintf("%d–%d", ys[0], ys[len(ys)-1])
}
