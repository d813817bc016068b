package exporter

import (
	"maps"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// IngestStats is what the ingestion side reports about itself at scrape
// time: the pipeline's counts and the spool sender's state. cmd fills it
// from ingest.Pipeline.Stats and spool.Sender.Stats, so that this package
// and ingest never import each other. Counters count since the process
// started.
type IngestStats struct {
	// Accepted counts observations accepted into the spool, by provider
	// (a token's name, a mapping's source, "http", "drop", "import" …).
	// The collector exports configured providers under their name and
	// folds every other into OtherProvider (see ProviderLabels).
	Accepted map[string]int64
	// Rejected counts rejected observations by provider and rule.
	Rejected []RejectedCount
	// PendingPoints and PendingBytes await delivery to InfluxDB;
	// CapacityBytes is the spool's bound.
	PendingPoints, PendingBytes, CapacityBytes int64
	// OldestPendingAge is how long the oldest pending point has waited.
	OldestPendingAge time.Duration
	// DeliveredPoints and DeadLetteredPoints count points InfluxDB took
	// and refused for good; DamagedRecords spool records lost to disk
	// damage.
	DeliveredPoints, DeadLetteredPoints, DamagedRecords int64
	// WriteErrors counts failed InfluxDB writes by kind.
	WriteErrors map[string]int64
	// LastSuccess is the time InfluxDB last answered 2xx; zero if never.
	LastSuccess time.Time
	// InfluxUp says whether the last request to InfluxDB succeeded.
	InfluxUp bool
	// Latency is the append-to-delivery time of points.
	Latency Histogram
}

// RejectedCount is the number of rejected observations of one provider
// (Source) for one rule.
type RejectedCount struct {
	Source, Rule string
	Count        int64
}

// Histogram is a cumulative histogram: Counts[i] observations were at most
// Bounds[i] seconds; Count and Sum (seconds) cover all of them.
type Histogram struct {
	Bounds []float64
	Counts []uint64
	Count  uint64
	Sum    float64
}

// NewRegistry returns a registry of the daemon's own health: the
// greenmetrics_build_info gauge, the Go and process collectors and, when
// ingest is not nil, the ingestion collector reading ingest at every
// scrape, its provider label bounded by providers. Further collectors (the
// indicator exporter) are registered on it by the caller.
func NewRegistry(version string, ingest func() IngestStats, providers ProviderLabels) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newBuildInfo(version),
	)
	if ingest != nil {
		reg.MustRegister(NewIngestCollector(ingest, providers))
	}
	return reg
}

// OtherProvider is the label value of every provider the configuration
// does not name.
const OtherProvider = "other"

// ChannelProviders are the providers the daemon's own channels give their
// inputs, always exported under their name.
var ChannelProviders = []string{"demo", "drop", "http", "import"}

// ProviderLabels bounds the provider label of the ingestion counters to
// values from the configuration: every label value is a permanent series
// in Prometheus, so a provider a row or file names itself must not create
// one. The zero value knows the ChannelProviders only.
type ProviderLabels struct {
	known map[string]bool
}

// NewProviderLabels knows the ChannelProviders and names: the push tokens'
// names and the mappings' sources.
func NewProviderLabels(names ...string) ProviderLabels {
	p := ProviderLabels{known: make(map[string]bool, len(names)+len(ChannelProviders))}
	for _, n := range append(append([]string(nil), ChannelProviders...), names...) {
		p.known[n] = true
	}
	return p
}

// Label is the label value of a provider: its name when configured, else
// OtherProvider.
func (p ProviderLabels) Label(provider string) string {
	if p.known == nil {
		for _, c := range ChannelProviders {
			if c == provider {
				return provider
			}
		}
		return OtherProvider
	}
	if p.known[provider] {
		return provider
	}
	return OtherProvider
}

func newBuildInfo(version string) prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "greenmetrics_build_info",
		Help:        "Always 1; the labels say which greenmetrics build runs.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	})
	g.Set(1)
	return g
}

// Descriptions of the ingestion self-metrics.
var (
	descAccepted = prometheus.NewDesc("greenmetrics_ingest_observations_total",
		"Observations accepted into the spool, by provider (a configured token name or mapping source, drop, http, import, demo, else other).", []string{"provider"}, nil)
	descRejected = prometheus.NewDesc("greenmetrics_ingest_rejected_observations_total",
		"Observations rejected by validation, by provider (bounded as for greenmetrics_ingest_observations_total) and rule.", []string{"provider", "rule"}, nil)
	descPendingPoints = prometheus.NewDesc("greenmetrics_spool_pending_points",
		"Points made durable in the spool and not yet delivered to InfluxDB.", nil, nil)
	descPendingBytes = prometheus.NewDesc("greenmetrics_spool_pending_bytes",
		"Bytes of the spool not yet delivered to InfluxDB.", nil, nil)
	descCapacity = prometheus.NewDesc("greenmetrics_spool_capacity_bytes",
		"Bound of the spool; pushes get 503 when pending bytes reach it.", nil, nil)
	descOldest = prometheus.NewDesc("greenmetrics_spool_oldest_pending_age_seconds",
		"How long the oldest undelivered point has waited in the spool; 0 when none waits.", nil, nil)
	descDelivered = prometheus.NewDesc("greenmetrics_spool_delivered_points_total",
		"Points InfluxDB accepted from the spool.", nil, nil)
	descDead = prometheus.NewDesc("greenmetrics_spool_dead_lettered_points_total",
		"Points InfluxDB refused for good (HTTP 400), kept in the dead-letter directory.", nil, nil)
	descDamaged = prometheus.NewDesc("greenmetrics_spool_damaged_records_total",
		"Spool records skipped because their checksum failed (disk damage).", nil, nil)
	descLatency = prometheus.NewDesc("greenmetrics_spool_delivery_latency_seconds",
		"Time from a point's durable append to the InfluxDB answer that delivered it.", nil, nil)
	descWriteErrors = prometheus.NewDesc("greenmetrics_influx_write_errors_total",
		"Failed InfluxDB write requests by kind: unreachable, throttled, server, rejected, auth, not_found, other.", []string{"kind"}, nil)
	descLastSuccess = prometheus.NewDesc("greenmetrics_influx_last_success_timestamp_seconds",
		"Unix time of InfluxDB's last 2xx answer to a write or ping; 0 before the first.", nil, nil)
	descUp = prometheus.NewDesc("greenmetrics_influx_up",
		"1 when the last request to InfluxDB succeeded, else 0.", nil, nil)
)

// IngestCollector exports IngestStats as const metrics built at each
// scrape. Collect may be called concurrently: it only reads a fresh
// IngestStats value.
type IngestCollector struct {
	stats     func() IngestStats
	providers ProviderLabels
}

// NewIngestCollector returns a collector reading stats at every scrape,
// its provider label bounded by providers.
func NewIngestCollector(stats func() IngestStats, providers ProviderLabels) *IngestCollector {
	return &IngestCollector{stats: stats, providers: providers}
}

// Describe implements prometheus.Collector.
func (c *IngestCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descAccepted, descRejected, descPendingPoints, descPendingBytes,
		descCapacity, descOldest, descDelivered, descDead, descDamaged, descLatency, descWriteErrors,
		descLastSuccess, descUp} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *IngestCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	// Summed by label value: providers folded into OtherProvider, and a
	// repeated label set would make the scrape fail.
	accepted := map[string]int64{}
	for src, n := range st.Accepted {
		accepted[c.providers.Label(src)] += n
	}
	for _, src := range slices.Sorted(maps.Keys(accepted)) {
		ch <- prometheus.MustNewConstMetric(descAccepted, prometheus.CounterValue, float64(accepted[src]), src)
	}
	rejected := map[[2]string]int64{}
	var pairs [][2]string
	for _, r := range st.Rejected {
		k := [2]string{c.providers.Label(r.Source), r.Rule}
		if _, seen := rejected[k]; !seen {
			pairs = append(pairs, k)
		}
		rejected[k] += r.Count
	}
	for _, k := range pairs {
		ch <- prometheus.MustNewConstMetric(descRejected, prometheus.CounterValue, float64(rejected[k]), k[0], k[1])
	}
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v int64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	gauge(descPendingPoints, float64(st.PendingPoints))
	gauge(descPendingBytes, float64(st.PendingBytes))
	gauge(descCapacity, float64(st.CapacityBytes))
	gauge(descOldest, st.OldestPendingAge.Seconds())
	counter(descDelivered, st.DeliveredPoints)
	counter(descDead, st.DeadLetteredPoints)
	counter(descDamaged, st.DamagedRecords)
	ch <- latencyMetric(st.Latency)
	for _, kind := range slices.Sorted(maps.Keys(st.WriteErrors)) {
		ch <- prometheus.MustNewConstMetric(descWriteErrors, prometheus.CounterValue, float64(st.WriteErrors[kind]), kind)
	}
	var last float64
	if !st.LastSuccess.IsZero() {
		last = float64(st.LastSuccess.UnixNano()) / 1e9
	}
	gauge(descLastSuccess, last)
	up := 0.0
	if st.InfluxUp {
		up = 1
	}
	gauge(descUp, up)
}

func latencyMetric(h Histogram) prometheus.Metric {
	buckets := make(map[float64]uint64, len(h.Bounds))
	for i, b := range h.Bounds {
		if i < len(h.Counts) {
			buckets[b] = h.Counts[i]
		}
	}
	return prometheus.MustNewConstHistogram(descLatency, h.Count, h.Sum, buckets)
}

// ServeMetrics are the daemon's own counters that change as requests and
// files come in (unlike IngestStats, read at scrape time): push API
// requests and their latency by route and status, and drop-folder files
// by outcome. Every label value is bounded: routes are the server's
// patterns, statuses the codes its handlers write, outcomes a fixed set.
type ServeMetrics struct {
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	dropFiles *prometheus.CounterVec
}

// DropOutcomes are the outcomes greenmetrics_drop_files_total counts;
// any other is counted as "other".
var DropOutcomes = []string{"done", "rejected", "retry"}

const otherOutcome = "other"

// NewServeMetrics registers the request and file metrics on reg. Every
// drop outcome starts at 0, so rate() and alerts see the series before
// the first file.
func NewServeMetrics(reg prometheus.Registerer) *ServeMetrics {
	m := &ServeMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "greenmetrics_http_requests_total",
			Help: "HTTP API requests answered (push POST /api/v1/observations, POST /api/v1/analyze, health), by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "greenmetrics_http_request_duration_seconds",
			Help: "Time from the request's arrival to the end of the answer, by route pattern and status code; a push answers once its data is durable in the spool.",
			// From a health check to a 50 000-row push and an analysis.
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"route", "code"}),
		dropFiles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "greenmetrics_drop_files_total",
			Help: "Drop-folder files processed, by outcome: done (moved to done/, rows accepted or rejected), rejected (unreadable, moved to rejected/), retry (left in place: spool full or InfluxDB failing).",
		}, []string{"outcome"}),
	}
	reg.MustRegister(m.requests, m.latency, m.dropFiles)
	for _, o := range append(DropOutcomes, otherOutcome) {
		m.dropFiles.WithLabelValues(o)
	}
	return m
}

// Instrument counts and times every request next serves. next is a
// *http.ServeMux: the route label is the pattern it matched (Go sets
// Request.Pattern), "unmatched" for a 404 without one, so a scan of
// random paths adds one series, not one per path.
func (m *ServeMetrics) Instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		code := strconv.Itoa(rec.code)
		m.requests.WithLabelValues(route, code).Inc()
		m.latency.WithLabelValues(route, code).Observe(time.Since(start).Seconds())
	})
}

// DropFile counts one drop-folder file's outcome (DropOptions.Processed).
func (m *ServeMetrics) DropFile(outcome string) {
	if !slices.Contains(DropOutcomes, outcome) {
		outcome = otherOutcome
	}
	m.dropFiles.WithLabelValues(outcome).Inc()
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.code, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (deadlines,
// flushing) through the recorder.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
