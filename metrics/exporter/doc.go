// Package exporter exposes the latest metrics.Snapshot to Prometheus: target
// progress (完成率 against 序时进度), forecasts, trends, data freshness and
// the surface-water standing, one gauge family per quantity.
//
// The Collector is a custom prometheus.Collector in the shape of
// client_golang's ClusterManager example: it reads the Prometheus-ignorant
// snapshot the analysis engine publishes and emits const metrics. Nothing is
// computed at scrape time: the metrics of a snapshot are built once, the
// first time it is scraped, and re-sent until the engine publishes the next
// one. No sample carries a timestamp; the time of the newest observation is
// a gauge (…_last_observation_timestamp_seconds), because Prometheus drops
// back-dated samples and monthly figures are always back-dated.
//
// Values are exported one family per unit (greenmetrics_indicator_value_cny,
// …_square_meters, …_tonnes_co2), never mixing units in one family; ratios,
// probabilities, statuses and trends are unitless families labelled by
// indicator, so one alert rule covers every indicator. Label sets are
// bounded: indicators of the catalogue × a capped set of entities, and the
// configured water sections. docs/metrics.md lists every family.
//
// The daemon's own health (selfmetrics.go: ingestion counters, the spool,
// InfluxDB writes, request metrics, build info) is exported here too, so
// that client_golang stays in this one package and the report, which reads
// the Snapshot from package metrics, never pulls it in.
package exporter
