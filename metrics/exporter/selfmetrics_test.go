package exporter_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/greenmetrics/greenmetrics/metrics/exporter"
)

var sampleIngest = exporter.IngestStats{
	Accepted: map[string]int64{"http": 1200, "drop": 30},
	Rejected: []exporter.RejectedCount{
		{Source: "http", Rule: "unknown_indicator", Count: 4},
		{Source: "drop", Rule: "out_of_range", Count: 1},
		{Source: "http", Rule: "unknown_indicator", Count: 1},
	},
	PendingPoints:      500,
	PendingBytes:       50_000,
	CapacityBytes:      1 << 30,
	OldestPendingAge:   1500 * time.Millisecond,
	DeliveredPoints:    700,
	DeadLetteredPoints: 2,
	WriteErrors:        map[string]int64{"unreachable": 3, "server": 0},
	LastSuccess:        time.Unix(1717171200, 500_000_000),
	InfluxUp:           true,
	Latency: exporter.Histogram{
		Bounds: []float64{0.1, 1, 10},
		Counts: []uint64{600, 690, 700},
		Count:  702,
		Sum:    120.5,
	},
}

func TestIngestCollectorExposition(t *testing.T) {
	c := exporter.NewIngestCollector(func() exporter.IngestStats { return sampleIngest }, exporter.NewProviderLabels())
	want := `
# HELP greenmetrics_influx_last_success_timestamp_seconds Unix time of InfluxDB's last 2xx answer to a write or ping; 0 before the first.
# TYPE greenmetrics_influx_last_success_timestamp_seconds gauge
greenmetrics_influx_last_success_timestamp_seconds 1.7171712005e+09
# HELP greenmetrics_influx_up 1 when the last request to InfluxDB succeeded, else 0.
# TYPE greenmetrics_influx_up gauge
greenmetrics_influx_up 1
# HELP greenmetrics_influx_write_errors_total Failed InfluxDB write requests by kind: unreachable, throttled, server, rejected, auth, not_found, other.
# TYPE greenmetrics_influx_write_errors_total counter
greenmetrics_influx_write_errors_total{kind="server"} 0
greenmetrics_influx_write_errors_total{kind="unreachable"} 3
# HELP greenmetrics_ingest_observations_total Observations accepted into the spool, by provider (a configured token name or mapping source, drop, http, import, demo, else other).
# TYPE greenmetrics_ingest_observations_total counter
greenmetrics_ingest_observations_total{provider="drop"} 30
greenmetrics_ingest_observations_total{provider="http"} 1200
# HELP greenmetrics_ingest_rejected_observations_total Observations rejected by validation, by provider (bounded as for greenmetrics_ingest_observations_total) and rule.
# TYPE greenmetrics_ingest_rejected_observations_total counter
greenmetrics_ingest_rejected_observations_total{provider="drop",rule="out_of_range"} 1
greenmetrics_ingest_rejected_observations_total{provider="http",rule="unknown_indicator"} 5
# HELP greenmetrics_spool_capacity_bytes Bound of the spool; pushes get 503 when pending bytes reach it.
# TYPE greenmetrics_spool_capacity_bytes gauge
greenmetrics_spool_capacity_bytes 1.073741824e+09
# HELP greenmetrics_spool_damaged_records_total Spool records skipped because their checksum failed (disk damage).
# TYPE greenmetrics_spool_damaged_records_total counter
greenmetrics_spool_damaged_records_total 0
# HELP greenmetrics_spool_dead_lettered_points_total Points InfluxDB refused for good (HTTP 400), kept in the dead-letter directory.
# TYPE greenmetrics_spool_dead_lettered_points_total counter
greenmetrics_spool_dead_lettered_points_total 2
# HELP greenmetrics_spool_delivered_points_total Points InfluxDB accepted from the spool.
# TYPE greenmetrics_spool_delivered_points_total counter
greenmetrics_spool_delivered_points_total 700
# HELP greenmetrics_spool_delivery_latency_seconds Time from a point's durable append to the InfluxDB answer that delivered it.
# TYPE greenmetrics_spool_delivery_latency_seconds histogram
greenmetrics_spool_delivery_latency_seconds_bucket{le="0.1"} 600
greenmetrics_spool_delivery_latency_seconds_bucket{le="1"} 690
greenmetrics_spool_delivery_latency_seconds_bucket{le="10"} 700
greenmetrics_spool_delivery_latency_seconds_bucket{le="+Inf"} 702
greenmetrics_spool_delivery_latency_seconds_sum 120.5
greenmetrics_spool_delivery_latency_seconds_count 702
# HELP greenmetrics_spool_oldest_pending_age_seconds How long the oldest undelivered point has waited in the spool; 0 when none waits.
# TYPE greenmetrics_spool_oldest_pending_age_seconds gauge
greenmetrics_spool_oldest_pending_age_seconds 1.5
# HELP greenmetrics_spool_pending_bytes Bytes of the spool not yet delivered to InfluxDB.
# TYPE greenmetrics_spool_pending_bytes gauge
greenmetrics_spool_pending_bytes 50000
# HELP greenmetrics_spool_pending_points Points made durable in the spool and not yet delivered to InfluxDB.
# TYPE greenmetrics_spool_pending_points gauge
greenmetrics_spool_pending_points 500
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil || len(problems) > 0 {
		t.Errorf("CollectAndLint = %v, %v; want no problems", problems, err)
	}
}

// TestProviderLabelsAreBounded: 2 000 providers claimed by inputs make no
// more label values than the configuration names, and no count is lost.
func TestProviderLabelsAreBounded(t *testing.T) {
	stats := exporter.IngestStats{Accepted: map[string]int64{"zjw": 7, "cnemc": 3, "http": 1, "drop": 2}}
	var wantOther int64
	for i := range 2000 {
		claimed := fmt.Sprintf("claimed-%04d", i)
		stats.Accepted[claimed] = int64(i % 5)
		wantOther += int64(i % 5)
		stats.Rejected = append(stats.Rejected, exporter.RejectedCount{Source: claimed, Rule: "unknown_indicator", Count: 1})
	}
	stats.Rejected = append(stats.Rejected, exporter.RejectedCount{Source: "zjw", Rule: "unknown_indicator", Count: 4})
	c := exporter.NewIngestCollector(func() exporter.IngestStats { return stats }, exporter.NewProviderLabels("zjw", "cnemc"))
	want := fmt.Sprintf(`
# HELP greenmetrics_ingest_observations_total Observations accepted into the spool, by provider (a configured token name or mapping source, drop, http, import, demo, else other).
# TYPE greenmetrics_ingest_observations_total counter
greenmetrics_ingest_observations_total{provider="cnemc"} 3
greenmetrics_ingest_observations_total{provider="drop"} 2
greenmetrics_ingest_observations_total{provider="http"} 1
greenmetrics_ingest_observations_total{provider="other"} %d
greenmetrics_ingest_observations_total{provider="zjw"} 7
# HELP greenmetrics_ingest_rejected_observations_total Observations rejected by validation, by provider (bounded as for greenmetrics_ingest_observations_total) and rule.
# TYPE greenmetrics_ingest_rejected_observations_total counter
greenmetrics_ingest_rejected_observations_total{provider="other",rule="unknown_indicator"} 2000
greenmetrics_ingest_rejected_observations_total{provider="zjw",rule="unknown_indicator"} 4
`, wantOther)
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "greenmetrics_ingest_observations_total", "greenmetrics_ingest_rejected_observations_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(c, "greenmetrics_ingest_observations_total"); n != 5 {
		t.Errorf("%d accepted series for 2 004 providers; want 5", n)
	}
}

func TestIngestCollectorOnPedanticRegistry(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(exporter.NewIngestCollector(func() exporter.IngestStats { return exporter.IngestStats{} }, exporter.ProviderLabels{}))
	if _, err := reg.Gather(); err != nil {
		t.Errorf("Gather of zero stats = %v", err)
	}
}

func TestNewRegistry(t *testing.T) {
	reg := exporter.NewRegistry("1.2.3", func() exporter.IngestStats { return sampleIngest }, exporter.NewProviderLabels())
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range families {
		names[f.GetName()] = true
	}
	for _, want := range []string{"greenmetrics_build_info", "go_goroutines", "process_cpu_seconds_total", "greenmetrics_spool_pending_points"} {
		if !names[want] {
			t.Errorf("registry lacks %s", want)
		}
	}
	if n, err := testutil.GatherAndCount(reg, "greenmetrics_build_info"); err != nil || n != 1 {
		t.Errorf("greenmetrics_build_info series = %d, %v; want 1", n, err)
	}
	problems, err := testutil.GatherAndLint(reg, "greenmetrics_build_info", "greenmetrics_spool_pending_points")
	if err != nil || len(problems) > 0 {
		t.Errorf("GatherAndLint = %v, %v", problems, err)
	}
}

func TestHandlerServesExposition(t *testing.T) {
	reg := exporter.NewRegistry("test", nil, exporter.ProviderLabels{})
	srv := httptest.NewServer(exporter.Handler(reg))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `greenmetrics_build_info{goversion="`) {
		t.Errorf("GET /metrics = %d, body without build info:\n%.500s", resp.StatusCode, body)
	}
}
