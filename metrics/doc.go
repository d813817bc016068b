// Package metrics turns stored history into what the bureau watches: target
// progress (完成率 against 序时进度), trends and forecasts, water-section
// standings, and their Prometheus exposition.
//
// Results are computed on a schedule into an immutable Snapshot; scrapes and
// reports read the latest Snapshot and never recompute.
package metrics
