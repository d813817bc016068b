package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/internal/present"
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
				if err := app.WritePlanTemplate(template); err != nil {
					return err
				}
				_, err := fmt.Fprintln(cmd.OutOrStdout(), template)
				return err
			}
			res, err := app.Targets(app.TargetsOptions{Settings: s.overrides(), Year: year, All: all})
			if err != nil {
				return err
			}
			if asJSON {
				return present.JSON(cmd.OutOrStdout(), res.InForce)
			}
			return present.TargetsTable(cmd.OutOrStdout(), res.Catalog, res.Plans, res.Years, res.InForce)
		},
	}
	f := cmd.Flags()
	f.IntVar(&year, "year", 0, "year (default: the current year)")
	f.BoolVar(&all, "all", false, "every year some plan sets a target for")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.StringVar(&template, "template", "", "write an empty plan template to FILE (.xlsx or .csv) and exit")
	return cmd
}
