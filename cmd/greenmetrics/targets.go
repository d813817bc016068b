package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

func newTargetsCmd(s *settings) *cobra.Command {
	var (
		year     int
		all      bool
		asJSON   bool
		template string
	)
	cmd := &cobra.Command{
		Use:   "targets",
		Short: "List the targets in force (目标) and the plan, file and line each comes from",
		Long: `Lists the targets in force in --year (default: the current year in
Asia/Shanghai), or in every year with --all: per indicator the target, the
years it covers, the plan that sets it (演示 for a demo plan), FILE:LINE,
and the plans it overrides. Plans are the embedded ones and the files of
plans_dir (docs/progress.md §4). A year no plan covers is said so.
--template FILE writes an empty plan spreadsheet (.xlsx or .csv) to fill in.`,
		Example: `  greenmetrics targets
  greenmetrics targets --year 2024
  greenmetrics targets --template 2026.xlsx`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if template != "" {
				return writeTemplate(cmd.OutOrStdout(), template)
			}
			_, cat, err := s.loadAll()
			if err != nil {
				return err
			}
			years := []int{year}
			switch {
			case all:
				years = s.plans.Years()
			case year == 0:
				years = []int{time.Now().In(models.Shanghai).Year()}
			}
			var list []models.InForce
			for _, y := range years {
				list = append(list, s.plans.InForce(y)...)
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(list)
			}
			return writeTargetsTable(cmd.OutOrStdout(), cat, s.plans, years, list)
		},
	}
	f := cmd.Flags()
	f.IntVar(&year, "year", 0, "year (default: the current year)")
	f.BoolVar(&all, "all", false, "every year some plan sets a target for")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.StringVar(&template, "template", "", "write an empty plan template to FILE (.xlsx or .csv) and exit")
	return cmd
}

// writeTargetsTable prints one line per target in force, aligned, and a
// line for each year without any.
func writeTargetsTable(w io.Writer, cat *config.Catalog, plans *models.PlanSet, years []int, list []models.InForce) error {
	byYear := map[int]int{}
	for _, f := range list {
		byYear[f.Year]++
	}
	for _, y := range years {
		if byYear[y] == 0 {
			fmt.Fprintf(w, "%d年：未设定目标 — no plan sets a target for %d (plans cover %s)\n", y, y, coveredYears(plans))
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
	return writeAligned(w, rows)
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

func coveredYears(plans *models.PlanSet) string {
	ys := plans.Years()
	if len(ys) == 0 {
		return "no year"
	}
	if len(ys) == 1 {
		return fmt.Sprint(ys[0])
	}
	return fmt.Sprintf("%d–%d", ys[0], ys[len(ys)-1])
}

// writeTemplate writes an empty plan spreadsheet, the same as
// config/plans/template.{xlsx,csv}.
func writeTemplate(out io.Writer, path string) error {
	var write func(io.Writer, *models.Plan) error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		write = config.WritePlanXLSX
	case ".csv":
		write = config.WritePlanCSV
	default:
		return fmt.Errorf("--template %s: want a .xlsx or .csv file", path)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--template: %w", err)
	}
	if err := write(f, &models.Plan{}); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--template: %w", err)
	}
	fmt.Fprintln(out, path)
	return nil
}
