package metrics

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// airDay is one station-day of constant hourly values; pm25Hours of them
// carry PM2.5.
func airDay(station string, date time.Time, pm25 float64, pm25Hours int) []models.Observation {
	var out []models.Observation
	for h := 0; h < 24; h++ {
		t := date.Add(time.Duration(h) * time.Hour)
		for code, v := range map[string]float64{"pm10": 50, "so2": 10, "no2": 20, "co": 500, "o3": 60} {
			out = append(out, models.Observation{Time: t, Indicator: code, Entity: station, Value: v, Provider: "test"})
		}
		if h < pm25Hours {
			out = append(out, models.Observation{Time: t, Indicator: "pm25", Entity: station, Value: pm25, Provider: "test"})
		}
	}
	return out
}

// TestEngineAirAgainstInfluxDB: hourly station data in, the district's
// daily AQI, day counts and annual statistics out in derived. Stations A
// and B are the district's, C is not (its PM2.5 would make every day
// heavy). PM2.5 75, 150 and 250 µg/m³ are IAQI 100, 200 and 300 exactly,
// the other pollutants stay below; on 4 June PM2.5 has 19 hours.
func TestEngineAirAgainstInfluxDB(t *testing.T) {
	srv := influxtest.New(t)
	st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Org: "greenmetrics", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2024, 6, d, 0, 0, 0, 0, models.Shanghai) }
	obs := join(
		airDay("A", day(1), 75, 24), airDay("B", day(1), 75, 20),
		airDay("A", day(2), 100, 24), airDay("B", day(2), 200, 24), // region 150
		airDay("A", day(3), 250, 24), airDay("B", day(3), 250, 24),
		airDay("A", day(4), 30, 19), airDay("B", day(4), 30, 19),
		airDay("C", day(1), 400, 24), airDay("C", day(2), 400, 24),
	)
	lines := make([]string, 0, len(obs))
	for _, o := range obs {
		lines = append(lines, string(store.AppendObservation(nil, o)))
	}
	if err := st.WriteLines(ctx, lines...); err != nil {
		t.Fatalf("WriteLines: %v", err)
	}
	cat, err := config.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2024, 6, 5, 9, 0, 0, 0, models.Shanghai)
	a := testAnalysis()
	a.Year = 2024
	e, err := New(Options{Indicators: cat.Indicators(), Analysis: a, Scope: config.Scope{Stations: []string{"A", "B"}},
		Reader: st, Writer: st, Now: func() time.Time { return asOf }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.RunOnce(ctx); err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	// A second run reads the first one's derived figures back and replaces
	// them: the same values, no duplicates.
	snap, err := e.RunOnce(ctx)
	if err != nil {
		t.Fatalf("second RunOnce: %v", err)
	}
	if p := snap.Progress["good_days_ratio"]; math.Abs(p.Actual-1.0/3) > 1e-9 {
		t.Errorf("progress of good_days_ratio: actual %v; want 1/3", p.Actual)
	}
	if p := snap.Progress["heavy_pollution_days"]; p.Actual != 1 {
		t.Errorf("progress of heavy_pollution_days: actual %v; want 1", p.Actual)
	}
	read := func(code string) map[string]float64 {
		t.Helper()
		got, err := st.Observations(ctx, models.FigureQuery{Indicator: code, WithDerived: true, Start: day(1).AddDate(0, -6, 0)})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, o := range got {
			if o.Provider != SourceDerived || o.Entity != "" {
				t.Errorf("%s: %+v is not a derived district figure", code, o)
			}
			out[o.Time.In(models.Shanghai).Format(time.DateOnly)] = o.Value
		}
		return out
	}
	tests := []struct {
		code string
		want map[string]float64
	}{
		{"aqi_daily", map[string]float64{"2024-06-01": 100, "2024-06-02": 200, "2024-06-03": 300}},
		{"good_days", map[string]float64{"2024-06-01": 1, "2024-06-02": 1, "2024-06-03": 1, "2024-06-04": 1}},
		{"good_days_ratio", map[string]float64{"2024-06-01": 1, "2024-06-02": 0.5, "2024-06-03": 1.0 / 3, "2024-06-04": 1.0 / 3}},
		{"heavy_pollution_days", map[string]float64{"2024-06-01": 0, "2024-06-02": 0, "2024-06-03": 1, "2024-06-04": 1}},
		// Year to date on 1 January: PM2.5 over the three valid days, CO's
		// percentile of a constant (0.5 mg/m³, the catalogue's 500 µg/m³).
		{"pm25_year_mean", map[string]float64{"2024-01-01": (75 + 150 + 250) / 3.0}},
		{"co_year_p95", map[string]float64{"2024-01-01": 500}}, // stored in µg/m³
		{"o3_8h_year_p90", map[string]float64{"2024-01-01": 60}},
	}
	for _, tc := range tests {
		got := read(tc.code)
		if len(got) != len(tc.want) {
			t.Errorf("%s = %v; want %v", tc.code, got, tc.want)
			continue
		}
		for d, w := range tc.want {
			if v, ok := got[d]; !ok || math.Abs(v-w) > 1e-9 {
				t.Errorf("%s %s = %v (present %v); want %v", tc.code, d, v, ok, w)
			}
		}
	}
}
