package exporter

import "github.com/greenmetrics/greenmetrics/config"

// OptionsFrom returns the Options `greenmetrics serve` uses: the configured
// water sections are the entities always exported, due dates follow the
// configured publication lags, and the analysis interval is exported for the
// alert rules. Caps keep their defaults.
func OptionsFrom(a config.Analysis, w config.Water) Options {
	opts := Options{DueLag: a.DueLagOf, AnalysisInterval: a.Interval}
	for _, s := range w.Sections {
		opts.Entities = append(opts.Entities, s.Name)
	}
	return opts
}
