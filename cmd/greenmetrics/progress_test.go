package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// TestProgressCommandEndToEnd stores figures in a real InfluxDB and runs
// `greenmetrics progress` as of 2024-06-30, in Chinese and as JSON.
func TestProgressCommandEndToEnd(t *testing.T) {
	srv := influxtest.New(t)
	ctx := context.Background()
	st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var points []store.Point
	for m := time.January; m <= time.July; m++ {
		t0 := time.Date(2024, m, 1, 0, 0, 0, 0, models.Shanghai)
		points = append(points,
			store.ObservationPoint(models.Observation{Time: t0, Indicator: "rural_sewage_stations_built", Value: 5, Provider: "bureau"}),
			store.ObservationPoint(models.Observation{Time: t0, Indicator: "general_budget_revenue", Value: 0.85e9, Provider: "bureau"}),
			store.ObservationPoint(models.Observation{Time: t0, Indicator: "old_residential_renovation", Value: 1, Provider: models.ProviderDemo}))
	}
	// Rate targets: 5.004 % is published as 5.0 % and within 5%以内; GDP
	// growth 4.55 % in Q2 is 4.6 %, within 0.5 个百分点 of 5%左右. The canal
	// district's cumulative area is judged by the year's increment.
	points = append(points,
		store.ObservationPoint(models.Observation{Time: time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai), Indicator: "urban_registered_unemployment_rate", Value: 0.05004, Provider: "bureau"}),
		store.ObservationPoint(models.Observation{Time: time.Date(2024, 4, 1, 0, 0, 0, 0, models.Shanghai), Indicator: "gdp_growth", Value: 0.0455, Provider: "bureau"}),
		store.ObservationPoint(models.Observation{Time: time.Date(2023, 12, 1, 0, 0, 0, 0, models.Shanghai), Indicator: "canal_business_district_completed_area", Value: 4.7e6, Provider: "bureau"}),
		store.ObservationPoint(models.Observation{Time: time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai), Indicator: "canal_business_district_completed_area", Value: 4.85e6, Provider: "bureau"}))
	// Reference series: CEADs holds China and 30 provinces (which add up
	// to China), OWID the world and its countries. Summed they made the
	// district's carbon figure twice China's; they are not the district's.
	for _, y := range []int{2023, 2024} {
		t0 := time.Date(y, time.January, 1, 0, 0, 0, 0, models.Shanghai)
		points = append(points, store.ObservationPoint(models.Observation{Time: t0, Indicator: "co2_total_ceads", Entity: "China", Value: 1.1e10, Provider: "ceads"}))
		for p := 1; p <= 30; p++ {
			points = append(points, store.ObservationPoint(models.Observation{Time: t0, Indicator: "co2_total_ceads", Entity: fmt.Sprintf("P%02d", p), Value: 1.1e10 / 30, Provider: "ceads"}))
		}
		for _, e := range []string{"World", "China", "India"} {
			points = append(points, store.ObservationPoint(models.Observation{Time: t0, Indicator: "co2_annual_owid_gcp", Entity: e, Value: 1e10, Provider: "owid"}))
		}
	}
	if err := st.WritePoints(ctx, points...); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		root := newRootCmd()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(io.Discard)
		root.SetArgs(append([]string{"progress", "--as-of", "2024-06-30", "--year", "2024",
			"--influx-url", srv.URL, "--influx-bucket", srv.Bucket(), "--config", ""}, args...))
		if err := root.ExecuteContext(ctx); err != nil {
			t.Fatalf("greenmetrics progress %v: %v", args, err)
		}
		return out.String()
	}

	text := run()
	for _, reference := range []string{"CEADs", "OWID"} {
		if strings.Contains(text, reference) {
			t.Errorf("progress lists the reference series %s as a district figure:\n%s", reference, text)
		}
	}
	for _, want := range []string{
		"2024年目标进度（截至2024-06-30 23:59）",
		// 1–6月 30 of 64 = 46.88% against 6/12: behind. The July figure is after the as-of date.
		"农村污水处理站建设", "1–6月", "30座", "64座", "46.88%", "50%", "落后序时",
		// 94.11亿 × 1.04 = 97.87亿 from the catalogue baseline; 6 × 0.85亿 = 51亿.
		"51亿元", "97.87亿元（增长4%）", "52.11%", "超序时",
		"能耗强度", "市级下达",
		// Rate targets: no 完成率, the difference in 个百分点.
		"达标（控制在目标以内）", "基本达标（低于目标0.4个百分点）",
		// 15 of the 30万㎡ the year must deliver, labelled.
		"50%（年内增量）",
		// Figures still from the demo's data are marked.
		"老旧小区改造完工（演示）",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("progress output lacks %q:\n%s", want, text)
		}
	}

	var rows []models.Progress
	if err := json.Unmarshal([]byte(run("--json")), &rows); err != nil {
		t.Fatalf("progress --json is not a JSON array of Progress: %v", err)
	}
	found := false
	for _, p := range rows {
		if p.Indicator == "rural_sewage_stations_built" {
			found = true
			if p.Actual != 30 || p.Status != models.StatusBehind || math.Abs(p.TimeProgress-0.5) > 1e-12 {
				t.Errorf("JSON row = %+v; want actual 30, behind, 序时 0.5", p)
			}
		}
		if (p.Indicator == "urban_registered_unemployment_rate" || p.Indicator == "gdp_growth") && (!p.RateTarget || !math.IsNaN(p.Completion)) {
			t.Errorf("%s: rate target %v, completion %v; want a rate target without 完成率", p.Indicator, p.RateTarget, p.Completion)
		}
		if p.Indicator == "energy_intensity" && !math.IsNaN(p.Target) {
			t.Errorf("energy_intensity target = %v in JSON; want null (NaN)", p.Target)
		}
	}
	if !found {
		t.Error("progress --json has no rural_sewage_stations_built row")
	}
}
