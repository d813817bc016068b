package main

import (
	"context"
	"fmt"
	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/report"
	"github.com/greenmetrics/greenmetrics/store"
)

func newReportCmd(s *settings) *cobra.Command {
	var month, out, lang, formats, rejects string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the monthly report (月度报告): HTML, CSV, JSON and Markdown for one month",
		Long: `Computes where every target stands at the end of --month (as the analysis
engine would have seen it then) — the tables and charts take their figures
from that analysis, so they agree with progress and /metrics — and writes report-YYYY-MM.{html,csv,json,md} and report-YYYY-MM-water.csv
atomically into the report directory, replacing an earlier run of the same
month, then rewrites index.html there. The daemon runs the same job on
report.day at report.hour for the previous month.`,
		Example: `  greenmetrics report --month 2024-05
  greenmetrics report --month 2024-01 --lang en --format html,csv --out /tmp/reports`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, cat, err := s.loadAll()
			if err != nil {
				return err
			}
			opts, err := reportOptions(cfg, month, out, lang, formats, rejects, clockNow())
			if err != nil {
				return err
			}
			st, err := openStore(cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			log := newLogger(cmd.ErrOrStderr(), cfg.LogLevel, cfg.LogFormat)
			gen := reportGenerator{cfg: cfg, inds: cat.Indicators(), plans: s.plans, store: st, log: log, rejects: opts.rejects, ledger: ledgerDir(cfg)}
			paths, err := gen.generate(cmd.Context(), opts.month, opts.lang, opts.formats, opts.dir)
			for _, p := range paths {
				fmt.Fprintln(cmd.OutOrStdout(), p)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&month, "month", "", "month to report, YYYY-MM (default: the last complete month)")
	f.StringVar(&out, "out", "", "output directory (default: report.dir, else DATA_DIR/reports)")
	f.StringVar(&lang, "lang", "", "zh or en (default: report.lang)")
	f.StringVar(&formats, "format", "", "comma-separated: html,csv,json,md (default: report.formats)")
	f.StringVar(&rejects, "rejects", "", "rejection log directory (default: DATA_DIR/rejects)")
	return cmd
}

// reportOpts are the resolved settings of one report run.
type reportOpts struct {
	month   report.Month
	lang    report.Lang
	formats []report.Format
	dir     string
	rejects string
}

// reportOptions resolves flags over the config file: a flag wins, then
// report.* in the config, then the defaults.
func reportOptions(cfg config.Config, month, out, lang, formats, rejects string, now time.Time) (reportOpts, error) {
	var o reportOpts
	var err error
	if month == "" {
		o.month = report.MonthOf(now).Add(-1)
	} else if o.month, err = report.ParseMonth(month); err != nil {
		return o, err
	}
	if o.month.Start().After(now) {
		return o, fmt.Errorf("month %s has not started yet", o.month)
	}
	if lang == "" {
		lang = cfg.Report.Lang
	}
	if o.lang, err = report.ParseLang(lang); err != nil {
		return o, err
	}
	list := cfg.Report.Formats
	if formats != "" {
		list = []string{formats}
	}
	if o.formats, err = report.ParseFormats(list...); err != nil {
		return o, err
	}
	o.dir = firstNonEmpty(out, reportDir(cfg))
	o.rejects = firstNonEmpty(rejects, rejectDir(cfg))
	return o, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// reportDir is report.dir, or DATA_DIR/reports.
func reportDir(cfg config.Config) string {
	return firstNonEmpty(cfg.Report.Dir, filepath.Join(cfg.DataDir, "reports"))
}

// rejectDir is where ingestion keeps its month-by-month rejection log.
func rejectDir(cfg config.Config) string { return filepath.Join(cfg.DataDir, "rejects") }

// reportGenerator produces one month's report from InfluxDB: a snapshot
// as of the month's end from the analysis engine, then the report.
type reportGenerator struct {
	cfg     config.Config
	inds    []models.Indicator
	plans   *models.PlanSet
	store   *store.Store
	log     *slog.Logger
	rejects string
	// ledger is the revision ledger's directory, read for the month's
	// revisions.
	ledger string
}

func (g reportGenerator) generate(ctx context.Context, m report.Month, lang report.Lang, formats []report.Format, dir string) ([]string, error) {
	// The engine gets no writer and no state: a report of a past month
	// must neither overwrite today's derived series nor the published
	// snapshot.
	opts, err := analysisOptions(g.cfg, g.inds, g.plans)
	if err != nil {
		return nil, err
	}
	// The closed year's run reads what the month's run read: once.
	opts.Reader, opts.Logger = metrics.SharedReads(g.store), g.log
	eng, err := metrics.New(opts)
	if err != nil {
		return nil, err
	}
	// The last second of the month, so the as-of instant is inside the
	// month whatever the engine's end convention; the year is explicit so
	// December is not read as the next year.
	snap, err := eng.RunAt(ctx, m.End().Add(-time.Second), m.Year)
	if err != nil {
		return nil, fmt.Errorf("analysis as of the end of %s: %w", m, err)
	}
	final, err := g.closedYear(ctx, eng, m, snap)
	if err != nil {
		return nil, err
	}
	revisions, err := monthRevisions(g.ledger, m)
	if err != nil {
		return nil, err
	}
	rep, err := report.Build(ctx, report.Input{
		Month: m, Lang: lang, Snapshot: snap, Indicators: snap.Indicators, Final: final,
		RejectDir: g.rejects, StaleGrace: g.cfg.Analysis.StaleGrace, Alpha: g.cfg.Analysis.Alpha,
		Revisions: revisions,
	})
	if err != nil {
		return nil, err
	}
	paths, err := report.Write(dir, rep, formats)
	if err == nil {
		g.log.Info("report written", "month", m.String(), "dir", dir, "files", len(paths))
	}
	return paths, err
}

// closedYear is the snapshot whose final results (全年完成情况) the report
// of m states: December's own year, and in the first
// analysis.final_after_months months of a year the prior year, seen at
// the same as-of instant; nil in other months.
func (g reportGenerator) closedYear(ctx context.Context, eng *metrics.Engine, m report.Month, snap *metrics.Snapshot) (*metrics.Snapshot, error) {
	switch {
	case m.Month == time.December:
		return snap, nil
	case m.Index() <= max(g.cfg.Analysis.FinalAfterMonths, 1):
		prior, err := eng.RunAt(ctx, m.End().Add(-time.Second), m.Year-1)
		if err != nil {
			return nil, fmt.Errorf("final results of %d: %w", m.Year-1, err)
		}
		return prior, nil
	}
	return nil, nil
}

// newReportScheduler is the monthly report job of the daemon, on
// report.day at report.hour (Asia/Shanghai) for the previous month; nil
// when report.day is 0. serve starts it with `go sched.Run(ctx)`.
func newReportScheduler(cfg config.Config, inds []models.Indicator, plans *models.PlanSet, st *store.Store, log *slog.Logger) *report.Scheduler {
	if cfg.Report.Day == 0 {
		return nil
	}
	lang, err := report.ParseLang(cfg.Report.Lang)
	if err != nil {
		lang = report.LangZh
	}
	formats, err := report.ParseFormats(cfg.Report.Formats...)
	if err != nil {
		formats = report.AllFormats
	}
	dir := reportDir(cfg)
	gen := reportGenerator{cfg: cfg, inds: inds, plans: plans, store: st, log: log, rejects: rejectDir(cfg), ledger: ledgerDir(cfg)}
	return &report.Scheduler{
		Day: cfg.Report.Day, Hour: cfg.Report.Hour, Logger: log,
		Job: func(ctx context.Context, m report.Month) error {
			_, err := gen.generate(ctx, m, lang, formats, dir)
			return err
		},
		Exists: func(m report.Month) bool {
			found, err := filepath.Glob(filepath.Join(dir, report.BaseName(m, lang)+".*"))
			if err != nil {
				log.Warn("checking for the last report", "err", err)
			}
			return len(found) > 0
		},
		HasData: func(ctx context.Context, m report.Month) (bool, error) { return monthHasData(ctx, st, m) },
		Now:     clockNow,
	}
}

// monthHasData reports whether any figure (reported, not derived) is
// stamped in m: the scheduler writes no report of a month without one.
func monthHasData(ctx context.Context, st *store.Store, m report.Month) (bool, error) {
	q := fmt.Sprintf(`SELECT count(%s) FROM %s WHERE time >= $start AND time < $end`,
		store.QuoteIdent(store.FieldValue), store.QuoteIdent(store.MeasurementFigure))
	series, err := st.Query(ctx, q, map[string]any{
		"start": m.Start().UTC().Format(time.RFC3339), "end": m.End().UTC().Format(time.RFC3339)})
	if err != nil {
		return false, fmt.Errorf("figures of %s: %w", m, err)
	}
	for _, se := range series {
		for _, row := range se.Values {
			if len(row) > 1 && fmt.Sprint(row[1]) != "0" {
				return true, nil
			}
		}
	}
	return false, nil
}

// monthRevisions are the revisions the ledger accepted during m, for the
// report's data-quality section.
func monthRevisions(dir string, m report.Month) ([]report.Revision, error) {
	entries, err := ledger.Read(dir, ledger.Query{From: m.Start(), To: m.End(), RevisionsOnly: true})
	if err != nil {
		return nil, fmt.Errorf("revisions of %s: %w", m, err)
	}
	out := make([]report.Revision, 0, len(entries))
	for _, e := range entries {
		out = append(out, report.Revision{
			Accepted: e.Accepted, Code: e.Indicator, Entity: e.Entity, Period: e.Label,
			OldValue: report.Num(e.Previous.Value), NewValue: report.Num(e.Value),
			OldProvider: e.Previous.Provider, NewProvider: e.Provider, Origin: e.Origin,
		})
	}
	return out, nil
}
