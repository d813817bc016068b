package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/report"
	"github.com/greenmetrics/greenmetrics/store"
)

// TestJanuaryReportStatesPriorYearResults: the report of January 2025,
// read from a real InfluxDB, states 2024's final results against the 2024
// plan (60 of 64 stations 未完成, 12 of 10 care stations 完成, 待定 without
// a figure), while its
// own rows, of a year no plan covers, say 未设定目标.
func TestJanuaryReportStatesPriorYearResults(t *testing.T) {
	t.Setenv("GREENMETRICS_PLANS_DIR", "")
	srv := influxtest.New(t)
	ctx := context.Background()
	st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var points []store.Point
	for m := 0; m < 13; m++ { // 2024-01 … 2025-01
		t0 := time.Date(2024, time.January+time.Month(m), 1, 0, 0, 0, 0, models.Shanghai)
		for code, v := range map[string]float64{"rural_sewage_stations_built": 5, "elderly_care_stations_built": 1} {
			points = append(points, store.ObservationPoint(models.Observation{Time: t0, Indicator: code, Value: v, Provider: "bureau"}))
		}
	}
	if err := st.WritePoints(ctx, points...); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	root := newRootCmd()
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	root.SetArgs([]string{"report", "--month", "2025-01", "--format", "json", "--out", out, "--rejects", t.TempDir(),
		"--influx-url", srv.URL, "--influx-bucket", srv.Bucket(), "--config", ""})
	if err := root.ExecuteContext(ctx); err != nil {
		t.Fatalf("greenmetrics report: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(out, "report-2025-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep report.Report
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	if rep.Final == nil || rep.Final.Year != 2024 {
		t.Fatalf("January 2025 report final results = %+v, want 2024's", rep.Final)
	}
	got := map[string]models.FinalResult{}
	for _, r := range rep.Final.Rows {
		got[r.Code] = r.Result
	}
	for code, want := range map[string]models.FinalResult{
		"rural_sewage_stations_built": models.ResultNotCompleted,
		"elderly_care_stations_built": models.ResultCompleted,
		"public_kindergartens_opened": "", // no figure yet, the cut-off (3 months) not passed: 待定
	} {
		if got[code] != want {
			t.Errorf("%s: %q, want %q", code, got[code], want)
		}
	}
	for _, s := range rep.Sections {
		for _, r := range s.Rows {
			if r.Code == "rural_sewage_stations_built" && r.Status != models.StatusNoTarget {
				t.Errorf("2025 row of %s: status %s, want no_target (no 2025 plan)", r.Code, r.Status)
			}
		}
	}
}
