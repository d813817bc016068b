package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// schema1 writes points of the schema-1 measurement, as the daemon before
// schema 2 did: tags indicator, entity, source; field value.
func schema1(t *testing.T, s *store.Store, lines ...string) {
	t.Helper()
	if err := s.WriteLines(context.Background(), lines...); err != nil {
		t.Fatalf("writing schema-1 points: %v", err)
	}
}

func legacyLine(indicator, entity, source string, value float64, at time.Time) string {
	tags := "indicator=" + indicator + ",source=" + source
	if entity != "" {
		tags = "entity=" + entity + "," + tags
	}
	return fmt.Sprintf("observation,%s value=%g %d", tags, value, at.Unix())
}

var testFrequencies = map[string]models.Frequency{
	"prefab_building_started_area": models.FrequencyMonthly,
	"co2_emissions":                models.FrequencyMonthly,
	"pm25":                         models.FrequencyHourly,
	"co2_total_ceads":              models.FrequencyAnnual,
}

func frequencyOf(ind string) (models.Frequency, bool) {
	f, ok := testFrequencies[ind]
	return f, ok
}

func sh(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, models.Shanghai)
}

// TestMigrateSchema1 migrates a schema-1 database with every case the
// migration resolves, and proves the result against the real InfluxDB: a
// dry run writes nothing, a run writes schema 2, a second run changes
// nothing, and a figure written to schema 2 since the upgrade is kept.
func TestMigrateSchema1(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	schema1(t, s,
		// June sent twice: 2024-06-01 from the demo, 2024-06-30 from zjw.
		legacyLine("prefab_building_started_area", "", "demo", 120000, sh(2024, 6, 1, 0)),
		legacyLine("prefab_building_started_area", "", "zjw", 122000, sh(2024, 6, 30, 0)),
		// May from two sources at the same stamp: the first by name wins.
		legacyLine("prefab_building_started_area", "", "zjw", 90000, sh(2024, 5, 1, 0)),
		legacyLine("prefab_building_started_area", "", "drop", 91000, sh(2024, 5, 1, 0)),
		// April once.
		legacyLine("prefab_building_started_area", "", "drop", 80000, sh(2024, 4, 1, 0)),
		// The engine's derived figure, beside a reported one of the same month.
		legacyLine("co2_emissions", "", "derived", 5.1e5, sh(2024, 6, 1, 0)),
		legacyLine("co2_emissions", "", "tjj", 5.0e5, sh(2024, 6, 1, 0)),
		// Hourly station data across a year boundary, Shanghai time.
		legacyLine("pm25", "BJ-Dongsi", "cnemc", 35, sh(2023, 12, 31, 23)),
		legacyLine("pm25", "BJ-Dongsi", "cnemc", 41, sh(2024, 1, 1, 0)),
		// An annual reference series per region.
		legacyLine("co2_total_ceads", "China", "ceads", 1.1e10, sh(2021, 1, 1, 0)),
		legacyLine("co2_total_ceads", "Beijing", "ceads", 8.8e7, sh(2021, 1, 1, 0)),
		// An indicator the catalogue no longer knows.
		legacyLine("retired_indicator", "", "drop", 1, sh(2024, 1, 1, 0)),
	)
	if need, err := s.NeedsMigration(ctx); err != nil || !need {
		t.Fatalf("NeedsMigration before = %v, %v; want true", need, err)
	}

	var collisions []store.Collision
	opts := store.MigrateOptions{Frequency: frequencyOf, DryRun: true, BatchSize: 3,
		OnCollision: func(c store.Collision) { collisions = append(collisions, c) }}
	dry, err := s.MigrateSchema1(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	wantReport := store.MigrateReport{Indicators: 5, Read: 11, Figures: 8, Derived: 1, Collisions: 2, Unknown: map[string]int{"retired_indicator": 1}}
	checkReport(t, "dry run", dry, wantReport)
	if names, _ := s.Measurements(ctx); contains(names, store.MeasurementFigure) || contains(names, store.MeasurementDerived) {
		t.Fatalf("the dry run wrote schema 2: measurements %v", names)
	}

	collisions = nil
	opts.DryRun = false
	rep, err := s.MigrateSchema1(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, "first run", rep, wantReport)
	checkCollisions(t, collisions)
	want := map[string]string{
		"prefab_building_started_area//2024-04": "80000 drop",
		"prefab_building_started_area//2024-05": "91000 drop",
		"prefab_building_started_area//2024-06": "122000 zjw",
		"co2_emissions//2024-06":                "500000 tjj",
		"pm25/BJ-Dongsi/2023-12-31 23:00":       "35 cnemc",
		"pm25/BJ-Dongsi/2024-01-01 00:00":       "41 cnemc",
		"co2_total_ceads/Beijing/2021":          "8.8e+07 ceads",
		"co2_total_ceads/China/2021":            "1.1e+10 ceads",
	}
	checkFigures(t, s, want)
	derived, err := s.Observations(ctx, models.FigureQuery{Indicator: "co2_emissions", WithDerived: true, Start: sh(2024, 1, 1, 0)})
	if err != nil || len(derived) != 1 || derived[0].Provider != "tjj" {
		t.Errorf("co2_emissions with derived = %+v, %v; want the reported figure over the derived one", derived, err)
	}
	if need, err := s.NeedsMigration(ctx); err != nil || need {
		t.Errorf("NeedsMigration after = %v, %v; want false", need, err)
	}

	// A correction pushed after the upgrade, then the migration run again:
	// nothing changes, the newer figure stays.
	writeObservations(t, s, models.Observation{Time: sh(2024, 6, 1, 0), Indicator: "prefab_building_started_area", Value: 125000, Provider: "zjw"})
	again, err := s.MigrateSchema1(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, "second run", again, store.MigrateReport{Indicators: 5, Read: 11, Present: 8, KeptNewer: 1, Collisions: 2, Unknown: map[string]int{"retired_indicator": 1}})
	want["prefab_building_started_area//2024-06"] = "125000 zjw"
	checkFigures(t, s, want)
}

func checkReport(t *testing.T, what string, got, want store.MigrateReport) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: report %+v, want %+v", what, got, want)
	}
}

func checkCollisions(t *testing.T, got []store.Collision) {
	t.Helper()
	if len(got) != 2 {
		t.Fatalf("collisions %+v, want 2", got)
	}
	may, june := got[0], got[1]
	if may.Period.Label() != "2024-05" || may.Kept.Provider != "drop" || len(may.Dropped) != 1 || may.Dropped[0].Provider != "zjw" {
		t.Errorf("May: %+v; want drop kept over zjw (same stamp, first by name)", may)
	}
	if june.Period.Label() != "2024-06" || june.Kept.Provider != "zjw" || june.Kept.Value != 122000 || len(june.Dropped) != 1 || june.Dropped[0].Provider != "demo" {
		t.Errorf("June: %+v; want zjw's 2024-06-30 kept over demo's 2024-06-01 (latest stamp)", june)
	}
}

// checkFigures reads every migrated indicator back and compares
// "indicator/entity/period" → "value provider".
func checkFigures(t *testing.T, s *store.Store, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for ind, freq := range testFrequencies {
		obs, err := s.Observations(context.Background(), models.FigureQuery{Indicator: ind, Start: sh(2000, 1, 1, 0)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range obs {
			got[ind+"/"+o.Entity+"/"+models.PeriodOf(freq, o.Time).Label()] = fmt.Sprintf("%g %s", o.Value, o.Provider)
			if p := models.PeriodOf(freq, o.Time); !p.Start.Equal(o.Time) {
				t.Errorf("%s/%s stored at %v, not at its period start %v", ind, o.Entity, o.Time, p.Start)
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("schema 2 holds\n%v\nwant\n%v", got, want)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestResolveCollision(t *testing.T) {
	tests := []struct {
		name  string
		cands []store.Candidate
		want  string
	}{
		{"latest stamp wins", []store.Candidate{{Time: sh(2024, 6, 1, 0), Provider: "a", Value: 1}, {Time: sh(2024, 6, 30, 0), Provider: "z", Value: 2}}, "z"},
		{"same stamp: first provider by name", []store.Candidate{{Time: sh(2024, 6, 1, 0), Provider: "zjw", Value: 1}, {Time: sh(2024, 6, 1, 0), Provider: "drop", Value: 2}}, "drop"},
		{"single", []store.Candidate{{Time: sh(2024, 6, 1, 0), Provider: "x", Value: 1}}, "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kept, dropped := store.ResolveCollision(tc.cands)
			if kept.Provider != tc.want || len(dropped) != len(tc.cands)-1 {
				t.Errorf("kept %+v dropped %+v; want %s kept", kept, dropped, tc.want)
			}
		})
	}
}
