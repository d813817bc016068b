package main

import (
	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/internal/present"
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
			res, err := app.Progress(cmd.Context(), app.ProgressOptions{Settings: s.overrides(), Year: year, AsOf: asOf, Log: cmd.ErrOrStderr()})
			if err != nil {
				return err
			}
			if asJSON {
				return present.JSON(cmd.OutOrStdout(), res.Rows)
			}
			return present.ProgressTable(cmd.OutOrStdout(), res.Snapshot, res.Rows)
		},
	}
	cmd.Flags().IntVar(&year, "year", 0, "target year (default analysis.year, else the as-of year)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "as-of date: 2024-06-30, 2024-06 or RFC 3339 (default now)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
