// Package report writes the bureau's monthly report (月度报告): where every
// green-development target of the district work report stands at the end
// of a month, domain by domain, with the water sections, a summary written
// from the numbers and a data-quality section.
//
// The report is computed from a metrics.Snapshot taken as of the month's
// end alone: its progress, forecasts and trends, and its period series
// (models.Series) for 本期值, 环比, 同比, the charts, the reference rows and
// the station table. It keeps no period rule and reads no history of its
// own, so it cannot disagree with the engine; a fixed Snapshot makes it
// testable without InfluxDB. Figures still from demo data are marked 演示,
// and the month's revisions are listed with the data quality. One Report value
// is rendered to self-contained HTML (inline CSS and SVG, no scripts, A4
// print rules), CSV (UTF-8 with BOM), JSON and Markdown, which all carry the
// same numbers. Files are written atomically and an index page lists every
// report of the output directory. Scheduler runs the report monthly.
package report
