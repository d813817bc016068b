package metrics

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/store"
)

// TestEngineWritesGoldenPoints pins every line a run writes — derived
// figures, monthly and year-to-date water standings, carbon lines (one
// excluded), progress, forecasts and trends — byte for byte, so that a
// change in how results reach InfluxDB cannot move a measurement, tag,
// field or time unnoticed (-update rewrites testdata/engine_points.golden).
func TestEngineWritesGoldenPoints(t *testing.T) {
	factors, err := config.DefaultFactors()
	if err != nil {
		t.Fatal(err)
	}
	obs := join(
		waterSamples(2024, 11),
		monthly("electricity_consumption", 2024, 1, repeat(1e6, 11)...),
		monthly("natural_gas_consumption", 2024, 1, repeat(5e4, 11)...),
		monthly("natural_gas_power_generation", 2024, 1, 3e4, 3e4),
		monthly("rural_sewage_stations_built", 2024, 1, repeat(5, 11)...),
		monthly("general_budget_revenue", 2023, 1, repeat(0.8e9, 12)...),
		monthly("general_budget_revenue", 2024, 1, 0.84e9, 0.85e9, 0.83e9, 0.86e9, 0.85e9, 0.87e9, 0.86e9, 0.88e9, 0.87e9, 0.89e9, 0.88e9),
	)
	cat, err := config.SeedCatalog()
	if err != nil {
		t.Fatal(err)
	}
	w := &memWriter{}
	e, err := New(Options{Indicators: cat.Indicators(), Analysis: testAnalysis(), Water: waterConfig(),
		Reader: &memStore{obs: obs}, Writer: w, Factors: factors.Table, Selection: config.Default().Carbon.Selection(),
		Now: func() time.Time { return at(2024, 12, 20) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.RunAt(context.Background(), at(2024, 12, 20), 2024); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, p := range w.points {
		line, err := store.EncodePoint(p)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(line + "\n")
	}
	path := filepath.Join("testdata", "engine_points.golden")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("written points differ from %s (-update rewrites it):\n%s", path, firstDifference(got, string(want)))
	}
}

// firstDifference names the first line where got and want part.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got  " + gl + "\n want " + wl
		}
	}
	return ""
}
