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

// The store is the engine's history and its results' writer, and its
// errors say what the engine asks of them, without the engine naming store.
var (
	_ HistoryReader    = (*store.Store)(nil)
	_ ResultWriter     = (*store.Store)(nil)
	_ RetryableError   = (*store.WriteError)(nil)
	_ UnreachableError = (*store.WriteError)(nil)
)

// TestEngineAgainstInfluxDB runs the engine on a real InfluxDB: a year of
// monthly figures and eight sections' monthly samples go in through line
// protocol, RunOnce computes, and the snapshot and the derived points read
// back with InfluxQL must tell the same story.
func TestEngineAgainstInfluxDB(t *testing.T) {
	srv := influxtest.New(t)
	st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Org: "greenmetrics", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	ctx := context.Background()

	obs := join(
		monthly("rural_sewage_stations_built", 2024, 1, repeat(5, 12)...),  // 60 of 64
		monthly("elderly_care_stations_built", 2024, 1, repeat(1, 12)...),  // 12 of 10
		monthly("general_budget_revenue", 2023, 1, repeat(0.8e9, 12)...),   // 9.6e9 in 2023
		monthly("general_budget_revenue", 2024, 1, repeat(0.85e9, 12)...),  // 10.2e9 against 9.984e9
		monthly("canal_business_district_completed_area", 2023, 12, 4.7e6), // year start
		monthly("canal_business_district_completed_area", 2024, 6, 4.85e6), // half the increase by June
		waterSamples(2024, 12),
	)
	lines := make([]string, 0, len(obs))
	for _, o := range obs {
		if err := o.Validate(); err != nil {
			t.Fatalf("Validate(%+v): %v", o, err)
		}
		lines = append(lines, string(store.AppendObservation(nil, o)))
	}
	if err := st.WriteLines(ctx, lines...); err != nil {
		t.Fatalf("WriteLines: %v", err)
	}

	cat, err := config.SeedCatalog()
	if err != nil {
		t.Fatal(err)
	}
	var state State
	asOf := time.Date(2024, 12, 20, 10, 30, 0, 0, models.Shanghai)
	a := testAnalysis()
	a.Year = 2024
	e, err := New(Options{Indicators: cat.Indicators(), Analysis: a, Water: waterConfig(),
		Reader: st, Writer: st, State: &state, Now: func() time.Time { return asOf }})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := e.RunOnce(ctx)
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	if state.Current() != snap {
		t.Fatal("RunOnce did not publish its snapshot")
	}

	t.Run("progress", func(t *testing.T) {
		for _, tc := range []struct {
			code                     string
			actual, target, complete float64
			status                   models.Status
		}{
			// December's figure is in: the year is closed, 60 of 64 is 未完成.
			{"rural_sewage_stations_built", 60, 64, 60.0 / 64, models.StatusMissed},
			{"elderly_care_stations_built", 12, 10, 1.2, models.StatusCompleted},
			{"general_budget_revenue", 10.2e9, 9.984e9, 10.2 / 9.984, models.StatusCompleted},
			{"canal_business_district_completed_area", 4.85e6, 5e6, 0.5, models.StatusAhead},
			{"energy_intensity", nan, nan, nan, models.StatusMunicipal},
		} {
			p := snap.Progress[tc.code]
			if !approx(p.Actual, tc.actual) || !approx(p.Target, tc.target) || !approx(p.Completion, tc.complete) || p.Status != tc.status {
				t.Errorf("%s: actual %v target %v completion %v %s; want %v %v %v %s",
					tc.code, p.Actual, p.Target, p.Completion, p.Status, tc.actual, tc.target, tc.complete, tc.status)
			}
		}
	})

	t.Run("water district figures", func(t *testing.T) {
		d := snap.Water.District
		if d.Sections != 8 || d.IVOrBetter != 8 || d.IIIOrBetter != 4 || d.GoodRatio != 0.5 || d.InferiorVRatio != 0 {
			t.Errorf("district = %+v; want 8 / 8 at Ⅳ or better / 4 at Ⅲ / 0.5 / 0", d)
		}
	})

	query := func(t *testing.T, q string, params map[string]any) []store.Series {
		t.Helper()
		series, err := st.Query(ctx, q, params)
		if err != nil {
			t.Fatalf("Query(%s): %v", q, err)
		}
		return series
	}

	t.Run("derived observations stored", func(t *testing.T) {
		for _, tc := range []struct {
			code   string
			n      int
			last   float64
			someAt map[string]float64 // month → value
		}{
			{"sections_iv_or_better", 12, 8, map[string]float64{"2024-01": 8}},
			{"sections_iii_or_better", 12, 3, map[string]float64{"2024-01": 4, "2024-02": 3}},
			{"assessed_sections", 12, 8, nil},
			{"water_good_ratio", 12, 0.375, map[string]float64{"2024-11": 0.5}},
			{"water_inferior_v_ratio", 12, 0, nil},
			{"water_attainment_ratio", 12, 0.75, map[string]float64{"2024-01": 7.0 / 8}}, // S2 misses Ⅲ in even months
		} {
			got, err := st.Observations(ctx, models.FigureQuery{Indicator: tc.code, WithDerived: true,
				Start: time.Date(2024, 1, 1, 0, 0, 0, 0, models.Shanghai), End: time.Date(2025, 1, 1, 0, 0, 0, 0, models.Shanghai)})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.n || !approx(got[len(got)-1].Value, tc.last) {
				t.Errorf("%s: %d derived points, last %v; want %d, last %v", tc.code, len(got), lastValue(got), tc.n, tc.last)
				continue
			}
			if !got[0].Time.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, models.Shanghai)) {
				t.Errorf("%s: first point at %s; want the period start 2024-01-01T00:00+08:00", tc.code, got[0].Time)
			}
			for _, o := range got {
				if want, ok := tc.someAt[o.Time.Format("2006-01")]; ok && !approx(o.Value, want) {
					t.Errorf("%s %s = %v; want %v", tc.code, o.Time.Format("2006-01"), o.Value, want)
				}
			}
		}
		classes, err := st.Observations(ctx, models.FigureQuery{Indicator: "water_class", Entity: "S8", WithDerived: true, Start: time.Date(2024, 1, 1, 0, 0, 0, 0, models.Shanghai)})
		if err != nil || len(classes) != 12 || classes[0].Value != 4 || classes[0].Provider != SourceDerived {
			t.Errorf("water_class of S8 = %+v, %v; want 12 derived monthly points of class 4", classes, err)
		}
	})

	t.Run("derived measurements stored", func(t *testing.T) {
		s := query(t, `SELECT "completion", "status", "time_progress" FROM "progress" WHERE "indicator" = $i`, map[string]any{"i": "rural_sewage_stations_built"})
		if len(s) != 1 || len(s[0].Values) != 1 {
			t.Fatalf("progress points = %+v; want one", s)
		}
		row := s[0].Values[0]
		if c, _ := store.Float(row[1]); !approx(c, 60.0/64) || row[2] != "missed" {
			t.Errorf("progress row = %v; want completion 0.9375, status missed (the year closed)", row)
		}
		if ts, _ := store.Float(row[0]); int64(ts) != asOf.Unix() {
			t.Errorf("progress stamped %v; want the run's as-of %d", row[0], asOf.Unix())
		}
		s = query(t, `SELECT "class", "attained", "main_pollutants" FROM "water_section" WHERE "section" = $s AND "period" = 'year_to_date'`, map[string]any{"s": "S8"})
		if len(s) != 1 || len(s[0].Values) != 1 {
			t.Fatalf("water_section S8 = %+v; want one year-to-date point", s)
		}
		if c, _ := store.Float(s[0].Values[0][1]); c != 4 {
			t.Errorf("water_section S8 class = %v; want 4", s[0].Values[0][1])
		}
		if a, _ := store.Float(s[0].Values[0][2]); a != 0 || s[0].Values[0][3] == "" {
			t.Errorf("water_section S8 = %v; want not attained, with main pollutants", s[0].Values[0])
		}
		s = query(t, `SELECT "iv_or_better", "iii_or_better", "good_ratio", "inferior_v_ratio" FROM "water_district" WHERE "period" = 'year_to_date'`, nil)
		if len(s) != 1 || len(s[0].Values) != 1 {
			t.Fatalf("water_district = %+v; want one year-to-date point", s)
		}
		want := []float64{8, 4, 0.5, 0}
		for i, w := range want {
			if v, _ := store.Float(s[0].Values[0][i+1]); v != w {
				t.Errorf("water_district column %s = %v; want %v", s[0].Columns[i+1], v, w)
			}
		}
		s = query(t, `SELECT "projected", "probability_meet" FROM "forecast" WHERE "indicator" = $i`, map[string]any{"i": "general_budget_revenue"})
		if len(s) != 1 {
			t.Errorf("forecast points = %+v; want one series", s)
		}
		s = query(t, `SELECT count("p") FROM "trend"`, nil)
		if len(s) != 1 {
			t.Errorf("trend points = %+v; want some", s)
		}
	})

	t.Run("rerun is idempotent for period-stamped points", func(t *testing.T) {
		if _, err := e.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := st.Observations(ctx, models.FigureQuery{Indicator: "sections_iv_or_better", WithDerived: true, Start: time.Date(2024, 1, 1, 0, 0, 0, 0, models.Shanghai)})
		if err != nil || len(got) != 12 {
			t.Errorf("after a rerun: %d points, %v; want still 12", len(got), err)
		}
		s := query(t, `SELECT count("completion") FROM "progress" WHERE "indicator" = $i`, map[string]any{"i": "rural_sewage_stations_built"})
		if n, _ := store.Float(s[0].Values[0][1]); n != 1 {
			t.Errorf("progress points after a rerun as of the same second = %v; want 1", n)
		}
	})
}

func lastValue(obs []models.Observation) float64 {
	if len(obs) == 0 {
		return math.NaN()
	}
	return obs[len(obs)-1].Value
}
