// Package store owns InfluxDB: it encodes observations and the analysis
// engine's results (analysis.Results, ResultPoints) as line protocol,
// writes them with influxdb-client-go's blocking API (one request, one
// answer, no hidden buffer that could drop data), and reads history back
// with InfluxQL over /query with bound parameters.
//
// InfluxQL is the one read language InfluxDB 1.8, 2.x (through its DBRP
// mapping) and 3.x all speak; Flux is absent from 3.x and too old on 1.8
// (no params, a window bug that loses points). Retrying is the caller's
// decision: Write returns a *WriteError that says whether to retry and when.
package store
