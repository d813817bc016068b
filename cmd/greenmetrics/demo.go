package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/internal/present"
)

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
			out := cmd.OutOrStdout()
			res, err := app.Demo(cmd.Context(), app.DemoOptions{Settings: s.overrides(), Refdata: f.refdata, Mappings: f.mappings,
				AsOf: f.asOf, Seed: f.seed, DryRun: f.dryRun, Reset: f.reset, SpoolDir: f.spoolDir, Timeout: f.timeout,
				Out: out, Warn: cmd.ErrOrStderr(), Log: cmd.ErrOrStderr(),
				Done: func(o app.FileOutcome) { present.FileOutcome(out, o, 5) }})
			if res.Inputs > 0 {
				present.BatchEnd(out, res.BatchResult, false)
			}
			if err != nil || res.Skipped {
				return err
			}
			if res.Failed() {
				return errImportFailed
			}
			return nil
		},
	}
	refdata, mappings := app.DemoSources()
	fl := cmd.Flags()
	fl.StringVar(&f.refdata, "refdata", refdata, "directory of the real reference data")
	fl.StringVar(&f.mappings, "mappings", mappings, "mappings of the reference files")
	fl.StringVar(&f.asOf, "as-of", "", "day the demo runs to, YYYY-MM-DD, or YYYY-MM for the end of that month, from 2024-01 on (default: today)")
	fl.Uint64Var(&f.seed, "seed", 20240104, "seed of the synthetic data")
	fl.BoolVar(&f.dryRun, "dry-run", false, "validate only: deliver nothing")
	fl.BoolVar(&f.reset, "reset", false, "load the demo again even though data_dir/.demo-loaded says it was loaded (real figures are never replaced)")
	fl.StringVar(&f.spoolDir, "spool-dir", "", "spool directory (default: ingest.spool_dir or data_dir/spool)")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Minute, "how long to wait for InfluxDB to take the spool")
	return cmd
}
