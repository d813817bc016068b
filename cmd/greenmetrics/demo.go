package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/models"
)

// demoRefdata are the real series the demo loads from testdata/refdata,
// each read by its mapping in deploy/mappings/refdata.yaml, which sets its
// source tag (cnemc, cui2021, ceads, uci_beijing, exchange, pboc).
var demoRefdata = []string{
	"water/cnemc_water_long.csv.gz",                              // 20 Beijing sections 4-hourly, Jing-Jin-Ji daily
	"carbon/cui2021_china_provincial_daily_co2_long.csv.gz",      // Beijing, Tianjin, Hebei, China daily CO2 by sector
	"carbon/ceads_china_provincial_co2_annual_long.csv.gz",       // provincial annual CO2
	"air/beijing_multisite_hourly_2016-12_4stations_long.csv.gz", // PM2.5 and co., four stations
	"air/beijing_us_embassy_pm25_2014_long.csv.gz",               // US Embassy PM2.5
	"finance/carbon_prices_long.csv.gz",                          // EUA, GDEA, HBEA
	"finance/pboc_green_loans_long.csv.gz",                       // PBoC green loans
}

type demoFlags struct {
	refdata, mappings, asOf, spoolDir string
	seed                              uint64
	dryRun, reset                     bool
	timeout                           time.Duration
}

func newDemoCmd(s *settings) *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Load the demonstration data: real reference series and synthetic district figures",
		Long: `demo loads, through the same pipeline as import:

  (a) real series from testdata/refdata (--refdata): Beijing water sections
      (CNEMC), Beijing CO2 (Cui et al. 2021, CEADs), PM2.5 (UCI Beijing), carbon
      prices (EU ETS, Guangdong, Hubei) and PBoC green loans, each with its own
      source tag; a missing directory is skipped with a warning;
  (b) synthetic figures of provider demo: monthly 2023 series of the district
      indicators consistent with the 2024 work report's figures (flows summing
      to them, stocks ending at them), then every year up to the last month
      complete before --as-of heading toward that year's targets — the 2024
      work report's in 2024, an illustrative plan marked 演示 in each later
      year (config/plans/demo-*.yaml) — most on or ahead of schedule, two
      (rural sewage stations, elderly care stations) clearly behind every
      year; monthly samples of eight demo water sections (names marked 演示)
      whose 2023 classes give "8个全部达到Ⅳ类以上，其中4个实现Ⅲ类"; and, so
      that no indicator is stale, the last two weeks of hourly readings of a
      demo air station and the demo sections and three months of daily CO2
      and carbon prices of demo entities (all marked 演示). The same --seed
      gives the same figure for a period whatever --as-of is.
      Demo data never mask real data: a demo figure whose period already has
      a real figure in the revision ledger is not written (demo skipped),
      and real data sent later supersede the demo's as a revision.

--as-of is the day the demo runs to (default today, or GREENMETRICS_NOW):
YYYY-MM-DD, or YYYY-MM for "up to the end of that month" (any month from
2024-01 on).

It ends when InfluxDB has everything (the spool is empty), and then marks
data_dir/.demo-loaded with the day it ran to. A later demo to the same day
or an earlier one says so and loads nothing; a demo to a later day (make
run started again a month on) extends it: only the synthetic part is sent
again — its earlier periods unchanged, so nothing is revised — with the new
months and recent readings. --reset loads everything again all the same
(after an upgrade, or with new reference data): the same periods are
written over, and real figures stay, as above — a demo figure never
replaces a period the ledger has from a real provider.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tuneGCForIngest()
			return runDemo(cmd.Context(), s, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	root := repoRoot()
	fl := cmd.Flags()
	fl.StringVar(&f.refdata, "refdata", filepath.Join(root, "testdata", "refdata"), "directory of the real reference data")
	fl.StringVar(&f.mappings, "mappings", filepath.Join(root, "deploy", "mappings", "refdata.yaml"), "mappings of the reference files")
	fl.StringVar(&f.asOf, "as-of", "", "day the demo runs to, YYYY-MM-DD, or YYYY-MM for the end of that month, from 2024-01 on (default: today)")
	fl.Uint64Var(&f.seed, "seed", 20240104, "seed of the synthetic data")
	fl.BoolVar(&f.dryRun, "dry-run", false, "validate only: deliver nothing")
	fl.BoolVar(&f.reset, "reset", false, "load the demo again even though data_dir/.demo-loaded says it was loaded (real figures are never replaced)")
	fl.StringVar(&f.spoolDir, "spool-dir", "", "spool directory (default: ingest.spool_dir or data_dir/spool)")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Minute, "how long to wait for InfluxDB to take the spool")
	return cmd
}

func runDemo(ctx context.Context, s *settings, f demoFlags, out, errw io.Writer) error {
	today, err := demoToday(f.asOf, clockNow())
	if err != nil {
		return err
	}
	cfg, cat, err := s.loadAll()
	if err != nil {
		return err
	}
	marker := filepath.Join(cfg.DataDir, demoMarker)
	extend := false
	if !f.dryRun && !f.reset {
		if b, err := os.ReadFile(marker); err == nil {
			through, ok := markedThrough(string(b))
			if ok && !through.Before(today) {
				fmt.Fprintf(out, "demo already loaded (%s: %s); `greenmetrics demo --reset` loads it again\n", marker, strings.TrimSpace(string(b)))
				return nil
			}
			// An earlier load: send the synthetic part again up to today.
			// The reference files are the same and stay as they were.
			extend = true
			fmt.Fprintf(out, "demo loaded before (%s: %s); extending it to %s\n", marker, strings.TrimSpace(string(b)), today.Format(time.DateOnly))
		}
	}
	if !f.dryRun {
		// A load cut short leaves no mark, so the next one loads again.
		if err := os.Remove(marker); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("demo mark: %w", err)
		}
	}
	mappings, err := loadMappings(cfg, s.configPath, nil)
	if err != nil {
		return err
	}
	refMappings, refOK := demoMappings(f.mappings, mappings, errw)
	mappings = append(mappings, refMappings...)
	log := newLogger(errw, cfg.LogLevel, cfg.LogFormat)
	dl, err := openImportDelivery(ctx, cfg, importFlags{dryRun: f.dryRun, spoolDir: f.spoolDir}, log)
	if err != nil {
		return err
	}
	defer dl.close()
	opts, err := dl.options(cfg)
	if err != nil {
		return err
	}
	// "In the future" is judged by the clock the demo runs to.
	opts.Now = clockNow
	pipe, err := ingest.NewPipeline(cat, mappings, dl.sink, opts)
	if err != nil {
		return err
	}
	rs, _ := openReasons("")
	im := importer{pipe: pipe, flags: importFlags{show: 5, noProgress: true}, format: ingest.FormatAuto, out: out, errw: errw, reasons: rs}

	failed, inputs := 0, 1
	// (a) The real series.
	if refOK && !extend {
		if st, err := os.Stat(f.refdata); err != nil || !st.IsDir() {
			fmt.Fprintf(errw, "warning: reference data not found at %s (--refdata); loading the synthetic part only\n", f.refdata)
		} else {
			for _, rel := range demoRefdata {
				path := filepath.Join(f.refdata, rel)
				if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
					fmt.Fprintf(errw, "warning: %s missing; skipped\n", path)
					continue
				}
				inputs++
				if !im.file(ctx, path) {
					failed++
				}
			}
		}
	}
	// (b) The synthetic part, as canonical CSV through the same pipeline,
	// heading for the plans in force and the demo's illustrative ones.
	plans, err := demoPlans(cfg, cat, today, f.dryRun, out, errw)
	if err != nil {
		return err
	}
	obs, err := ingest.Demo(cat, ingest.DemoOptions{Today: today, Seed: f.seed, Plans: plans})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := ingest.WriteCanonicalCSV(&buf, cat, obs); err != nil {
		return err
	}
	in := im.input(fmt.Sprintf("demo (synthetic, seed %d, through %s)", f.seed, today.AddDate(0, 0, -1).Format(time.DateOnly)))
	in.Format, in.Provider, in.Reader, in.Size = ingest.FormatCSV, ingest.DemoSource, &buf, int64(buf.Len())
	// The synthetic figures are meant as they are: a month of 0 new
	// kindergartens beside a year of a few must not be held as implausible
	// when the demo is extended over its own history.
	in.Confirm = true
	if !im.run(ctx, in) {
		failed++
	}
	im.total(inputs)
	if err := dl.finish(ctx, out, f.timeout); err != nil {
		fmt.Fprintf(out, "delivery FAILED: %v\n", err)
		return errImportFailed
	}
	if failed > 0 {
		return errImportFailed
	}
	if f.dryRun {
		return nil
	}
	mark := fmt.Sprintf("loaded %s, to %s, seed %d\n", clockNow().In(models.Shanghai).Format(time.RFC3339), today.Format(time.DateOnly), f.seed)
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("demo mark: %w", err)
	}
	if err := os.WriteFile(marker, []byte(mark), 0o644); err != nil {
		return fmt.Errorf("demo mark: %w", err)
	}
	return nil
}

// demoMarker, in data_dir, says the demo was loaded and to which day
// (make run's first start loads it; a later start the same day does not, a
// start on a later day extends it); demo --reset loads it all again.
const demoMarker = ".demo-loaded"

// demoToday is the day the demo runs to: --as-of as a day, or the day
// after the month it names, or today by the clock.
func demoToday(asOf string, now time.Time) (time.Time, error) {
	var today time.Time
	switch {
	case asOf == "":
		n := now.In(models.Shanghai)
		today = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, models.Shanghai)
	case len(asOf) == len("2006-01"):
		m, err := time.ParseInLocation("2006-01", asOf, models.Shanghai)
		if err != nil {
			return time.Time{}, fmt.Errorf("--as-of %q: want a month such as 2026-06 or a day such as 2026-07-15", asOf)
		}
		today = m.AddDate(0, 1, 0)
	default:
		d, err := time.ParseInLocation(time.DateOnly, asOf, models.Shanghai)
		if err != nil {
			return time.Time{}, fmt.Errorf("--as-of %q: want a month such as 2026-06 or a day such as 2026-07-15", asOf)
		}
		today = d
	}
	if today.Before(ingest.DemoFirstToday) {
		return time.Time{}, fmt.Errorf("--as-of %q: the demo runs from the 2023 baseline into 2024; want 2024-01 or later", asOf)
	}
	n := now.In(models.Shanghai)
	if tomorrow := time.Date(n.Year(), n.Month(), n.Day()+1, 0, 0, 0, 0, models.Shanghai); today.After(tomorrow) {
		return time.Time{}, fmt.Errorf("--as-of %q: runs past today (%s); the demo writes no figures of the future", asOf, n.Format(time.DateOnly))
	}
	return today, nil
}

// demoPlans writes the demo's illustrative plans (demo-YYYY.yaml, one per
// year after the latest real plan up to today's year) into plans_dir,
// where the daemon, progress and the report read them like any plan, and
// returns the plans in force with them. Without plans_dir they are not
// written — those years then show 未设定目标 — but the data still follow
// them.
func demoPlans(cfg config.Config, cat *config.Catalog, today time.Time, dryRun bool, out, errw io.Writer) (*models.PlanSet, error) {
	inForce, err := config.LoadPlans(cfg.PlansDir, cat)
	if err != nil {
		return nil, fmt.Errorf("plans: %w", err)
	}
	var real []models.Plan
	for _, p := range inForce.Plans() {
		if !p.Demo {
			real = append(real, p)
		}
	}
	realSet, _ := models.NewPlanSet(real)
	demo := ingest.DemoPlans(cat, realSet, today.Year())
	switch {
	case len(demo) == 0 || dryRun:
	case cfg.PlansDir == "":
		fmt.Fprintf(errw, "warning: plans_dir is not set: the demo's illustrative plans for %d–%d are not written, so those years show 未设定目标 (make run sets plans_dir to var/plans)\n", demo[0].Targets[0].Year, today.Year())
	default:
		if err := os.MkdirAll(cfg.PlansDir, 0o755); err != nil {
			return nil, fmt.Errorf("plans_dir: %w", err)
		}
		if err := removeOldDemoPlans(cfg.PlansDir, demo, out); err != nil {
			return nil, err
		}
		for _, p := range demo {
			var buf bytes.Buffer
			if err := ingest.WriteDemoPlanYAML(&buf, p); err != nil {
				return nil, err
			}
			path := filepath.Join(cfg.PlansDir, p.ID+".yaml")
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				return nil, fmt.Errorf("demo plan: %w", err)
			}
			fmt.Fprintf(out, "demo plan %s: %d illustrative targets (演示)\n", path, len(p.Targets))
		}
	}
	set, conflicts := models.NewPlanSet(append(real, demo...))
	if len(conflicts) > 0 {
		return nil, fmt.Errorf("demo plans: %w", conflicts[0])
	}
	return set, nil
}

// removeOldDemoPlans deletes the demo plans an earlier run wrote to dir
// that the new set does not have: a year the bureau has since given a
// real plan must not keep an illustrative one beside it. Only files named
// demo-*.yaml that say `demo: true` are touched.
func removeOldDemoPlans(dir string, keep []models.Plan, out io.Writer) error {
	names, err := filepath.Glob(filepath.Join(dir, "demo-*.yaml"))
	if err != nil {
		return fmt.Errorf("plans_dir: %w", err)
	}
	kept := map[string]bool{}
	for _, p := range keep {
		kept[p.ID+".yaml"] = true
	}
	for _, name := range names {
		if kept[filepath.Base(name)] {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil || !bytes.Contains(b, []byte("\ndemo: true\n")) {
			continue
		}
		if err := os.Remove(name); err != nil {
			return fmt.Errorf("plans_dir: %w", err)
		}
		fmt.Fprintf(out, "demo plan %s removed: not one of this run's demo years\n", name)
	}
	return nil
}

// markedThrough reads the day a mark says the demo ran to ("…, to
// 2026-07-15, …"); a mark of an older version has none.
func markedThrough(mark string) (time.Time, bool) {
	_, rest, ok := strings.Cut(mark, ", to ")
	if !ok || len(rest) < len(time.DateOnly) {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(time.DateOnly, rest[:len(time.DateOnly)], models.Shanghai)
	return t, err == nil
}

// demoMappings loads the reference mappings, leaving out those the
// configuration has already (deploy/greenmetrics.yaml lists the same
// file). Without them, and without mappings in the configuration, the real
// series are skipped.
func demoMappings(path string, have []config.Mapping, errw io.Writer) ([]config.Mapping, bool) {
	ms, err := config.LoadMappings(path)
	if err != nil {
		if len(have) > 0 {
			return nil, true
		}
		fmt.Fprintf(errw, "warning: reference mappings: %v; loading the synthetic part only\n", err)
		return nil, false
	}
	names := map[string]bool{}
	for _, m := range have {
		names[m.Name] = true
	}
	var out []config.Mapping
	for _, m := range ms {
		if !names[m.Name] {
			out = append(out, m)
		}
	}
	return out, true
}

// repoRoot is the greenmetrics source tree the command runs in or was
// built into (bin/greenmetrics), or "." when neither is found.
func repoRoot() string {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for {
			if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
				strings.HasPrefix(string(b), "module github.com/greenmetrics/greenmetrics\n") {
				return dir
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "."
}
