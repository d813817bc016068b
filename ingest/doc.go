// Package ingest turns data files and pushed batches into validated
// observations and hands them to a Sink (the durable spool).
//
// A Pipeline reads one Input at a time — canonical long CSV, JSON or NDJSON,
// InfluxDB line protocol, or an Excel workbook, optionally gzip-compressed,
// in a layout described by a config.Mapping — streaming it in batches, so a
// file is never held in memory. Every row is either accepted, kept once as
// an identical duplicate, counted as not measured (a blank cell of a wide
// layout), or rejected with a Rejection that names the source, row, field
// and a stable rule code. Nothing is dropped silently.
//
// Each format has a parser of its own (parseCSV, parseJSON, parseNDJSON,
// parseLineProtocol, openWorkbook): a function over a reader that hands
// rows, and the rows it cannot read with their rule and message, to a
// consumer, knowing nothing of the catalogue, the ledger or the sink. The
// pipeline's run consumes them: the table of a header, validation,
// plausibility, duplicates, rejections, batches.
//
// DropFolder watches a directory and runs each file that lands there
// through a Pipeline. The demonstration data set is internal/demo's; the
// pipeline knows the demo only as the reserved provider models.ProviderDemo.
//
// The package imports no Prometheus code: Pipeline.Stats exposes its
// counters for the metrics package to export.
package ingest
