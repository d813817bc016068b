package main

import (
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/internal/present"
)

type importFlags struct {
	format, mapping, provider, encoding, precision string
	mappingFiles                                   []string
	spoolDir, reasons                              string
	dryRun, noProgress, confirm                    bool
	show                                           int
	timeout                                        time.Duration
}

func newImportCmd(s *settings) *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   "import [flags] FILE...",
		Short: "Validate data files and deliver their observations to InfluxDB",
		Long: `import reads each FILE (- is standard input) through the same pipeline as
the push API and the drop folder: canonical long CSV (time,indicator,entity,
value,unit), JSON or NDJSON, InfluxDB line protocol, or an Excel .xlsx
workbook, optionally gzip-compressed, in a layout given by a mapping. Every
row is validated against the indicator catalogue; good rows go to the spool
and on to InfluxDB, and import waits until the spool is empty.

It prints, per file, the rows read, accepted, kept once as duplicates and
rejected by rule, with the first rejections; --reasons writes all of them.
Rejections are also added to the rejection log of the monthly report.

Every figure is stored at the start of its period (a monthly figure stamped
2024-06-30 is June's). The provider of a file read with a mapping is the
mapping's source; other files are --provider's (default import). Monthly,
quarterly and annual figures go into the revision ledger (data_dir/ledger;
see greenmetrics history): a changed figure counts as revised. A value far
from the figure's history or above its whole year is held (rule
implausible_value); check it and import again with --confirm, or confirm
single rows with a confirm column. --dry-run consults no ledger.

Exit status: 0 when every file was read to its end and delivered, even if
rows were rejected; 1 when a file could not be read (missing, empty, no
usable header, broken JSON …) or delivery to InfluxDB failed.`,
		Example: `  greenmetrics import data/prefab_2024.csv
  greenmetrics import --mappings deploy/mappings/refdata.yaml testdata/refdata/water/cnemc_water_4h_haihe_2021-04-01_05.csv.gz
  greenmetrics import --format ndjson --provider lab - < samples.ndjson
  greenmetrics import --confirm prefab_2024-07.csv
  greenmetrics import --dry-run --mapping cnemc_water_daily daily.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			res, err := app.Import(cmd.Context(), app.ImportOptions{Settings: s.overrides(), Files: args, Stdin: cmd.InOrStdin(),
				Format: f.format, Mapping: f.mapping, Provider: f.provider, Encoding: f.encoding, Precision: f.precision,
				MappingFiles: f.mappingFiles, Confirm: f.confirm, SpoolDir: f.spoolDir, DryRun: f.dryRun, Reasons: f.reasons,
				Timeout: f.timeout, Log: cmd.ErrOrStderr(), Progress: present.ProgressBars(cmd.ErrOrStderr(), f.noProgress),
				Done: func(o app.FileOutcome) { present.FileOutcome(out, o, f.show) }})
			if err != nil {
				return err
			}
			present.BatchEnd(out, res, true)
			if res.Failed() {
				return errImportFailed
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "auto", "input format: auto, csv, json, ndjson, lp or xlsx")
	fl.StringVar(&f.mapping, "mapping", "", "mapping to read the files with (default: the first whose match fits the file name)")
	fl.StringArrayVar(&f.mappingFiles, "mappings", nil, "YAML file of more mappings (repeatable), e.g. deploy/mappings/refdata.yaml")
	fl.StringVar(&f.provider, "provider", "import", "provider of files read without a mapping (a mapping's source wins)")
	fl.StringVar(&f.provider, "source", "import", "old name of --provider")
	_ = fl.MarkDeprecated("source", "use --provider")
	fl.BoolVar(&f.confirm, "confirm", false, "accept values the plausibility rules would hold (implausible_value): check them first")
	fl.StringVar(&f.encoding, "encoding", "", "text encoding of CSV files: utf-8 (default) or gbk")
	fl.StringVar(&f.precision, "precision", "", "line-protocol timestamp precision: s, ms, us or ns (default: by magnitude)")
	fl.StringVar(&f.spoolDir, "spool-dir", "", "spool directory (default: ingest.spool_dir or data_dir/spool; while serve holds it, data_dir/spool-import-PID, removed when delivered)")
	fl.StringVar(&f.reasons, "reasons", "", "write every rejection to this file (tab-separated: file, row, field, rule, message)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "validate only: deliver nothing")
	fl.BoolVar(&f.noProgress, "no-progress", false, "no progress bar, even on a terminal")
	fl.IntVar(&f.show, "show", 10, "rejections to print per file")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Minute, "how long to wait for InfluxDB to take the spool")
	return cmd
}

// errImportFailed makes the exit status 1 after the summary said why.
var errImportFailed = errors.New("import incomplete")
