package present

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// Collision names the figure, the point kept and the points dropped,
// in the indicator's display unit.
func Collision(out io.Writer, cat *config.Catalog, c store.Collision) {
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

// MigrateReport prints what migrate did (or, dry, would do) and the
// indicators it could not migrate.
func MigrateReport(out io.Writer, rep store.MigrateReport, dryRun bool) {
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

// DropLegacy says how to drop the schema-1 measurement on each
// InfluxDB version, once the operator has checked schema 2.
func DropLegacy(out io.Writer, cfg config.Config) {
	db, _, _ := strings.Cut(cfg.Influx.Bucket, "/")
	fmt.Fprintf(out, `
Check the dashboards and 'greenmetrics progress', then drop the schema-1 measurement:
  InfluxDB 1.8: influx -database '%[1]s' -execute 'DROP MEASUREMENT "observation"'
  InfluxDB 2.x: influx delete --bucket '%[2]s' --org '%[3]s' --start 1970-01-01T00:00:00Z --stop 2262-04-11T00:00:00Z --predicate '_measurement="observation"'
  InfluxDB 3.x: influxdb3 delete table --database '%[1]s' observation
`, db, cfg.Influx.Bucket, cfg.Influx.Org)
}

// MigrateStarted says, once InfluxDB is open, where migrate copies and
// whether it writes.
func MigrateStarted(out io.Writer, dryRun bool) func(config.Config) {
	return func(cfg config.Config) { migrateStart(out, cfg, dryRun) }
}

// Collisions names each collision migrate resolves.
func Collisions(out io.Writer) func(*config.Catalog, store.Collision) {
	return func(cat *config.Catalog, c store.Collision) { Collision(out, cat, c) }
}

func migrateStart(out io.Writer, cfg config.Config, dryRun bool) {
	mode := "migrating"
	if dryRun {
		mode = "dry run: nothing is written"
	}
	fmt.Fprintf(out, "InfluxDB %s bucket %s: schema 1 (observation) → schema 2 (figure, derived); %s\n", cfg.Influx.URL, cfg.Influx.Bucket, mode)
}
