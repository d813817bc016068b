package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/water"
)

func newProgressCmd(s *settings) *cobra.Command {
	var (
		year   int
		asOf   string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "progress",
		Short: "Target progress of every indicator (目标进度: 本月值、累计、目标、完成率、序时进度、状态)",
		Long: "Read the history from InfluxDB, compute each indicator's standing against its\n" +
			"target (docs/progress.md) and print it. Nothing is written back.\n" +
			"--as-of takes a date (2024-06-30: the end of that day), a month (2024-06:\n" +
			"the end of June) or an RFC 3339 time; default now. --year defaults to\n" +
			"analysis.year, else the as-of year. With --json, print the Progress\n" +
			"objects in catalogue order (NaN as null).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, cat, err := s.loadAll()
			if err != nil {
				return err
			}
			at, err := parseAsOf(asOf, time.Now())
			if err != nil {
				return err
			}
			st, err := openStore(cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			opts, err := analysisOptions(cfg, cat.Indicators(), s.plans)
			if err != nil {
				return err
			}
			opts.Reader, opts.Logger = st, newLogger(cmd.ErrOrStderr(), cfg.LogLevel, cfg.LogFormat)
			eng, err := metrics.New(opts)
			if err != nil {
				return err
			}
			snap, err := eng.RunAt(cmd.Context(), at, year)
			if err != nil {
				return err
			}
			rows := progressRows(snap)
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(rows)
			}
			return writeProgressTable(cmd.OutOrStdout(), snap, rows)
		},
	}
	cmd.Flags().IntVar(&year, "year", 0, "target year (default analysis.year, else the as-of year)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "as-of date: 2024-06-30, 2024-06 or RFC 3339 (default now)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// parseAsOf reads --as-of. A date means the end of that day and a month
// the end of that month, so "as of 2024-06-30" includes June 30's data.
func parseAsOf(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return now, nil
	}
	if d, err := time.ParseInLocation("2006-01-02", s, models.Shanghai); err == nil {
		return d.AddDate(0, 0, 1).Add(-time.Second), nil
	}
	if m, err := time.ParseInLocation("2006-01", s, models.Shanghai); err == nil {
		return m.AddDate(0, 1, 0).Add(-time.Second), nil
	}
	t, err := models.ParseTime(s, models.Shanghai)
	if err != nil {
		return time.Time{}, fmt.Errorf("--as-of: %w", err)
	}
	return t, nil
}

// progressRows are the snapshot's progress entries in catalogue order.
func progressRows(snap *metrics.Snapshot) []models.Progress {
	rows := make([]models.Progress, 0, len(snap.Progress))
	for _, ind := range snap.Indicators {
		if p, ok := snap.Progress[ind.Code]; ok {
			rows = append(rows, p)
		}
	}
	return rows
}

func writeProgressTable(w io.Writer, snap *metrics.Snapshot, rows []models.Progress) error {
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
	if err := writeAligned(w, table); err != nil {
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
