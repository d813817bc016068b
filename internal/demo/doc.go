// Package demo generates the demonstration data set: synthetic monthly,
// quarterly and annual figures heading for the plans' targets, the eight
// demo water sections, recent hourly and daily reference series, and the
// illustrative plans of later years, all marked demo (provider
// models.ProviderDemo, names carrying 演示).
//
// It produces data; it does not ingest them. The demo command writes the
// observations as canonical CSV (WriteCanonicalCSV) and feeds them through
// the ingest pipeline like any other file, so the demo is validated by the
// same rules as real data. The package depends on config (the catalogue)
// and models only; ingest knows the demo only as the reserved provider.
package demo
