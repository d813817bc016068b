package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// referenceSeries are CEADs-like provincial inventories (China and 30
// provinces, which add up to China: summing them counts China twice) and
// OWID-like national series (the world and its countries), 2022–2024.
func referenceSeries() []models.Observation {
	var out []models.Observation
	for y := 2022; y <= 2024; y++ {
		t := at(y, 1, 1)
		china := 11e9 + 1e8*float64(y-2022)
		out = append(out, models.Observation{Time: t, Indicator: "co2_total_ceads", Entity: "China", Value: china, Provider: "ceads"})
		for p := 1; p <= 30; p++ {
			out = append(out, models.Observation{Time: t, Indicator: "co2_total_ceads", Entity: fmt.Sprintf("Province%02d", p), Value: china / 30, Provider: "ceads"})
		}
		for entity, v := range map[string]float64{"World": 37e9, "China": china, "United States": 5e9, "India": 3e9} {
			out = append(out, models.Observation{Time: t, Indicator: "co2_annual_owid_gcp", Entity: entity, Value: v, Provider: "owid"})
		}
	}
	return out
}

// districtCarbon is the district's own carbon and energy data: monthly
// electricity and gas (co2_emissions is derived from them), a reported
// emissions figure, GDP and energy for the intensities.
func districtCarbon() []models.Observation {
	return join(
		monthly("electricity_consumption", 2023, 1, repeat(1e6, 18)...),
		monthly("natural_gas_consumption", 2023, 1, repeat(1e4, 18)...),
		quarterly("gdp", 2023, 1, 2.5e9, 2.5e9, 2.5e9, 2.5e9),
		monthly("energy_consumption_total", 2023, 1, repeat(100, 12)...),
		monthly("carbon_eval_pilot_co2_reduction", 2024, 1, 400, 410, 420, 430, 440, 450),
	)
}

// TestEngineScopeNeverSumsOverlappingRegions: loading CEADs (China + 30
// provinces) and OWID (World + countries) changes none of the district's
// figures — progress, forecasts, series, trends of district indicators —
// and gives the reference indicators no district figure; they stay per
// entity, labelled with their level.
func TestEngineScopeNeverSumsOverlappingRegions(t *testing.T) {
	factors, err := config.DefaultFactors()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := config.SeedCatalog()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	run := func(obs []models.Observation) *Snapshot {
		t.Helper()
		e, err := New(Options{Indicators: cat.Indicators(), Analysis: testAnalysis(), Reader: &memStore{obs: obs},
			Factors: factors.Table, Selection: cfg.Carbon.Selection(), Scope: cfg.Scope})
		if err != nil {
			t.Fatal(err)
		}
		snap, err := e.RunAt(context.Background(), at(2024, 6, 30), 2024)
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
	alone := run(districtCarbon())
	with := run(join(districtCarbon(), referenceSeries()))

	for _, code := range []string{"co2_total_ceads", "co2_annual_owid_gcp"} {
		if p, ok := with.Progress[code]; ok {
			t.Errorf("%s has a district progress entry %+v: overlapping regions were combined", code, p)
		}
		if _, ok := with.Series[code]; ok {
			t.Errorf("%s has a district series", code)
		}
	}
	if len(alone.Progress) == 0 || alone.Progress[CodeCO2Emissions].Observations == 0 {
		t.Fatalf("the district's co2_emissions has no progress: %+v", alone.Progress[CodeCO2Emissions])
	}
	a, _ := json.Marshal(alone.Progress)
	b, _ := json.Marshal(with.Progress)
	if string(a) != string(b) {
		t.Errorf("district progress changed by reference series:\n without %s\n    with %s", a, b)
	}
	a, _ = json.Marshal(alone.Forecasts)
	b, _ = json.Marshal(with.Forecasts)
	if string(a) != string(b) {
		t.Errorf("district forecasts changed by reference series")
	}
	for _, tr := range with.Trends {
		if (tr.Indicator == "co2_total_ceads" || tr.Indicator == "co2_annual_owid_gcp") && tr.Entity == "" {
			t.Errorf("a district trend of a reference series: %+v", tr)
		}
	}
	ceads := with.EntitySeries["co2_total_ceads"]
	if len(ceads) != 31 {
		t.Fatalf("CEADs entity series = %d entities; want China and 30 provinces", len(ceads))
	}
	if pv, ok := ceads["China"].At(models.PeriodOf(models.FrequencyAnnual, at(2023, 1, 1))); !ok || pv.Value != 11.1e9 {
		t.Errorf("China 2023 = %+v; want 1.11e10 as reported", pv)
	}
	for _, c := range []struct {
		entity, kind string
		want         models.Level
	}{{"China", "region", models.LevelCountry}, {"Province07", "region", models.LevelProvince}, {"World", "country", models.LevelWorld}, {"India", "country", models.LevelCountry}} {
		if got := with.Scope.LevelOf(c.entity, c.kind); got != c.want {
			t.Errorf("level of %s = %s; want %s", c.entity, got, c.want)
		}
	}
}

// TestEngineSeriesTakeTheRunsDerivedFigures: the snapshot's series (what
// the report reads) hold the figures this run derived in place of stale
// stored derived ones, and a reported figure of the same period still wins.
func TestEngineSeriesTakeTheRunsDerivedFigures(t *testing.T) {
	obs := append(waterSamples(2024, 12),
		models.Observation{Time: at(2024, 4, 1), Indicator: CodeWaterGoodRatio, Value: 0.125, Provider: models.ProviderDerived},
		models.Observation{Time: at(2024, 3, 1), Indicator: CodeWaterGoodRatio, Value: 0.9, Provider: "sthj"})
	e := testEngine(t, &memStore{obs: obs}, nil, nil)
	snap, err := e.RunAt(context.Background(), at(2024, 12, 20), 2024)
	if err != nil {
		t.Fatal(err)
	}
	s := snap.Series[CodeWaterGoodRatio]
	for month, want := range map[time.Month]float64{time.March: 0.9, time.April: 0.375, time.May: 0.5} {
		if pv, ok := s.At(models.PeriodOf(models.FrequencyMonthly, at(2024, month, 1))); !ok || !approx(pv.Value, want) {
			t.Errorf("water_good_ratio %s = %+v; want %v", month, pv, want)
		}
	}
	var derivedMarch bool
	for _, d := range snap.Derived {
		if d.Indicator == CodeWaterGoodRatio && d.Time.Equal(at(2024, 3, 1)) {
			derivedMarch = true
		}
	}
	if !derivedMarch {
		t.Error("the run did not derive March (it is still written: the store keeps the reported figure first)")
	}
}
