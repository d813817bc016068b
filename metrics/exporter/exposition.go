package exporter

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// A scrape of a snapshot with a thousand sections and stations is tens of
// thousands of series. Gathering them through a registry (a dto message,
// a hash and a sort per series) and encoding them again at every scrape
// costs tens of milliseconds for a result that changes once per analysis.
// So the snapshot's metrics are gathered and encoded once per snapshot and
// exposition format, and a scrape writes those bytes after the few live
// metrics of the registry (process, Go, ingestion).

// snapshotExposition is the snapshot's metric families, gathered once,
// and their encodings by exposition format, made on first request.
type snapshotExposition struct {
	families []*dto.MetricFamily
	encoded  map[expfmt.Format][]byte
}

// metricList is an unchecked collector over fixed metrics.
type metricList []prometheus.Metric

func (metricList) Describe(chan<- *prometheus.Desc) {}

func (l metricList) Collect(ch chan<- prometheus.Metric) {
	for _, m := range l {
		ch <- m
	}
}

// exposition returns the catalogue and snapshot metrics encoded in format,
// building and encoding them only when the engine has published a new
// snapshot since they were last encoded in that format.
func (c *Collector) exposition(format expfmt.Format) ([]byte, error) {
	snap := c.src.Current()
	c.mu.Lock()
	defer c.mu.Unlock()
	if snap != c.cached || c.expo == nil {
		if snap != c.cached {
			c.cached, c.built = snap, c.build(snap)
			c.builds++
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(append(metricList(c.static), c.built...))
		families, err := reg.Gather()
		if err != nil {
			return nil, fmt.Errorf("gather snapshot metrics: %w", err)
		}
		c.expo = &snapshotExposition{families: families, encoded: map[expfmt.Format][]byte{}}
	}
	if b, ok := c.expo.encoded[format]; ok {
		return b, nil
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, format)
	for _, mf := range c.expo.families {
		if err := enc.Encode(mf); err != nil {
			return nil, fmt.Errorf("encode %s: %w", mf.GetName(), err)
		}
	}
	c.expo.encoded[format] = buf.Bytes()
	return buf.Bytes(), nil
}

// Handler serves reg in the Prometheus exposition format, for /metrics,
// followed by the catalogue and snapshot metrics of each snapshot
// collector, which are encoded once per snapshot (they must not also be
// registered in reg). It keeps promhttp inside this package, the one that
// imports client_golang.
func Handler(reg *prometheus.Registry, snapshots ...*Collector) http.Handler {
	opts := promhttp.HandlerOpts{Registry: reg, ErrorHandling: promhttp.ContinueOnError}
	if len(snapshots) == 0 {
		return promhttp.HandlerFor(reg, opts)
	}
	return &metricsHandler{reg: reg, snapshots: snapshots}
}

// metricsHandler is promhttp's handler with the snapshot collectors' bytes
// appended: the same content negotiation (no OpenMetrics, like promhttp's
// default), gzip when the client accepts it, errors of the live collectors
// skipped as with promhttp.ContinueOnError.
type metricsHandler struct {
	reg       *prometheus.Registry
	snapshots []*Collector
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (h *metricsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	format := expfmt.Negotiate(r.Header)
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	families, err := h.reg.Gather()
	if err != nil && len(families) == 0 {
		http.Error(w, "gather metrics: "+err.Error(), http.StatusInternalServerError)
		return
	}
	enc := expfmt.NewEncoder(buf, format)
	for _, mf := range families {
		if err := enc.Encode(mf); err != nil {
			http.Error(w, "encode metrics: "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	parts := [][]byte{buf.Bytes()}
	for _, c := range h.snapshots {
		b, err := c.exposition(format)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		parts = append(parts, b)
	}
	w.Header().Set("Content-Type", string(format))
	if !acceptsGzip(r) {
		for _, p := range parts {
			if _, err := w.Write(p); err != nil {
				return
			}
		}
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Add("Vary", "Accept-Encoding")
	gz := gzipPool.Get().(*gzip.Writer)
	defer gzipPool.Put(gz)
	gz.Reset(w)
	for _, p := range parts {
		if _, err := gz.Write(p); err != nil {
			return
		}
	}
	_ = gz.Close()
}

// gzipPool holds writers at BestSpeed: a megabyte of exposition compresses
// in a few milliseconds to about a tenth.
var gzipPool = sync.Pool{New: func() any {
	gz, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return gz
}}

// acceptsGzip reports whether the request's Accept-Encoding lists gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if name, _, _ := strings.Cut(strings.TrimSpace(part), ";"); strings.EqualFold(name, "gzip") {
			return true
		}
	}
	return false
}
