package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/report"
	"github.com/greenmetrics/greenmetrics/store"
)

// ReportOptions are what greenmetrics report was asked to do: empty
// fields take report.* of the configuration, then the defaults.
type ReportOptions struct {
	Settings config.Overrides
	// Month is YYYY-MM (default: the last complete month); Dir the output
	// directory, Lang zh or en, Formats a comma-separated list, Rejects the
	// rejection log's directory.
	Month, Dir, Lang, Formats, Rejects string
	// Log receives the run's log.
	Log io.Writer
}

// Report computes where every target stands at the end of the month, as
// the analysis engine would have seen it then, and writes the month's
// report; it returns the files written (some, even with an error).
func Report(ctx context.Context, o ReportOptions) ([]string, error) {
	setup, err := load(o.Settings)
	if err != nil {
		return nil, err
	}
	cfg := setup.Config
	opts, err := reportOptions(cfg, o.Month, o.Dir, o.Lang, o.Formats, o.Rejects, clockNow())
	if err != nil {
		return nil, err
	}
	analysis, err := analysisOptions(cfg, setup.Catalog.Indicators(), setup.Plans)
	if err != nil {
		return nil, err
	}
	st, err := OpenStore(cfg)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	log := newLogger(o.Log, cfg.LogLevel, cfg.LogFormat)
	gen := reportGenerator{cfg: cfg, analysis: analysis, store: st, log: log, rejects: opts.rejects, ledger: cfg.LedgerDir()}
	return gen.generate(ctx, opts.month, opts.lang, opts.formats, opts.dir)
}

// reportOpts are the resolved settings of one report run.
type reportOpts struct {
	month   report.Month
	lang    report.Lang
	formats []report.Format
	dir     string
	rejects string
}

// ErrMonthNotOver: a report was asked of a month that has not ended.
var ErrMonthNotOver = errors.New("is not over yet")

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
	if o.month.End().After(now) {
		// A monthly report states the month as of its end (数据截至月末,
		// 序时进度 n/12, overdue figures): of a month still running it
		// would publish a standing that is not yet true.
		return o, fmt.Errorf("month %s %w (it runs to %s): report a complete month such as %s; `greenmetrics progress` shows the standing today",
			o.month, ErrMonthNotOver, o.month.End().Add(-time.Second).In(models.Shanghai).Format(time.DateOnly), report.MonthOf(now).Add(-1))
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
	o.dir = firstNonEmpty(out, cfg.ReportDir())
	o.rejects = firstNonEmpty(rejects, cfg.RejectDir())
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

// reportGenerator produces one month's report from InfluxDB: a snapshot
// as of the month's end from the analysis engine, then the report.
type reportGenerator struct {
	cfg config.Config
	// analysis are the engine options every command shares.
	analysis metrics.Options
	store    *store.Store
	log      *slog.Logger
	rejects  string
	// ledger is the revision ledger's directory, read for the month's
	// revisions.
	ledger string
}

func (g reportGenerator) generate(ctx context.Context, m report.Month, lang report.Lang, formats []report.Format, dir string) ([]string, error) {
	// The engine gets no writer and no state: a report of a past month
	// must neither overwrite today's derived series nor the published
	// snapshot.
	opts := g.analysis
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
// when report.day is 0.
func newReportScheduler(cfg config.Config, analysis metrics.Options, st *store.Store, log *slog.Logger) *report.Scheduler {
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
	dir := cfg.ReportDir()
	gen := reportGenerator{cfg: cfg, analysis: analysis, store: st, log: log, rejects: cfg.RejectDir(), ledger: cfg.LedgerDir()}
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
		HasData: func(ctx context.Context, m report.Month) (bool, error) { return MonthHasData(ctx, st, m) },
		Now:     clockNow,
	}
}

// MonthHasData reports whether any figure (reported, not derived) is
// stamped in m: the scheduler writes no report of a month without one.
func MonthHasData(ctx context.Context, st *store.Store, m report.Month) (bool, error) {
	has, err := st.HasFigures(ctx, m.Start(), m.End())
	if err != nil {
		return false, fmt.Errorf("figures of %s: %w", m, err)
	}
	return has, nil
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
