package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

func newMigrateCmd(s *settings) *cobra.Command {
	var dryRun bool
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
measurement is left in place; migrate prints how to drop it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMigrate(cmd.Context(), s, dryRun, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "report what would be migrated without writing")
	return cmd
}

func runMigrate(ctx context.Context, s *settings, dryRun bool, out io.Writer) error {
	cfg, cat, err := s.loadAll()
	if err != nil {
		return err
	}
	st, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	mode := "migrating"
	if dryRun {
		mode = "dry run: nothing is written"
	}
	fmt.Fprintf(out, "InfluxDB %s bucket %s: schema 1 (observation) → schema 2 (figure, derived); %s\n", cfg.Influx.URL, cfg.Influx.Bucket, mode)
	rep, err := st.MigrateSchema1(ctx, store.MigrateOptions{
		Frequency: func(code string) (models.Frequency, bool) {
			ind, ok := cat.Lookup(code)
			return ind.Frequency, ok
		},
		DryRun:      dryRun,
		BatchSize:   cfg.Ingest.BatchSize,
		OnCollision: func(c store.Collision) { printCollision(out, cat, c) },
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	printMigrateReport(out, rep, dryRun)
	if rep.Read > 0 && !dryRun {
		printDropLegacy(out, cfg)
	}
	return nil
}

// printCollision names the figure, the point kept and the points dropped,
// in the indicator's display unit.
func printCollision(out io.Writer, cat *config.Catalog, c store.Collision) {
	ind, _ := cat.Lookup(c.Indicator)
	format := func(cd store.Candidate) string {
		return fmt.Sprintf("%s from %s stamped %s", models.FormatQuantity(cd.Value, ind.Unit, ind.DisplayUnit), cd.Provider, cd.Time.In(models.Shanghai).Format("2006-01-02 15:04"))
	}
	entity := c.Entity
	if entity == "" {
		entity = "district"
	}
	var dropped []string
	for _, d := range c.Dropped {
		dropped = append(dropped, format(d))
	}
	fmt.Fprintf(out, "collision %s (%s) %s %s: kept %s; dropped %s\n", c.Indicator, ind.NameZh, entity, c.Period.Label(), format(c.Kept), strings.Join(dropped, "; "))
}

func printMigrateReport(out io.Writer, rep store.MigrateReport, dryRun bool) {
	verb := "written"
	if dryRun {
		verb = "to write"
	}
	fmt.Fprintf(out, "indicators %d · schema-1 points read %d · figures %s %d · derived %s %d · already migrated %d · newer schema-2 figures kept %d · collisions %d\n",
		rep.Indicators, rep.Read, verb, rep.Figures, verb, rep.Derived, rep.Present, rep.KeptNewer, rep.Collisions)
	if len(rep.Unknown) > 0 {
		codes := make([]string, 0, len(rep.Unknown))
		for code := range rep.Unknown {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			fmt.Fprintf(out, "not migrated: %s, %d points: not in the catalogue, so its period is unknown; add it (--catalog) and run migrate again\n", code, rep.Unknown[code])
		}
	}
}

// printDropLegacy says how to drop the schema-1 measurement on each
// InfluxDB version, once the operator has checked schema 2.
func printDropLegacy(out io.Writer, cfg config.Config) {
	db, _, _ := strings.Cut(cfg.Influx.Bucket, "/")
	fmt.Fprintf(out, `
Check the dashboards and 'greenmetrics progress', then drop the schema-1 measurement:
  InfluxDB 1.8: influx -database '%[1]s' -execute 'DROP MEASUREMENT "observation"'
  InfluxDB 2.x: influx delete --bucket '%[2]s' --org '%[3]s' --start 1970-01-01T00:00:00Z --stop 2262-04-11T00:00:00Z --predicate '_measurement="observation"'
  InfluxDB 3.x: influxdb3 delete table --database '%[1]s' observation
`, db, cfg.Influx.Bucket, cfg.Influx.Org)
}
