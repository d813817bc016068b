package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/report"
	"github.com/greenmetrics/greenmetrics/store"
)

// TestDemoLoadsOnceAndResetLoadsAgain: the first demo loads and marks
// data_dir/.demo-loaded, a second says so and loads nothing, --reset loads
// again and still leaves the real figure in place.
func TestDemoLoadsOnceAndResetLoadsAgain(t *testing.T) {
	srv := influxtest.New(t)
	data := t.TempDir()
	t.Setenv("GREENMETRICS_DATA_DIR", data)
	flags := []string{"--config", "", "--influx-url", srv.URL, "--influx-bucket", srv.Bucket()}
	demo := append([]string{"demo", "--as-of", "2024-06", "--refdata", filepath.Join(t.TempDir(), "none")}, flags...)
	later := append([]string{"demo", "--as-of", "2024-09-15", "--refdata", filepath.Join(t.TempDir(), "none")}, flags...)
	out, err := runCLI(t, append([]string{"import", "--no-progress", "--provider", "zjw",
		writeTemp(t, "real.csv", "time,indicator,entity,value,unit\n2024-03,prefab_building_started_area,,10,万平方米\n")}, flags...)...)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	tests := []struct {
		name string
		args []string
		want []string
		mark string
	}{
		{"first load", demo, []string{"演示跳过 demo skipped 1\n"}, "to 2024-07-01, seed 20240104"},
		{"loaded before", demo, []string{"demo already loaded (" + filepath.Join(data, ".demo-loaded") + ": loaded "}, "to 2024-07-01, seed 20240104"},
		{"a later day extends", later, []string{"extending it to 2024-09-15", "演示跳过 demo skipped 1\n"}, "to 2024-09-15, seed 20240104"},
		{"the same day again", later, []string{"demo already loaded"}, "to 2024-09-15, seed 20240104"},
		{"reset", append(demo, "--reset"), []string{"演示跳过 demo skipped 1\n"}, "to 2024-07-01, seed 20240104"},
	}
	for _, tc := range tests {
		out, err := runCLI(t, tc.args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.name, err, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", tc.name, w, out)
			}
		}
		if b, err := os.ReadFile(filepath.Join(data, ".demo-loaded")); err != nil || !strings.Contains(string(b), "+08:00, "+tc.mark) {
			t.Errorf("%s: mark = %q, %v", tc.name, b, err)
		}
	}
	// The scheduler's test of a month: the demo runs to 2024-09-14, so
	// September has figures (the recent readings), October none.
	st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for m, want := range map[string]bool{"2024-06": true, "2024-09": true, "2024-10": false} {
		month, _ := report.ParseMonth(m)
		if got, err := app.MonthHasData(context.Background(), st, month); err != nil || got != want {
			t.Errorf("app.MonthHasData(%s) = %v, %v; want %v", m, got, err, want)
		}
	}
	for _, f := range storedFigures(t, srv, "prefab_building_started_area") {
		if strings.HasPrefix(f, "1709222400 ") && f != "1709222400 100000 zjw" {
			t.Errorf("March after demo --reset = %s, want the real 100000 from zjw", f)
		}
	}
}
