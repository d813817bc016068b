package app

import (
	"fmt"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"github.com/greenmetrics/greenmetrics/models"
)

// HistoryOptions are what greenmetrics history was asked: the indicator,
// optionally one entity (EntitySet: even the district's own, "") and one
// period, and the data directory holding the ledger (default: data_dir).
type HistoryOptions struct {
	Settings  config.Overrides
	Indicator string
	Entity    string
	EntitySet bool
	Period    string
	DataDir   string
}

// HistoryResult are the ledger's entries of one indicator, oldest first,
// and the ledger they were read from.
type HistoryResult struct {
	Indicator models.Indicator
	Entries   []ledger.Entry
	Dir       string
}

// History reads the revision ledger's entries of one indicator.
func History(f HistoryOptions) (HistoryResult, error) {
	setup, err := load(f.Settings)
	if err != nil {
		return HistoryResult{}, err
	}
	cfg, cat := setup.Config, setup.Catalog
	if f.DataDir != "" {
		cfg.DataDir = f.DataDir
	}
	ind, ok := cat.Lookup(f.Indicator)
	if !ok {
		return HistoryResult{}, fmt.Errorf("unknown indicator %q: see greenmetrics catalog", f.Indicator)
	}
	if !ledger.Ledgered(ind.Frequency) {
		return HistoryResult{}, fmt.Errorf("%s (%s) is %s: hourly and daily monitoring data are not ledgered (a corrected value replaces the old one)", ind.Code, ind.NameZh, ind.Frequency)
	}
	q := ledger.Query{Indicator: ind.Code, Entity: f.Entity, MatchEntity: f.EntitySet}
	if f.Period != "" {
		p, err := models.ParsePeriod(ind.Frequency, f.Period)
		if err != nil {
			return HistoryResult{}, fmt.Errorf("--period: %w", err)
		}
		q.Period = p.Start
	}
	dir := cfg.LedgerDir()
	entries, err := ledger.Read(dir, q)
	if err != nil {
		return HistoryResult{}, err
	}
	return HistoryResult{Indicator: ind, Entries: entries, Dir: dir}, nil
}
