package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/app"
)

func newReportCmd(s *settings) *cobra.Command {
	var month, out, lang, formats, rejects string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the monthly report (月度报告): HTML, CSV, JSON and Markdown for one month",
		Long: `Computes where every target stands at the end of --month (as the analysis
engine would have seen it then) — the tables and charts take their figures
from that analysis, so they agree with progress and /metrics — and writes report-YYYY-MM.{html,csv,json,md} and report-YYYY-MM-water.csv
atomically into the report directory, replacing an earlier run of the same
month, then rewrites index.html there. The daemon runs the same job on
report.day at report.hour for the previous month.`,
		Example: `  greenmetrics report --month 2024-05
  greenmetrics report --month 2024-01 --lang en --format html,csv --out /tmp/reports`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			paths, err := app.Report(cmd.Context(), app.ReportOptions{Settings: s.overrides(),
				Month: month, Dir: out, Lang: lang, Formats: formats, Rejects: rejects, Log: cmd.ErrOrStderr()})
			for _, p := range paths {
				fmt.Fprintln(cmd.OutOrStdout(), p)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&month, "month", "", "month to report, YYYY-MM (default: the last complete month)")
	f.StringVar(&out, "out", "", "output directory (default: report.dir, else DATA_DIR/reports)")
	f.StringVar(&lang, "lang", "", "zh or en (default: report.lang)")
	f.StringVar(&formats, "format", "", "comma-separated: html,csv,json,md (default: report.formats)")
	f.StringVar(&rejects, "rejects", "", "rejection log directory (default: DATA_DIR/rejects)")
	return cmd
}
