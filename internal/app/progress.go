package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
)

// ProgressOptions are what greenmetrics progress was asked: the target
// year (0: analysis.year, else the as-of year) and the as-of instant
// (parseAsOf; empty: now).
type ProgressOptions struct {
	Settings config.Overrides
	Year     int
	AsOf     string
	Log      io.Writer
}

// ProgressResult is the analysis and its progress entries in catalogue
// order.
type ProgressResult struct {
	Snapshot *metrics.Snapshot
	Rows     []models.Progress
}

// Progress reads the history from InfluxDB and computes each indicator's
// standing against its target; nothing is written back.
func Progress(ctx context.Context, o ProgressOptions) (ProgressResult, error) {
	setup, err := load(o.Settings)
	if err != nil {
		return ProgressResult{}, err
	}
	cfg := setup.Config
	at, err := parseAsOf(o.AsOf, clockNow())
	if err != nil {
		return ProgressResult{}, err
	}
	st, err := OpenStore(cfg)
	if err != nil {
		return ProgressResult{}, err
	}
	defer st.Close()
	opts, err := analysisOptions(cfg, setup.Catalog.Indicators(), setup.Plans)
	if err != nil {
		return ProgressResult{}, err
	}
	opts.Reader, opts.Logger = st, newLogger(o.Log, cfg.LogLevel, cfg.LogFormat)
	eng, err := metrics.New(opts)
	if err != nil {
		return ProgressResult{}, err
	}
	snap, err := eng.RunAt(ctx, at, o.Year)
	if err != nil {
		return ProgressResult{}, err
	}
	return ProgressResult{Snapshot: snap, Rows: progressRows(snap)}, nil
}

// parseAsOf reads --as-of. A date means the end of that day and a month
// the end of that month, so "as of 2024-06-30" includes June 30's data.
func parseAsOf(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return now, nil
	}
	if d, err := time.ParseInLocation("2006-01-02", s, models.Shanghai); err == nil {
		return d.AddDate(0, 0, 1).Add(-time.Second), nil
	}
	if m, err := time.ParseInLocation("2006-01", s, models.Shanghai); err == nil {
		return m.AddDate(0, 1, 0).Add(-time.Second), nil
	}
	t, err := models.ParseTime(s, models.Shanghai)
	if err != nil {
		return time.Time{}, fmt.Errorf("--as-of: %w", err)
	}
	return t, nil
}

// progressRows are the snapshot's progress entries in catalogue order.
func progressRows(snap *metrics.Snapshot) []models.Progress {
	rows := make([]models.Progress, 0, len(snap.Progress))
	for _, ind := range snap.Indicators {
		if p, ok := snap.Progress[ind.Code]; ok {
			rows = append(rows, p)
		}
	}
	return rows
}
