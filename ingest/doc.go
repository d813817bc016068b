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
// DropFolder watches a directory and runs each file that lands there
// through a Pipeline; Demo generates the demonstration data set.
//
// The package imports no Prometheus code: Pipeline.Stats exposes its
// counters for the metrics package to export.
package ingest
