// Package metrics turns stored history into what the bureau watches: target
// progress (完成率 against 序时进度), trends and forecasts, water-section
// standings. Their Prometheus exposition, and the daemon's self-metrics,
// are in metrics/exporter, the one package that imports client_golang
// (docs/architecture.md).
//
// Results are computed on a schedule into an immutable Snapshot; scrapes and
// reports read the latest Snapshot and never recompute.
package metrics
