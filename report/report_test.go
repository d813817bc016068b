package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGolden pins the CSV and JSON numbers of two months of the fixture:
// January 2024 (环比 against December 2023) and May 2024.
func TestGolden(t *testing.T) {
	for _, month := range []string{"2024-01", "2024-05"} {
		t.Run(month, func(t *testing.T) {
			m, err := ParseMonth(month)
			if err != nil {
				t.Fatal(err)
			}
			rep := buildFixture(t, m, LangZh)
			for _, g := range []struct {
				suffix string
				render func(*bytes.Buffer, *Report) error
			}{
				{".csv", func(b *bytes.Buffer, r *Report) error { return WriteCSV(b, r) }},
				{"-water.csv", func(b *bytes.Buffer, r *Report) error { return WriteWaterCSV(b, r) }},
				{".json", func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) }},
			} {
				var buf bytes.Buffer
				if err := g.render(&buf, rep); err != nil {
					t.Fatal(err)
				}
				compareGolden(t, filepath.Join("testdata", BaseName(m, LangZh)+g.suffix), buf.Bytes())
			}
		})
	}
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -run TestGolden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got %s\nwant %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d", path, len(gl), len(wl))
	}
}

func findRow(t *testing.T, r *Report, code string) Row {
	t.Helper()
	for _, s := range r.Sections {
		for _, row := range s.Rows {
			if row.Code == code {
				return row
			}
		}
	}
	t.Fatalf("no row %s", code)
	return Row{}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestYearBoundary works January 2024's figures out by hand: 环比 is
// against December 2023, 同比 against January 2023.
func TestYearBoundary(t *testing.T) {
	rep := buildFixture(t, Month{2024, time.January}, LangZh)
	tests := []struct {
		code                 string
		period               string
		value, prev, yearAgo float64
		mom, yoy             float64
		inPoints             bool
		status               models.Status
		targetValid          bool
	}{
		// carbon: 400 + 10m + 50(y−2022): Jan 2024 510, Dec 2023 570, Jan 2023 460.
		{"carbon_eval_pilot_co2_reduction", "2024-01", 510, 570, 460, -60.0 / 570, 50.0 / 460, false, models.StatusNoTarget, false},
		// water share: 0.5 + 0.025(m mod 4) + 0.05(y−2022), in points.
		{"water_good_ratio", "2024-01", 0.625, 0.55, 0.575, 0.075, 0.05, true, models.StatusNoTarget, false},
		// quarterly stock: Q1 2024 against Q4 2023 and Q1 2023.
		{"green_credit_balance", "2024-Q1", 3.3e10, 3.2e10, 2.9e10, 0.1e10 / 3.2e10, 0.4e10 / 2.9e10, false, models.StatusNoTarget, false},
		{"rural_sewage_stations_built", "2024-01", 3, 2, 3, 0.5, 0, false, models.StatusBehind, true},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			r := findRow(t, rep, tt.code)
			if r.Period != tt.period {
				t.Errorf("Period = %s, want %s", r.Period, tt.period)
			}
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"Value", r.Value.Float(), tt.value}, {"Prev", r.Prev.Float(), tt.prev}, {"YearAgo", r.YearAgo.Float(), tt.yearAgo},
				{"MoM", r.MoM.Float(), tt.mom}, {"YoY", r.YoY.Float(), tt.yoy}} {
				if !near(c.got, c.want) {
					t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				}
			}
			if r.ChangeInPoints != tt.inPoints || r.Status != tt.status || r.Target.Valid() != tt.targetValid {
				t.Errorf("points %v status %s target %v, want %v %s %v", r.ChangeInPoints, r.Status, r.Target, tt.inPoints, tt.status, tt.targetValid)
			}
		})
	}
}

// TestNoTargetRow checks an indicator without a target: no target, no
// completion, status 未设定目标, and the JSON says null rather than 0.
func TestNoTargetRow(t *testing.T) {
	rep := buildFixture(t, Month{2024, time.May}, LangZh)
	r := findRow(t, rep, "carbon_eval_pilot_co2_reduction")
	if r.Target.Valid() || r.Completion.Valid() || r.StatusText != "未设定目标" {
		t.Fatalf("target %v completion %v status %q, want NaN NaN 未设定目标", r.Target, r.Completion, r.StatusText)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"target":null`, `"completion":null`, `"status":"no_target"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
}

// TestTablesLeaveEntitySeries checks that per-section water parameters and
// per-station air series stay out of the indicator tables, and that the
// stations are summarised as monthly means.
func TestTablesLeaveEntitySeries(t *testing.T) {
	rep := buildFixture(t, Month{2024, time.May}, LangZh)
	for _, s := range rep.Sections {
		for _, r := range append(append([]Row{}, s.Rows...), s.Reference...) {
			if r.Code == "ph" || r.Code == "pm25" {
				t.Errorf("section %s has a row for %s", s.ID, r.Code)
			}
		}
	}
	if len(rep.Stations.Rows) != 2 || rep.Stations.Indicators[0].Code != "pm25" {
		t.Fatalf("stations = %+v, want 2 stations of pm25", rep.Stations)
	}
	// 宋庄 reports 36 + d mod 5 for days 1–10: mean (36·10 + 2·(0+1+2+3+4)) / 10 = 38.
	if got := rep.Stations.Rows[0]; got.Station != "宋庄" || !near(got.Means[0].Float(), 38) {
		t.Errorf("宋庄 = %+v, want mean 38", got)
	}
	refs := rep.Sections[1].Reference
	if len(refs) != 1 || refs[0].Code != "green_loan_balance" || refs[0].Entity != "country" {
		t.Errorf("green finance reference rows = %+v", refs)
	}
}

// TestQuality checks the stale list and the month's rejected rows.
func TestQuality(t *testing.T) {
	rep := buildFixture(t, Month{2024, time.May}, LangZh)
	q := rep.Quality
	var stale []string
	for _, s := range q.Stale {
		stale = append(stale, s.Code+"/"+s.Entity)
	}
	want := []string{"energy_intensity/", "electric_bus_taxi_added/", "station/宋庄", "water_section/港沟河出境"}
	if strings.Join(stale, ",") != strings.Join(want, ",") {
		t.Errorf("stale = %v, want %v", stale, want)
	}
	if q.Rejected != 3 || q.RejectedByRule[0] != (RuleCount{"status_not_accepted", 2}) || len(q.RejectedBySrc) != 2 {
		t.Errorf("rejected %d by rule %v by source %v", q.Rejected, q.RejectedByRule, q.RejectedBySrc)
	}
	if q.NoData != 1 {
		t.Errorf("NoData = %d, want 1 (basic_farmland_area)", q.NoData)
	}
}

func TestBuildErrors(t *testing.T) {
	if _, err := Build(t.Context(), Input{Month: Month{2024, time.May}}); err != ErrNoSnapshot {
		t.Errorf("without snapshot: %v, want %v", err, ErrNoSnapshot)
	}
}
