package app

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

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/internal/demo"
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

// DemoSources are the default reference data and their mappings: in the
// source tree the command runs in or was built into.
func DemoSources() (refdata, mappings string) {
	root := config.SourceTree()
	return filepath.Join(root, "testdata", "refdata"), filepath.Join(root, "deploy", "mappings", "refdata.yaml")
}

// DemoOptions are what greenmetrics demo was asked to do.
type DemoOptions struct {
	Settings config.Overrides
	// Refdata is the directory of the real reference data, Mappings the
	// file of their mappings.
	Refdata, Mappings string
	// AsOf is the day the demo runs to: YYYY-MM-DD, YYYY-MM for the end of
	// that month, or empty for today by the clock.
	AsOf          string
	Seed          uint64
	DryRun, Reset bool
	SpoolDir      string
	Timeout       time.Duration
	// Out receives what the demo does (marks, plans written), Warn what it
	// skips, Log its log.
	Out, Warn, Log io.Writer
	// Done is called with each input's outcome as soon as it is processed.
	Done func(FileOutcome)
}

// DemoResult is what a demo did. Skipped says it loaded nothing, the demo
// being loaded to its day already.
type DemoResult struct {
	BatchResult
	Skipped bool
}

// Demo loads the demonstration data through the same pipeline as import:
// the real reference series, then the synthetic district figures up to
// the as-of day, and marks data_dir/.demo-loaded once InfluxDB has them.
func Demo(ctx context.Context, f DemoOptions) (DemoResult, error) {
	tuneGCForIngest()
	out, errw := f.Out, f.Warn
	today, err := demoToday(f.AsOf, clockNow())
	if err != nil {
		return DemoResult{}, err
	}
	setup, err := load(f.Settings)
	if err != nil {
		return DemoResult{}, err
	}
	cfg, cat := setup.Config, setup.Catalog
	marker := filepath.Join(cfg.DataDir, demoMarker)
	extend := false
	if !f.DryRun && !f.Reset {
		if b, err := os.ReadFile(marker); err == nil {
			through, ok := markedThrough(string(b))
			if ok && !through.Before(today) {
				fmt.Fprintf(out, "demo already loaded (%s: %s); `greenmetrics demo --reset` loads it again\n", marker, strings.TrimSpace(string(b)))
				return DemoResult{Skipped: true}, nil
			}
			// An earlier load: send the synthetic part again up to today.
			// The reference files are the same and stay as they were.
			extend = true
			fmt.Fprintf(out, "demo loaded before (%s: %s); extending it to %s\n", marker, strings.TrimSpace(string(b)), today.Format(time.DateOnly))
		}
	}
	if !f.DryRun {
		// A load cut short leaves no mark, so the next one loads again.
		if err := os.Remove(marker); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return DemoResult{}, fmt.Errorf("demo mark: %w", err)
		}
	}
	mappings, err := cfg.AllMappings(f.Settings.ConfigPath, nil)
	if err != nil {
		return DemoResult{}, err
	}
	refMappings, refOK := demoMappings(f.Mappings, mappings, errw)
	mappings = append(mappings, refMappings...)
	log := newLogger(f.Log, cfg.LogLevel, cfg.LogFormat)
	dl, err := OpenBatchDelivery(ctx, cfg, f.SpoolDir, f.DryRun, cfg.LedgerDir(), cfg.RejectDir(), log)
	if err != nil {
		return DemoResult{}, err
	}
	defer dl.Close()
	opts, err := pipelineOptions(cfg)
	if err != nil {
		return DemoResult{}, err
	}
	opts = dl.Options(opts)
	// "In the future" is judged by the clock the demo runs to.
	opts.Now = clockNow
	pipe, err := ingest.NewPipeline(cat, mappings, dl.Sink, opts)
	if err != nil {
		return DemoResult{}, err
	}
	rs, _ := openReasons("")
	im := importer{pipe: pipe, opts: ImportOptions{Done: f.Done}, format: ingest.FormatAuto, reasons: rs}

	res := DemoResult{BatchResult: BatchResult{Inputs: 1, InfluxURL: cfg.Influx.URL, Bucket: cfg.Influx.Bucket}}
	// (a) The real series.
	if refOK && !extend {
		if st, err := os.Stat(f.Refdata); err != nil || !st.IsDir() {
			fmt.Fprintf(errw, "warning: reference data not found at %s (--refdata); loading the synthetic part only\n", f.Refdata)
		} else {
			for _, rel := range demoRefdata {
				path := filepath.Join(f.Refdata, rel)
				if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
					fmt.Fprintf(errw, "warning: %s missing; skipped\n", path)
					continue
				}
				res.Inputs++
				if !im.file(ctx, path) {
					res.Unread++
				}
			}
		}
	}
	// (b) The synthetic part, as canonical CSV through the same pipeline,
	// heading for the plans in force and the demo's illustrative ones.
	plans, err := demoPlans(cfg, cat, today, f.DryRun, out, errw)
	if err != nil {
		return DemoResult{}, err
	}
	obs, err := demo.Observations(cat, demo.Options{Today: today, Seed: f.Seed, Plans: plans, Now: clockNow()})
	if err != nil {
		return DemoResult{}, err
	}
	var buf bytes.Buffer
	if err := demo.WriteCanonicalCSV(&buf, cat, obs); err != nil {
		return DemoResult{}, err
	}
	in := im.input(fmt.Sprintf("demo (synthetic, seed %d, through %s)", f.Seed, today.AddDate(0, 0, -1).Format(time.DateOnly)))
	in.Format, in.Provider, in.Reader, in.Size = ingest.FormatCSV, models.ProviderDemo, &buf, int64(buf.Len())
	// The synthetic figures are meant as they are: a month of 0 new
	// kindergartens beside a year of a few must not be held as implausible
	// when the demo is extended over its own history.
	in.Confirm = true
	if !im.run(ctx, in) {
		res.Unread++
	}
	res.Totals = im.sum
	res.Delivered, res.DeliveryErr = dl.Finish(ctx, f.Timeout)
	if res.Failed() || f.DryRun {
		return res, nil
	}
	mark := fmt.Sprintf("loaded %s, to %s, seed %d\n", clockNow().In(models.Shanghai).Format(time.RFC3339), today.Format(time.DateOnly), f.Seed)
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return res, fmt.Errorf("demo mark: %w", err)
	}
	if err := os.WriteFile(marker, []byte(mark), 0o644); err != nil {
		return res, fmt.Errorf("demo mark: %w", err)
	}
	return res, nil
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
	if today.Before(demo.FirstToday) {
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
	illustrative := demo.Plans(cat, realSet, today.Year())
	switch {
	case len(illustrative) == 0 || dryRun:
	case cfg.PlansDir == "":
		fmt.Fprintf(errw, "warning: plans_dir is not set: the demo's illustrative plans for %d–%d are not written, so those years show 未设定目标 (make run sets plans_dir to var/plans)\n", illustrative[0].Targets[0].Year, today.Year())
	default:
		if err := os.MkdirAll(cfg.PlansDir, 0o755); err != nil {
			return nil, fmt.Errorf("plans_dir: %w", err)
		}
		if err := removeOldDemoPlans(cfg.PlansDir, illustrative, out); err != nil {
			return nil, err
		}
		for _, p := range illustrative {
			var buf bytes.Buffer
			if err := demo.WritePlanYAML(&buf, p); err != nil {
				return nil, err
			}
			path := filepath.Join(cfg.PlansDir, p.ID+".yaml")
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				return nil, fmt.Errorf("demo plan: %w", err)
			}
			fmt.Fprintf(out, "demo plan %s: %d illustrative targets (演示)\n", path, len(p.Targets))
		}
	}
	set, conflicts := models.NewPlanSet(append(real, illustrative...))
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
