package exporter

import "github.com/greenmetrics/greenmetrics/config"

// OptionsFrom returns the Options `greenmetrics serve` uses: the configured
// water sections are the entities always exported, and the stale grace and
// analysis interval are exported for the alert rules. Caps keep their
// defaults.
func OptionsFrom(a config.Analysis, w config.Water) Options {
	opts := Options{StaleGrace: a.StaleGrace, AnalysisInterval: a.Interval}
	for _, s := range w.Sections {
		opts.Entities = append(opts.Entities, s.Name)
	}
	return opts
}
