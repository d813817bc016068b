package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // mapping time zones (Europe/Berlin) without the system's tzdata

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest"
)

// ImportOptions are what greenmetrics import was asked to do.
type ImportOptions struct {
	Settings config.Overrides
	// Files are the inputs; "-" is Stdin.
	Files []string
	Stdin io.Reader
	// Format, Mapping, Provider, Encoding, Precision and Confirm apply to
	// every file (ingest.Input); MappingFiles add mappings.
	Format, Mapping, Provider, Encoding, Precision string
	MappingFiles                                   []string
	Confirm                                        bool
	// SpoolDir is the spool (default: the shared one, or one of this
	// run's own beside a running serve); DryRun delivers nothing.
	SpoolDir string
	DryRun   bool
	// Reasons, when set, is a file receiving every rejection.
	Reasons string
	// Timeout bounds the wait for InfluxDB to take the spool.
	Timeout time.Duration
	// Log receives the run's log (stderr).
	Log io.Writer
	// Progress, when set, is called for each input before it is read: the
	// input's bytes are copied to the writer it returns, and done is
	// called once the input is processed.
	Progress func(name string, size int64) (w io.Writer, done func())
	// Done is called with each file's outcome as soon as it is processed.
	Done func(FileOutcome)
}

// FileOutcome is what became of one input.
type FileOutcome struct {
	// OpenErr is set when the file could not be opened (Path names it).
	Path    string
	OpenErr error
	Result  ingest.Result
	// Err stopped the input before its end.
	Err     error
	Elapsed time.Duration
}

// Read reports whether the input was read to its end.
func (o FileOutcome) Read() bool { return o.OpenErr == nil && o.Err == nil }

// Totals add up the outcomes of a run's inputs.
type Totals struct{ Rows, Accepted, Duplicates, Rejected, Revised, Held, DemoSkipped int }

func (t *Totals) add(r ingest.Result) {
	t.Rows += r.Rows
	t.Accepted += r.Accepted
	t.Duplicates += r.Duplicates
	t.Rejected += r.RejectedCount()
	t.Revised += r.Revised
	t.Held += r.Held
	t.DemoSkipped += r.DemoSkipped
}

// BatchResult is what an import or a demo did once its inputs were read.
type BatchResult struct {
	// Inputs is the number of inputs, Unread those not read to the end
	// (with a failure to write the reasons file).
	Inputs, Unread int
	Totals         Totals
	// ReasonsErr is a failure to write the reasons file.
	ReasonsErr error
	// Delivered is what reached InfluxDB, DeliveryErr why not all did.
	Delivered   Delivered
	DeliveryErr error
	// InfluxURL and Bucket say where the run delivered.
	InfluxURL, Bucket string
}

// Failed reports whether the run must end with exit status 1.
func (r BatchResult) Failed() bool { return r.DeliveryErr != nil || r.Unread > 0 }

// Import runs files through the same pipeline as the push API and the
// drop folder and delivers them to InfluxDB, waiting until the spool is
// empty. An error is returned when the run could not start; what became
// of each file is in the result.
func Import(ctx context.Context, o ImportOptions) (BatchResult, error) {
	tuneGCForIngest()
	format, err := ingest.ParseFormat(o.Format)
	if err != nil {
		return BatchResult{}, fmt.Errorf("--format: %w", err)
	}
	if err := checkProvider(o.Provider); err != nil {
		return BatchResult{}, err
	}
	setup, err := load(o.Settings)
	if err != nil {
		return BatchResult{}, err
	}
	cfg := setup.Config
	mappings, err := cfg.AllMappings(o.Settings.ConfigPath, o.MappingFiles)
	if err != nil {
		return BatchResult{}, err
	}
	log := newLogger(o.Log, cfg.LogLevel, cfg.LogFormat)
	dl, err := OpenBatchDelivery(ctx, cfg, o.SpoolDir, o.DryRun, cfg.LedgerDir(), cfg.RejectDir(), log)
	if err != nil {
		return BatchResult{}, err
	}
	defer dl.Close()
	opts, err := pipelineOptions(cfg)
	if err != nil {
		return BatchResult{}, err
	}
	pipe, err := ingest.NewPipeline(setup.Catalog, mappings, dl.Sink, dl.Options(opts))
	if err != nil {
		return BatchResult{}, err
	}
	rs, err := openReasons(o.Reasons)
	if err != nil {
		return BatchResult{}, err
	}
	defer rs.close()
	im := importer{pipe: pipe, opts: o, format: format, reasons: rs}
	res := BatchResult{Inputs: len(o.Files), InfluxURL: cfg.Influx.URL, Bucket: cfg.Influx.Bucket}
	for _, name := range o.Files {
		if !im.file(ctx, name) {
			res.Unread++
		}
	}
	res.Totals = im.sum
	if err := rs.close(); err != nil {
		res.ReasonsErr = err
		res.Unread++
	}
	res.Delivered, res.DeliveryErr = dl.Finish(ctx, o.Timeout)
	return res, nil
}

// importer runs files through the pipeline and tells of each.
type importer struct {
	pipe    *ingest.Pipeline
	opts    ImportOptions
	format  ingest.Format
	reasons *reasonsFile
	sum     Totals
}

// file imports one file ("-": standard input) and reports whether it was
// read to its end.
func (im *importer) file(ctx context.Context, name string) bool {
	in := im.input(filepath.Base(name))
	if name == "-" {
		in.Name, in.Reader = "stdin", im.opts.Stdin
		return im.run(ctx, in)
	}
	fh, err := os.Open(name)
	if err != nil {
		im.done(FileOutcome{Path: name, OpenErr: err})
		return false
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil {
		in.Size = st.Size()
	}
	in.Reader = fh
	return im.run(ctx, in)
}

// input is an Input with the options' settings.
func (im *importer) input(name string) ingest.Input {
	o := im.opts
	return ingest.Input{Name: name, Format: im.format, Provider: o.Provider, Mapping: o.Mapping,
		Encoding: o.Encoding, Precision: o.Precision, Confirm: o.Confirm}
}

// run processes one input and tells its outcome; the pipeline records
// its rejections in the rejection log.
func (im *importer) run(ctx context.Context, in ingest.Input) bool {
	var finished func()
	if im.opts.Progress != nil {
		var w io.Writer
		w, finished = im.opts.Progress(in.Name, in.Size)
		in.Reader = io.TeeReader(in.Reader, w)
	}
	in.Origin = "import:" + in.Name
	in.OnReject = im.reasons.add
	start := time.Now()
	res, err := im.pipe.Process(ctx, in)
	elapsed := time.Since(start)
	if finished != nil {
		finished()
	}
	im.sum.add(res)
	im.done(FileOutcome{Path: in.Name, Result: res, Err: err, Elapsed: elapsed})
	return err == nil
}

func (im *importer) done(o FileOutcome) {
	if im.opts.Done != nil {
		im.opts.Done(o)
	}
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

// load resolves the configuration of the overrides and loads its
// catalogue and plans. Run on the defaults next to make run's
// configuration, it says on stderr how to use that one.
func load(o config.Overrides) (config.Setup, error) {
	if hint := o.DefaultsHint("."); hint != "" {
		fmt.Fprintln(os.Stderr, hint)
	}
	return o.LoadSetup(os.Getenv, clockNow())
}
