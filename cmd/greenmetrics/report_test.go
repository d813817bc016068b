package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/report"
	"github.com/greenmetrics/greenmetrics/store"
)

// TestReportCommandEndToEnd stores a year and a half of observations in a
// real InfluxDB, runs `greenmetrics report` for May 2024 and reads the
// files back: the analysis engine's snapshot as of 2024-05-31 and the
// report's own history reads must give the numbers written.
func TestReportCommandEndToEnd(t *testing.T) {
	srv := influxtest.New(t)
	ctx := context.Background()
	st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var points []store.Point
	add := func(code, entity string, t time.Time, v float64) {
		points = append(points, store.ObservationPoint(models.Observation{Time: t, Indicator: code, Entity: entity, Value: v, Provider: "bureau"}))
	}
	for m := 0; m < 17; m++ { // 2023-01 … 2024-05
		t0 := time.Date(2023, time.January+time.Month(m), 1, 0, 0, 0, 0, models.Shanghai)
		add("prefab_building_started_area", "", t0, 100_000+float64(m)*1_000)
		add("electric_bus_taxi_added", "", t0, 25)
		// Activity data: the report's analysis derives co2_emissions from
		// it, and 2023's energy intensity with the GDP below, as serve's does.
		add("electricity_consumption", "", t0, 1e8)
		if m < 12 {
			add("energy_consumption_total", "", t0, 10_000)
		}
		if m < 12 && m%3 == 0 {
			add("gdp", "", t0, 2.5e10)
		}
	}
	// A June figure must not leak into the May report.
	add("prefab_building_started_area", "", time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai), 9e9)
	for d := 1; d <= 31; d++ {
		add("pm25", "永顺", time.Date(2024, 5, d, 12, 0, 0, 0, models.Shanghai), 30)
		// A demo station: its hours reach the report through the daily
		// aggregates, which must keep the demo bit.
		points = append(points, store.ObservationPoint(models.Observation{Time: time.Date(2024, 5, d, 8, 0, 0, 0, models.Shanghai),
			Indicator: "pm25", Entity: "演示站", Value: 50, Provider: models.ProviderDemo}))
	}
	if err := st.WritePoints(ctx, points...); err != nil {
		t.Fatal(err)
	}
	rejects := t.TempDir()
	rl, err := rejectlog.Open(rejects)
	if err != nil {
		t.Fatal(err)
	}
	if err := rl.Append(rejectlog.Entry{Time: time.Date(2024, 5, 9, 10, 0, 0, 0, models.Shanghai), Source: "api:test", Row: 3, Rule: "out_of_range", Message: "value -1 below 0"}); err != nil {
		t.Fatal(err)
	}

	out := t.TempDir()
	root := newRootCmd()
	var stdout bytes.Buffer
	root.SetOut(&stdout)
	root.SetErr(io.Discard)
	root.SetArgs([]string{"report", "--month", "2024-05", "--out", out, "--rejects", rejects,
		"--influx-url", srv.URL, "--influx-bucket", srv.Bucket(), "--config", ""})
	if err := root.ExecuteContext(ctx); err != nil {
		t.Fatalf("greenmetrics report: %v", err)
	}
	for _, f := range []string{"report-2024-05.html", "report-2024-05.csv", "report-2024-05-water.csv", "report-2024-05.json", "report-2024-05.md", "index.html"} {
		if !strings.Contains(stdout.String(), filepath.Join(out, f)) {
			t.Errorf("output does not list %s:\n%s", f, stdout.String())
		}
	}
	raw, err := os.ReadFile(filepath.Join(out, "report-2024-05.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep report.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	row := findReportRow(t, &rep, "prefab_building_started_area")
	// May 2024 is m = 16: 116,000 m²; April 115,000; May 2023 104,000;
	// January–May 2024: 112,000 + … + 116,000 = 570,000.
	checks := []struct {
		name      string
		got, want float64
	}{
		{"value", row.Value.Float(), 116_000}, {"prev", row.Prev.Float(), 115_000},
		{"year ago", row.YearAgo.Float(), 104_000}, {"ytd", row.YTD.Float(), 570_000},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-6 {
			t.Errorf("prefab %s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if row.Status == "" || row.Status == models.StatusNoData {
		t.Errorf("prefab status = %q; the engine's progress did not reach the report", row.Status)
	}
	// 120 000 tce over 1e11 CNY (10⁷ × 10⁴ CNY) is 0.012 tce per 10⁴ CNY.
	if ei := findReportRow(t, &rep, "energy_intensity"); math.Abs(ei.Value.Float()-0.012) > 1e-12 || ei.Stale {
		t.Errorf("energy_intensity = %v (stale %v), want 0.012 derived by the report's own analysis", ei.Value, ei.Stale)
	}
	if co2 := findReportRow(t, &rep, "co2_emissions"); !(co2.Value.Float() > 0) || co2.Period != "2024-05" {
		t.Errorf("co2_emissions = %v for %q, want May's derived emissions", co2.Value, co2.Period)
	}
	if rep.Quality.Rejected != 1 || len(rep.Stations.Rows) != 2 || rep.Stations.Rows[0].Means[0].Float() != 30 || rep.Stations.Rows[0].Demo {
		t.Errorf("rejected %d, stations %+v", rep.Quality.Rejected, rep.Stations.Rows)
	}
	if demo := rep.Stations.Rows[1]; demo.Station != "演示站" || !demo.Demo || demo.Samples[0] != 31 {
		t.Errorf("demo station row = %+v; want 演示站 marked demo, 31 hourly figures", demo)
	}
}

func findReportRow(t *testing.T, r *report.Report, code string) report.Row {
	t.Helper()
	for _, s := range r.Sections {
		for _, row := range s.Rows {
			if row.Code == code {
				return row
			}
		}
	}
	t.Fatalf("report has no row %s", code)
	return report.Row{}
}
