package main

import (
	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
)

// analysisOptions are the engine options every command shares: the
// catalogue, the analysis, the water sections, the entity scope and the
// carbon factor table, and the target plans (each run takes its year's
// targets from them).
// serve, progress and report differ only in where results go (Reader,
// Writer, State, Logger, set by the caller), so that a report computes
// the same figures as the daemon's snapshot.
func analysisOptions(cfg config.Config, inds []models.Indicator, plans *models.PlanSet) (metrics.Options, error) {
	factors, err := cfg.Carbon.Factors()
	if err != nil {
		return metrics.Options{}, err
	}
	return metrics.Options{Indicators: inds, Plans: plans, Analysis: cfg.Analysis, Water: cfg.Water, Scope: cfg.Scope,
		Factors: factors.Table, Selection: cfg.Carbon.Selection(), Now: clockNow}, nil
}
