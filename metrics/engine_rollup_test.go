package metrics

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// TestEngineSameWithStoredRollups: on a year of real hours of two Beijing
// stations, an analysis reading the daily rollups the store keeps
// (store.Config.Rollups) gives the snapshot of one aggregating every hour:
// when it computes them (cold), when it reads them (warm, a new store) and
// after a late and a revised hour delivered as the spool does (figures,
// then marks).
func TestEngineSameWithStoredRollups(t *testing.T) {
	srv := influxtest.New(t)
	open := func(rollups bool) *store.Store {
		st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Org: "greenmetrics", Timeout: time.Minute, Rollups: rollups})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	raw := open(false)
	t.Cleanup(raw.Close)
	ctx := context.Background()
	stations := []string{"Dongsi", "Huairou"}
	from := time.Date(2016, 1, 1, 0, 0, 0, 0, models.Shanghai)
	asOf := time.Date(2016, 12, 20, 13, 30, 0, 0, models.Shanghai)
	obs := beijingHours(t, map[string]bool{"Dongsi": true, "Huairou": true}, from, asOf.Add(time.Hour))
	write := func(marked bool, obs ...models.Observation) {
		t.Helper()
		lines := make([]string, 0, len(obs))
		for _, o := range obs {
			lines = append(lines, string(store.AppendObservation(nil, o)))
		}
		if marked {
			lines = append(lines, store.MarkLines(lines)...)
		}
		for i := 0; i < len(lines); i += 20000 {
			if err := raw.WriteLines(ctx, lines[i:min(i+20000, len(lines))]...); err != nil {
				t.Fatalf("WriteLines: %v", err)
			}
		}
	}
	write(false, obs...) // history from before marks
	cat, err := config.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	snapshot := func(r HistoryReader) string {
		t.Helper()
		e, err := New(Options{Indicators: cat.Indicators(), Analysis: testAnalysis(), Scope: config.Scope{Stations: stations}, Reader: r, Now: func() time.Time { return asOf }})
		if err != nil {
			t.Fatal(err)
		}
		s, err := e.RunAt(ctx, asOf, 2016)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%v\n%v\n%v\n%v\n%v\n%v\n%v", s.Progress, s.Forecasts, s.Trends, s.Latest, s.Derived, s.Series, s.EntitySeries)
	}
	check := func(step string) {
		t.Helper()
		want := snapshot(raw)
		rolled := open(true)
		got := snapshot(rolled)
		rolled.Close() // waits for the rollups written back
		if got != want {
			t.Errorf("%s: the snapshot from the rollups differs from the one from the hours", step)
		}
	}
	check("cold")
	check("warm")
	write(true, models.Observation{Time: time.Date(2016, 3, 2, 5, 0, 0, 0, models.Shanghai), Indicator: "pm25", Entity: "Dongsi", Value: 997, Provider: "cnemc"})
	check("late hour")
	late := obs[len(obs)/2]
	late.Value += 1000
	write(true, late)
	check("revised hour")
}
