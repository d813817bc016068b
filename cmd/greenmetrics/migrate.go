package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/internal/present"
)

func newMigrateCmd(s *settings) *cobra.Command {
	var dryRun, rollups bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Copy a schema-1 database (measurement observation) into schema 2 (figure, derived)",
		Long: `migrate copies the figures of the schema-1 measurement "observation" into
schema 2 (docs/schema.md): every point moves to the start of its
indicator's period (the catalogue's frequency), the engine's points
(source=derived) go to "derived", all others to "figure" with their old
source as provider. Where several points stand for one figure (indicator,
entity, period) the one stamped latest is kept, then the first provider by
name; each such collision is printed. A figure schema 2 already holds is
never overwritten, so running migrate twice changes nothing. The old
measurement is left in place; migrate prints how to drop it.

migrate --rollups instead marks every month of the daily figures the
analysis keeps of hourly series (rollup_month, rollup_stamp) stale: the
next analysis aggregates them from the hours again. Run it after figures
were written to InfluxDB around greenmetrics (not through serve, import,
demo or migrate), which leaves the kept figures of their months stale
(docs/schema.md §7). It only writes, so it works on InfluxDB 1.8, 2.x
and 3.x alike.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if rollups {
				n, err := app.InvalidateKept(cmd.Context(), s.overrides())
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "%d kept months of daily figures marked stale; the next analysis aggregates them again from the hours\n", n)
				return nil
			}
			rep, cfg, err := app.Migrate(cmd.Context(), app.MigrateOptions{Settings: s.overrides(), DryRun: dryRun,
				Started: present.MigrateStarted(out, dryRun), Collision: present.Collisions(out)})
			if err != nil {
				return err
			}
			present.MigrateReport(out, rep, dryRun)
			if rep.Read > 0 && !dryRun {
				present.DropLegacy(out, cfg)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "report what would be migrated without writing")
	cmd.Flags().BoolVar(&rollups, "rollups", false, "mark the daily figures the analysis keeps stale instead, to be aggregated again from the hours")
	return cmd
}
