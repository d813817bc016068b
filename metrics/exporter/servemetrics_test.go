package exporter

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestServeMetricsInstrument(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := NewServeMetrics(reg)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/observations", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	h := m.Instrument(mux)
	for _, r := range []struct{ method, path string }{
		{"POST", "/api/v1/observations"}, {"POST", "/api/v1/observations"}, {"GET", "/healthz"}, {"GET", "/random/a"}, {"GET", "/random/b"},
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(r.method, r.path, nil))
	}
	m.DropFile("done")
	m.DropFile("retry")
	m.DropFile("something new")
	want := `
# HELP greenmetrics_http_requests_total HTTP API requests answered (push POST /api/v1/observations, POST /api/v1/analyze, health), by route pattern and status code.
# TYPE greenmetrics_http_requests_total counter
greenmetrics_http_requests_total{code="200",route="GET /healthz"} 1
greenmetrics_http_requests_total{code="404",route="unmatched"} 2
greenmetrics_http_requests_total{code="503",route="POST /api/v1/observations"} 2
# HELP greenmetrics_drop_files_total Drop-folder files processed, by outcome: done (moved to done/, rows accepted or rejected), rejected (unreadable, moved to rejected/), retry (left in place: spool full or InfluxDB failing).
# TYPE greenmetrics_drop_files_total counter
greenmetrics_drop_files_total{outcome="done"} 1
greenmetrics_drop_files_total{outcome="other"} 1
greenmetrics_drop_files_total{outcome="rejected"} 0
greenmetrics_drop_files_total{outcome="retry"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "greenmetrics_http_requests_total", "greenmetrics_drop_files_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(m.latency); n != 3 {
		t.Errorf("latency histograms = %d; want one per route and code (3)", n)
	}
}
