// Package report writes the bureau's monthly report (月度报告): where every
// green-development target of the district work report stands at the end
// of a month, domain by domain, with the water sections, a summary written
// from the numbers and a data-quality section.
//
// The report is computed from a metrics.Snapshot taken as of the month's
// end plus the observation history it needs for 本月值, 环比, 同比 and the
// charts, read through the small History interface; a fixed Snapshot and
// an in-memory History make it testable without InfluxDB. One Report value
// is rendered to self-contained HTML (inline CSS and SVG, no scripts, A4
// print rules), CSV (UTF-8 with BOM), JSON and Markdown, which all carry the
// same numbers. Files are written atomically and an index page lists every
// report of the output directory. Scheduler runs the report monthly.
package report
