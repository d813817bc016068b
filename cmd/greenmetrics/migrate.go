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

migrate --rollups instead deletes the daily rollups the analysis keeps of
hourly series (rollup_day, rollup_stamp): the next analysis aggregates
every day from the hours again. Run it after figures were written to
InfluxDB around greenmetrics (not through serve, import or demo), which
leaves the rollups of their days stale (docs/schema.md §7).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if rollups {
				if err := app.DropRollups(cmd.Context(), s.overrides()); err != nil {
					return err
				}
				fmt.Fprintln(out, "daily rollups dropped; the next analysis computes them again from the hours")
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
	cmd.Flags().BoolVar(&rollups, "rollups", false, "drop the analysis' daily rollups instead, to be computed again from the hours")
	return cmd
}
