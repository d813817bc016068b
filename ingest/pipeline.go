package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"github.com/greenmetrics/greenmetrics/models"
)

// A Sink receives validated observations. Append must make them durable
// (or deliver them) before it returns: once it returns nil the pipeline
// counts them as accepted. Append must not keep obs after it returns: the
// pipeline reuses the slice for the next batch. Process calls may run
// concurrently, so a Sink shared by them must be safe for concurrent use.
type Sink interface {
	Append(ctx context.Context, obs []models.Observation) error
}

// ErrBackpressure is the error (wrapped or matched by IsBackpressure) of a
// Sink that cannot take more now, e.g. because the spool is full: the
// caller should answer 503 or wait and retry, never drop the data.
var ErrBackpressure = errors.New("sink is full, try again later")

// IsBackpressure reports whether err says the sink is full for now: it
// wraps ErrBackpressure, or an error in its chain has a Backpressure() bool
// method that returns true (so the spool's own error qualifies without this
// package importing the spool).
func IsBackpressure(err error) bool {
	if errors.Is(err, ErrBackpressure) {
		return true
	}
	var bp interface{ Backpressure() bool }
	return errors.As(err, &bp) && bp.Backpressure()
}

// SinkError is a failure of the Sink. Processing stopped there; the
// observations appended before stay appended, the rest of the input was not
// read. Use IsBackpressure to tell "full, retry later" from other failures.
type SinkError struct {
	Source string // the input's name
	Err    error
}

func (e *SinkError) Error() string { return fmt.Sprintf("%s: delivering: %v", e.Source, e.Err) }

func (e *SinkError) Unwrap() error { return e.Err }

// InputError is a problem that stops reading an input: it is empty, not
// text, has no usable header, a line is too long to be a row, or its JSON is
// broken. Rows read before it were processed and stay processed.
type InputError struct {
	Source  string // the input's name
	Row     int    // 1-based line (or sheet row) where reading stopped; 0 if none
	Rule    string // a Rule* code
	Message string
}

func (e *InputError) Error() string {
	if e.Row > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", e.Source, e.Row, e.Rule, e.Message)
	}
	return fmt.Sprintf("%s: %s: %s", e.Source, e.Rule, e.Message)
}

// A Rejection is one refused row, or one refused value of a wide row.
type Rejection struct {
	Source string // the input's name (file name or request)
	// Row is the 1-based line of a text input (for JSON, the number of the
	// array element or object, whatever the line breaks) or the sheet row
	// of a workbook.
	Row     int
	Field   string // the column or field at fault, as the input names it
	Rule    string // a stable Rule* code
	Message string // English, with the indicator's Chinese name where known
	Raw     string // the row as read: a CSV line, a JSON object, an LP line
}

func (r Rejection) String() string {
	return fmt.Sprintf("%s:%d: %s: %s: %s", r.Source, r.Row, r.Field, r.Rule, r.Message)
}

// Options tune a Pipeline. The zero value is usable: every zero field takes
// the default named in its comment.
type Options struct {
	// BatchSize is the number of observations per Sink.Append; 0: 5000.
	BatchSize int
	// MaxFuture is how far past Now an observation may be stamped; 0: 48h.
	MaxFuture time.Duration
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// MaxRecordBytes bounds one row (CSV record, JSON element, line); 0: 1 MiB.
	MaxRecordBytes int
	// MaxXLSXBytes bounds a workbook, which must be read whole; 0: 256 MiB.
	MaxXLSXBytes int64
	// MaxDecompressedBytes bounds what one input unpacks to: a gzip
	// stream's output, and the parts of a workbook (each, and all together).
	// An input that would unpack to more is refused with RuleTooLarge
	// (the rows read before stay processed); 0: 256 MiB. Input.MaxBytes
	// overrides it for one input.
	MaxDecompressedBytes int64
	// MaxRejections is how many rejections Result.Rejected keeps (the counts
	// and Input.OnReject always see all of them); 0: 1000.
	MaxRejections int
	// ReservedProviders are provider names no row may claim unless it is
	// the input's own provider: the push tokens' names. models'
	// reserved providers (derived, demo) are always reserved.
	ReservedProviders []string
	// Scope names the district: a district-wide figure whose entity is the
	// district's name or an alias is stored as the district's own (no
	// entity).
	Scope config.Scope
	// Ledger, when set, records every accepted monthly, quarterly and
	// annual figure (docs/ingest.md, "The revision ledger"), and gives the
	// history the hold rule and demo masking need; nil: none.
	Ledger *ledger.Ledger
	// Rejections, when set, records the rejections of every input
	// (docs/architecture.md: one per process); nil: none recorded.
	Rejections RejectionSink
	// Logger receives failures of Rejections, which do not fail the input
	// (its good rows are stored); nil discards.
	Logger *slog.Logger
	// IndexMemoryKeys bounds the duplicate index's keys in memory; past
	// it they go to sorted files in IndexSpillDir (os.TempDir() when
	// empty), deleted when the input is done (docs/ingest.md,
	// "Duplicates"); 0: 262 144 (about 10 MB).
	IndexMemoryKeys int
	IndexSpillDir   string
}

// OptionsFrom returns the options the ingest section of the daemon
// configuration sets.
func OptionsFrom(in config.Ingest) Options {
	return Options{BatchSize: in.BatchSize, MaxFuture: in.MaxFuture, MaxDecompressedBytes: in.MaxDecompressedBytes}
}

func (o Options) withDefaults() Options {
	if o.BatchSize <= 0 {
		o.BatchSize = 5000
	}
	if o.MaxFuture <= 0 {
		o.MaxFuture = 48 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = 1 << 20
	}
	if o.MaxXLSXBytes <= 0 {
		o.MaxXLSXBytes = 256 << 20
	}
	if o.MaxDecompressedBytes <= 0 {
		o.MaxDecompressedBytes = 256 << 20
	}
	if o.MaxRejections <= 0 {
		o.MaxRejections = 1000
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Format names an input format.
type Format string

// Input formats. FormatAuto (or "") picks one from the name's extension
// and, failing that, from the first bytes.
const (
	FormatAuto   Format = "auto"
	FormatCSV    Format = "csv"
	FormatJSON   Format = "json"
	FormatNDJSON Format = "ndjson"
	FormatLP     Format = "lp"
	FormatXLSX   Format = "xlsx"
)

// ParseFormat reads a format name: auto, csv, json, ndjson (or jsonl), lp
// (or line-protocol) or xlsx.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return FormatAuto, nil
	case "csv":
		return FormatCSV, nil
	case "json":
		return FormatJSON, nil
	case "ndjson", "jsonl":
		return FormatNDJSON, nil
	case "lp", "line-protocol", "influx":
		return FormatLP, nil
	case "xlsx", "excel":
		return FormatXLSX, nil
	}
	return "", fmt.Errorf("format %q is not auto, csv, json, ndjson, lp or xlsx", s)
}

// Input is one file or request to process.
type Input struct {
	// Name is the file name or a request id. It names the source in
	// rejections, and its extension and base name pick the format and the
	// mapping when those are not given.
	Name   string
	Format Format
	Reader io.Reader
	// Size is the size in bytes when known (0 otherwise); it only sizes
	// buffers.
	Size int64
	// Provider is who gives the input's figures when it is read without a
	// mapping (with one, the mapping's source, default its name, wins,
	// unless FixedProvider): the drop folder's "drop", import's --provider,
	// a push token's name, "demo" for the demo generator only. A row may
	// name another provider in its source column, field or tag within the
	// limits of docs/ingest.md, "Providers".
	Provider string
	// FixedProvider makes Provider the provider of every row, whatever the
	// mapping or a row says (pushes: a token's rows are its own).
	FixedProvider bool
	// Confirm accepts values the plausibility rules would hold
	// (implausible_value), as if every row said confirm=true.
	Confirm bool
	// Mapping names the mapping to use; empty: the first whose Match glob
	// fits the base name of Name, else the canonical layouts.
	Mapping string
	// Encoding of CSV text: utf-8 (default) or gbk/gb18030; empty: the
	// mapping's.
	Encoding string
	// Precision of line-protocol timestamps: s, ms, us or ns; empty: told
	// apart by magnitude.
	Precision string
	// Gzip says Reader is gzip-compressed (a push with Content-Encoding:
	// gzip). Without it a gzip stream is still recognised by its first
	// bytes; either way it is unpacked within the limit below.
	Gzip bool
	// MaxBytes, when positive, replaces Options.MaxDecompressedBytes for
	// this input, and LimitName names the setting it comes from in the
	// refusal (default "max_decompressed_bytes"): a push is bounded by
	// max_body_bytes.
	MaxBytes  int64
	LimitName string
	// MaxRows, when positive, bounds the observations the input may
	// deliver: the batch that would exceed it is refused whole, before
	// anything of it is stored, and Process returns a *SinkError wrapping
	// ErrTooManyRows (a push's max_rows).
	MaxRows int
	// Origin names the input in the rejection log ("push:zjw",
	// "drop:june.csv", "import:june.csv"); empty: Name.
	Origin string
	// OnReject, when set, sees every rejection as it is made, in row order
	// (Result keeps only the first Options.MaxRejections). An error from it
	// stops processing and is returned.
	OnReject func(Rejection) error
}

// Result says what became of an input's rows. Values counts the candidate
// observations: one per long row, one per measured cell of a wide row, and
// one for a row rejected as a whole; each is accepted, a duplicate, a demo
// figure skipped or rejected, so Values = Accepted + Duplicates +
// DemoSkipped + RejectedCount() once Process returns without error.
type Result struct {
	Name     string
	Format   Format
	Mapping  string // the mapping used; empty for the canonical layouts
	Provider string // the provider of rows that name none
	// Rows counts the data rows read, without header and blank rows.
	Rows     int
	Values   int
	Accepted int // delivered to the Sink
	// Duplicates are repeats of an observation with the same indicator,
	// entity, period and value: kept once, counted here.
	Duplicates int
	// Revised counts accepted figures that superseded a different figure
	// of the same indicator, entity and period (recorded in the ledger).
	Revised int
	// Held counts values the plausibility rules held back until confirmed
	// (also counted as rejections under their rule).
	Held int
	// DemoSkipped counts demo figures not written because real data for
	// the same figure exist.
	DemoSkipped int
	// NotMeasured counts cells of wide layouts marked as not measured
	// (blank, "--", "*" …); they are neither values nor rejections.
	NotMeasured int
	// MergedFilled counts empty key cells of an Excel sheet (time, entity,
	// indicator, unit, source, status) filled from a merged cell above.
	MergedFilled int
	// Rejected holds the first Options.MaxRejections rejections in row order.
	Rejected       []Rejection
	RejectedByRule map[string]int
	// Ignored lists header columns no layout rule reads.
	Ignored []string
	// Header is the header row of a CSV or Excel input, as a CSV line.
	Header string
}

// RejectedCount is the number of rejections, including those beyond
// Options.MaxRejections.
func (r Result) RejectedCount() int {
	n := 0
	for _, c := range r.RejectedByRule {
		n += c
	}
	return n
}

// Pipeline validates inputs against the catalogue and delivers the good
// observations to its Sink. It is safe for concurrent use; each Process
// call reads its input on the caller's goroutine.
type Pipeline struct {
	cat   *config.Catalog
	sink  Sink
	opts  Options
	plans []*plan

	mu    sync.Mutex
	stats map[string]*SourceStats
}

// NewPipeline compiles the mappings against the catalogue: a mapping that
// names an unknown indicator, a bad time zone or a duplicate name is an
// error here, not on every row.
func NewPipeline(cat *config.Catalog, mappings []config.Mapping, sink Sink, opts Options) (*Pipeline, error) {
	if cat == nil || sink == nil {
		return nil, errors.New("ingest: pipeline needs a catalogue and a sink")
	}
	p := &Pipeline{cat: cat, sink: sink, opts: opts.withDefaults(), stats: map[string]*SourceStats{}}
	seen := map[string]bool{}
	for _, m := range mappings {
		if seen[m.Name] {
			return nil, fmt.Errorf("ingest: mapping %q defined twice", m.Name)
		}
		seen[m.Name] = true
		pl, err := compilePlan(cat, m)
		if err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
		p.plans = append(p.plans, pl)
	}
	return p, nil
}

// Mappings returns the names of the pipeline's mappings in order.
func (p *Pipeline) Mappings() []string {
	names := make([]string, len(p.plans))
	for i, pl := range p.plans {
		names[i] = pl.m.Name
	}
	return names
}

// planFor picks the mapping of an input: by name, else by glob.
func (p *Pipeline) planFor(in Input) (*plan, error) {
	if in.Mapping != "" {
		for _, pl := range p.plans {
			if pl.m.Name == in.Mapping {
				return pl, nil
			}
		}
		return nil, fmt.Errorf("no mapping named %q (known: %s)", in.Mapping, strings.Join(p.Mappings(), ", "))
	}
	base := strings.TrimSuffix(filepath.Base(in.Name), ".gz")
	for _, pl := range p.plans {
		if pl.m.Match == "" {
			continue
		}
		if ok, _ := filepath.Match(pl.m.Match, base); ok {
			return pl, nil
		}
	}
	return nil, nil
}

// Process reads one input to its end, delivering accepted observations to
// the Sink in batches. It returns what became of the rows, and an error
// when it stopped early: *InputError (the input cannot be read further),
// *SinkError (delivery failed; see IsBackpressure), the context's error,
// or the error of Input.OnReject. Observations delivered before an error
// stay delivered.
func (p *Pipeline) Process(ctx context.Context, in Input) (Result, error) {
	if in.Name == "" {
		in.Name = "input"
	}
	r := p.newRun(ctx, in)
	defer r.index.close()
	err := r.decode()
	if err == nil || isInputError(err) {
		// Good rows read before an input error are still good.
		if ferr := r.flush(); ferr != nil {
			err = ferr
		}
	}
	p.record(r, err)
	p.logRejections(ctx, in, r.res, err)
	return r.res, err
}

func isInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// SourceStats are the cumulative counts of one input provider.
type SourceStats struct {
	Inputs      int64 // inputs processed
	Failed      int64 // inputs that stopped early (input or sink error)
	Rows        int64
	Accepted    int64
	Duplicates  int64
	NotMeasured int64
	Revised     int64
	Held        int64 // also counted in Rejected[RuleImplausibleValue]
	DemoSkipped int64
	Rejected    map[string]int64 // by rule
}

// Stats are the pipeline's cumulative counters since it was made, by the
// source tag of the input ("unknown" when it has none), for self-metrics:
// the metrics package exports them as counters. Rows a row names its own
// source for are counted under the input's tag, so that a client cannot
// create label values.
type Stats struct {
	Sources map[string]SourceStats
}

// Stats returns a copy of the counters.
func (p *Pipeline) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := Stats{Sources: make(map[string]SourceStats, len(p.stats))}
	for src, s := range p.stats {
		c := *s
		c.Rejected = make(map[string]int64, len(s.Rejected))
		for rule, n := range s.Rejected {
			c.Rejected[rule] = n
		}
		out.Sources[src] = c
	}
	return out
}

func (p *Pipeline) record(r *run, err error) {
	src := r.res.Provider
	if src == "" {
		src = "unknown"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats[src]
	if s == nil {
		s = &SourceStats{Rejected: map[string]int64{}}
		p.stats[src] = s
	}
	s.Inputs++
	if err != nil {
		s.Failed++
	}
	s.Rows += int64(r.res.Rows)
	s.Accepted += int64(r.res.Accepted)
	s.Duplicates += int64(r.res.Duplicates)
	s.NotMeasured += int64(r.res.NotMeasured)
	s.Revised += int64(r.res.Revised)
	s.Held += int64(r.res.Held)
	s.DemoSkipped += int64(r.res.DemoSkipped)
	for rule, n := range r.res.RejectedByRule {
		s.Rejected[rule] += int64(n)
	}
}

// sortRejections orders rejections by row, keeping the order of equal rows.
func sortRejections(rs []Rejection) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Row < rs[j].Row })
}

// indicatorLabel names an indicator for messages: "ph (pH值)".
func indicatorLabel(ind models.Indicator) string {
	return fmt.Sprintf("%s (%s)", ind.Code, ind.NameZh)
}
