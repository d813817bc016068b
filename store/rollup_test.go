package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// TestRollups checks the air rollups against a real InfluxDB: Shanghai day
// boundaries, sums and counts of the values ≥ 0 only, the days with a
// negative or demo hour, entity and indicator selection, and O₃ hours.
func TestRollups(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	hour := func(indicator, entity string, day, h int, v float64, provider string) models.Observation {
		return models.Observation{Time: june.AddDate(0, 0, day).Add(time.Duration(h) * time.Hour), Indicator: indicator,
			Entity: entity, Value: v, Provider: provider}
	}
	writeObservations(t, s,
		hour("pm25", "A", 0, 0, 10, "cnemc"), hour("pm25", "A", 0, 23, 30, "cnemc"), // 00:00 and 23:00 are one day
		hour("pm25", "A", 1, 0, 5, "cnemc"), hour("pm25", "A", 1, 1, -1, "cnemc"), // a negative hour
		hour("pm25", "B", 0, 5, 7, models.ProviderDemo), // a demo hour
		hour("pm25", "C", 0, 5, 99, "cnemc"),            // not asked for
		hour("so2", "A", 0, 5, 3, "cnemc"),
		hour("no2", "A", 0, 5, 500, "cnemc"), // not asked for
		hour("o3", "B", 0, 2, 60, "cnemc"), hour("o3", "A", 0, 1, 40, "cnemc"), hour("o3", "A", 0, 0, 50, models.ProviderDemo),
	)
	f := models.DayFilter{Indicators: []string{"pm25", "so2"}, Entities: []string{"A", "B"}, Start: june, End: june.AddDate(0, 0, 2)}
	sums, err := s.DaySums(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	type sum struct {
		sum   float64
		hours int
	}
	got := map[models.DayKey]sum{}
	for _, d := range sums {
		got[models.DayKey{Indicator: d.Indicator, Entity: d.Entity, Date: d.Date.In(models.Shanghai)}] = sum{d.Sum, d.Hours}
	}
	key := func(indicator, entity string, day int) models.DayKey {
		return models.DayKey{Indicator: indicator, Entity: entity, Date: june.AddDate(0, 0, day)}
	}
	want := map[models.DayKey]sum{
		key("pm25", "A", 0): {40, 2}, key("pm25", "A", 1): {5, 1}, key("pm25", "B", 0): {7, 1}, key("so2", "A", 0): {3, 1},
	}
	if len(got) != len(want) {
		t.Errorf("DaySums = %v; want %v", got, want)
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("DaySums %s %s %s = %+v (present %v); want %+v", k.Indicator, k.Entity, k.Date.Format(time.DateOnly), g, ok, w)
		}
	}

	unusual, err := s.UnusualDays(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	gotUnusual := map[models.DayKey]bool{}
	for _, k := range unusual {
		k.Date = k.Date.In(models.Shanghai)
		gotUnusual[k] = true
	}
	if len(gotUnusual) != 2 || !gotUnusual[key("pm25", "A", 1)] || !gotUnusual[key("pm25", "B", 0)] {
		t.Errorf("UnusualDays = %v; want pm25 of A on 2 June (negative) and of B on 1 June (demo)", unusual)
	}

	hours, err := s.Hours(ctx, "o3", f)
	if err != nil {
		t.Fatal(err)
	}
	wantHours := []models.Observation{
		hour("o3", "A", 0, 0, 50, models.ProviderDemo), hour("o3", "A", 0, 1, 40, "cnemc"), hour("o3", "B", 0, 2, 60, "cnemc"),
	}
	if len(hours) != len(wantHours) {
		t.Fatalf("Hours = %+v; want %+v", hours, wantHours)
	}
	for i, w := range wantHours {
		g := hours[i]
		if !g.Time.Equal(w.Time) || g.Entity != w.Entity || g.Value != w.Value || g.Provider != w.Provider || g.Indicator != "o3" {
			t.Errorf("Hours[%d] = %+v; want %+v", i, g, w)
		}
	}

	if _, err := s.DaySums(ctx, models.DayFilter{Indicators: []string{"pm25"}, Start: june, End: june.AddDate(0, 0, 1)}); err == nil {
		t.Error("DaySums without entities: no error")
	}
}

// TestDailyAggregatesAnyDemoHour: a day is demo when any hour is, not only
// its first or last; the days come back in entity and time order although
// the span is asked in two halves.
func TestDailyAggregatesAnyDemoHour(t *testing.T) {
	s := newStore(t)
	hour := func(entity string, day, h int, provider string) models.Observation {
		return models.Observation{Time: june.AddDate(0, 0, day).Add(time.Duration(h) * time.Hour), Indicator: "pm25",
			Entity: entity, Value: float64(10 * (day + 1)), Provider: provider}
	}
	var obs []models.Observation
	for day := range 4 {
		for _, e := range []string{"B", "A"} {
			obs = append(obs, hour(e, day, 0, "cnemc"), hour(e, day, 12, "cnemc"), hour(e, day, 23, "cnemc"))
		}
	}
	obs = append(obs, hour("A", 2, 6, models.ProviderDemo))
	writeObservations(t, s, obs...)
	days, err := s.DailyAggregates(context.Background(), "pm25", models.AggregateMean, june, june.AddDate(0, 0, 4))
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 8 {
		t.Fatalf("%d days %+v; want 8", len(days), days)
	}
	for i, d := range days {
		entity, day := []string{"A", "B"}[i/4], i%4
		wantProvider, wantHours := "", 3
		if entity == "A" && day == 2 {
			wantProvider, wantHours = models.ProviderDemo, 4
		}
		if d.Entity != entity || !d.Time.Equal(june.AddDate(0, 0, day)) || d.Value != float64(10*(day+1)) || d.Provider != wantProvider || d.Hours != wantHours {
			t.Errorf("day %d = %s %v %v %q %d hours; want %s %v %v %q %d", i, d.Entity, d.Time, d.Value, d.Provider, d.Hours,
				entity, june.AddDate(0, 0, day), float64(10*(day+1)), wantProvider, wantHours)
		}
	}
}
