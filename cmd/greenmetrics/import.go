package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // mapping time zones (Europe/Berlin) without the system's tzdata

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/models"
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
			tuneGCForIngest()
			return runImport(cmd.Context(), s, f, args, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
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

func runImport(ctx context.Context, s *settings, f importFlags, files []string, stdin io.Reader, out, errw io.Writer) error {
	format, err := ingest.ParseFormat(f.format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if err := checkProvider(f.provider); err != nil {
		return err
	}
	cfg, cat, err := s.loadAll()
	if err != nil {
		return err
	}
	mappings, err := loadMappings(cfg, s.configPath, f.mappingFiles)
	if err != nil {
		return err
	}
	log := newLogger(errw, cfg.LogLevel, cfg.LogFormat)
	dl, err := openImportDelivery(ctx, cfg, f, log)
	if err != nil {
		return err
	}
	defer dl.close()
	opts, err := dl.options(cfg)
	if err != nil {
		return err
	}
	pipe, err := ingest.NewPipeline(cat, mappings, dl.sink, opts)
	if err != nil {
		return err
	}
	rs, err := openReasons(f.reasons)
	if err != nil {
		return err
	}
	defer rs.close()
	imp := importer{pipe: pipe, flags: f, format: format, out: out, errw: errw, stdin: stdin, reasons: rs}
	failed := 0
	for _, name := range files {
		if !imp.file(ctx, name) {
			failed++
		}
	}
	imp.total(len(files))
	if err := rs.close(); err != nil {
		fmt.Fprintf(out, "reasons file: %v\n", err)
		failed++
	}
	if err := dl.finish(ctx, out, f.timeout); err != nil {
		fmt.Fprintf(out, "delivery FAILED: %v\n", err)
		return errImportFailed
	}
	if failed > 0 {
		fmt.Fprintf(out, "%d of %d files could not be read to the end\n", failed, len(files))
		return errImportFailed
	}
	return nil
}

// checkProvider refuses a provider name import may not give: malformed,
// or one the system reserves (derived, demo).
func checkProvider(p string) error {
	switch {
	case !ingest.ValidProviderName(p):
		return fmt.Errorf("--provider %q: 1 to 64 letters, digits, '_', '.', ':' or '-'", p)
	case models.IsReservedProvider(p):
		return fmt.Errorf("--provider %q is reserved: %s marks the engine's figures, %s the demo's", p, models.ProviderDerived, models.ProviderDemo)
	}
	return nil
}

// ledgerDir is the revision ledger's directory: data_dir/ledger.
func ledgerDir(cfg config.Config) string { return filepath.Join(cfg.DataDir, "ledger") }

// loadMappings gathers the mappings of the config file, of the files it
// lists in ingest.mapping_files (relative to the config file's directory)
// and of extra files, in that order.
func loadMappings(cfg config.Config, configPath string, extra []string) ([]config.Mapping, error) {
	out := append([]config.Mapping(nil), cfg.Mappings...)
	base := "."
	if configPath != "" {
		base = filepath.Dir(configPath)
	}
	var paths []string
	for _, p := range cfg.Ingest.MappingFiles {
		if !filepath.IsAbs(p) {
			p = filepath.Join(base, p)
		}
		paths = append(paths, p)
	}
	for _, p := range append(paths, extra...) {
		ms, err := config.LoadMappings(p)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

// importer runs files through the pipeline and reports on each.
type importer struct {
	pipe    *ingest.Pipeline
	flags   importFlags
	format  ingest.Format
	out     io.Writer
	errw    io.Writer
	stdin   io.Reader
	reasons *reasonsFile
	sum     struct{ rows, accepted, duplicates, rejected, revised, held, demoSkipped int }
}

// file imports one file ("-": standard input) and reports whether it was
// read to its end.
func (im *importer) file(ctx context.Context, name string) bool {
	in := im.input(filepath.Base(name))
	if name == "-" {
		in.Name, in.Reader = "stdin", im.stdin
		return im.run(ctx, in)
	}
	fh, err := os.Open(name)
	if err != nil {
		fmt.Fprintf(im.out, "%s: %v\n", name, err)
		return false
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil {
		in.Size = st.Size()
	}
	in.Reader = fh
	return im.run(ctx, in)
}

// input is an Input with the flags' settings.
func (im *importer) input(name string) ingest.Input {
	return ingest.Input{Name: name, Format: im.format, Provider: im.flags.provider, Mapping: im.flags.mapping,
		Encoding: im.flags.encoding, Precision: im.flags.precision, Confirm: im.flags.confirm}
}

// run processes one input and prints its summary; the pipeline records
// its rejections in the rejection log.
func (im *importer) run(ctx context.Context, in ingest.Input) bool {
	bar := im.progress(in.Name, in.Size)
	if bar != nil {
		in.Reader = io.TeeReader(in.Reader, bar)
	}
	in.Origin = "import:" + in.Name
	in.OnReject = im.reasons.add
	start := time.Now()
	res, err := im.pipe.Process(ctx, in)
	elapsed := time.Since(start)
	if bar != nil {
		_ = bar.Finish()
	}
	im.report(res, err, elapsed)
	return err == nil
}

// progress returns a progress bar on a terminal, nil otherwise.
func (im *importer) progress(name string, size int64) *progressbar.ProgressBar {
	f, ok := im.errw.(*os.File)
	if im.flags.noProgress || !ok || !isTerminal(f) {
		return nil
	}
	if size <= 0 {
		size = -1
	}
	return progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(name),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// isTerminal reports whether f is a character device, as a terminal is.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// report prints what became of one file.
func (im *importer) report(res ingest.Result, err error, elapsed time.Duration) {
	w := im.out
	head := fmt.Sprintf("%s: %s", res.Name, res.Format)
	if res.Mapping != "" {
		head += ", mapping " + res.Mapping
	}
	if res.Provider != "" {
		head += ", provider " + res.Provider
	}
	fmt.Fprintln(w, head)
	fmt.Fprintf(w, "  rows %d · values %d · accepted %d · duplicates %d · not measured %d · rejected %d\n",
		res.Rows, res.Values, res.Accepted, res.Duplicates, res.NotMeasured, res.RejectedCount())
	fmt.Fprintf(w, "  修订 revised %d · 暂缓 held %d · 演示跳过 demo skipped %d\n", res.Revised, res.Held, res.DemoSkipped)
	if res.Held > 0 {
		fmt.Fprintf(w, "  held as implausible (%s): %d; check them, then import again with --confirm or a confirm column\n",
			ingest.RuleImplausibleValue, res.Held)
	}
	if res.MergedFilled > 0 {
		fmt.Fprintf(w, "  %d empty key cells filled from merged cells above them\n", res.MergedFilled)
	}
	if len(res.RejectedByRule) > 0 {
		rules := make([]string, 0, len(res.RejectedByRule))
		for rule := range res.RejectedByRule {
			rules = append(rules, rule)
		}
		sort.Slice(rules, func(i, j int) bool {
			a, b := res.RejectedByRule[rules[i]], res.RejectedByRule[rules[j]]
			return a > b || a == b && rules[i] < rules[j]
		})
		parts := make([]string, len(rules))
		for i, rule := range rules {
			parts[i] = fmt.Sprintf("%s %d", rule, res.RejectedByRule[rule])
		}
		fmt.Fprintf(w, "  rejected by rule: %s\n", strings.Join(parts, ", "))
		n := min(im.flags.show, len(res.Rejected))
		if n > 0 {
			fmt.Fprintf(w, "  first %d rejections:\n", n)
			for _, r := range res.Rejected[:n] {
				fmt.Fprintf(w, "    row %-6d %-12s %-22s %s\n", r.Row, r.Field, r.Rule, r.Message)
			}
		}
	}
	if len(res.Ignored) > 0 {
		fmt.Fprintf(w, "  columns not read: %s\n", strings.Join(res.Ignored, ", "))
	}
	if err != nil {
		fmt.Fprintf(w, "  STOPPED: %v\n", err)
	}
	rate := float64(res.Rows) / max(elapsed.Seconds(), 1e-9)
	fmt.Fprintf(w, "  %.2f s, %.0f rows/s\n", elapsed.Seconds(), rate)
	im.sum.rows += res.Rows
	im.sum.accepted += res.Accepted
	im.sum.duplicates += res.Duplicates
	im.sum.rejected += res.RejectedCount()
	im.sum.revised += res.Revised
	im.sum.held += res.Held
	im.sum.demoSkipped += res.DemoSkipped
}

func (im *importer) total(files int) {
	if files < 2 {
		return
	}
	fmt.Fprintf(im.out, "total: %d files, rows %d, accepted %d, duplicates %d, rejected %d, revised %d, held %d, demo skipped %d\n",
		files, im.sum.rows, im.sum.accepted, im.sum.duplicates, im.sum.rejected, im.sum.revised, im.sum.held, im.sum.demoSkipped)
}

// reasonsFile writes every rejection of the run, tab-separated.
type reasonsFile struct {
	f   *os.File
	err error
}

func openReasons(path string) (*reasonsFile, error) {
	if path == "" {
		return &reasonsFile{}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--reasons: %w", err)
	}
	// The BOM makes Excel on Windows read the Chinese messages as UTF-8
	// (without it: mojibake), as the report's and the drop folder's CSVs.
	_, err = fmt.Fprint(f, "\ufefffile\trow\tfield\trule\tmessage\n")
	return &reasonsFile{f: f, err: err}, nil
}

func (r *reasonsFile) add(rej ingest.Rejection) error {
	if r.f == nil || r.err != nil {
		return r.err
	}
	clean := strings.NewReplacer("\t", " ", "\n", " ")
	_, r.err = fmt.Fprintf(r.f, "%s\t%d\t%s\t%s\t%s\n", rej.Source, rej.Row, clean.Replace(rej.Field), rej.Rule, clean.Replace(rej.Message))
	return r.err
}

func (r *reasonsFile) close() error {
	if r.f == nil {
		return r.err
	}
	err := r.f.Close()
	r.f = nil
	if r.err != nil {
		return r.err
	}
	return err
}

// importDelivery is app.BatchDelivery with import's and demo's output.
type importDelivery struct {
	*app.BatchDelivery
	sink ingest.Sink
	cfg  config.Config
}

func openImportDelivery(ctx context.Context, cfg config.Config, f importFlags, log *slog.Logger) (*importDelivery, error) {
	bd, err := app.OpenBatchDelivery(ctx, cfg, f.spoolDir, f.dryRun, ledgerDir(cfg), rejectDir(cfg), log)
	if err != nil {
		return nil, err
	}
	return &importDelivery{BatchDelivery: bd, sink: bd.Sink, cfg: cfg}, nil
}

// finish drains the spool and says what reached InfluxDB.
func (d *importDelivery) finish(ctx context.Context, out io.Writer, timeout time.Duration) error {
	got, err := d.Finish(ctx, timeout)
	switch {
	case err != nil:
		return err
	case got.DryRun:
		fmt.Fprintln(out, "dry run: nothing delivered")
	default:
		fmt.Fprintf(out, "delivered: %d observations to InfluxDB %s (bucket %s); spool empty\n", got.Points, d.cfg.Influx.URL, d.cfg.Influx.Bucket)
	}
	return nil
}

func (d *importDelivery) close() { d.Close() }

// options are the pipeline options of the configuration with the
// delivery's ledger and rejection log.
func (d *importDelivery) options(cfg config.Config) (ingest.Options, error) {
	opts, err := pipelineOptions(cfg)
	return d.Options(opts), err
}
