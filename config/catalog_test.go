package config_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// seedText returns the work report the catalogue is built from, kept in
// testdata (testdata/README.md names its source). The test fails rather
// than skips when it is missing, because then nothing checks the
// catalogue's numbers.
func seedText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "tongzhou_2024_government_work_report.txt"))
	if err != nil {
		t.Fatalf("seed report: %v", err)
	}
	return string(b)
}

func TestCatalogQuotesAndNumbersMatchTheSeed(t *testing.T) {
	seed := seedText(t)
	cat, err := config.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, ind := range cat.Indicators() {
		figures := map[string]*models.Figure{"baseline": ind.Baseline}
		if tg := ind.Target; tg != nil {
			figures["target"] = &models.Figure{Year: tg.Year, Value: tg.Value, Qualifier: tg.Qualifier, Text: tg.Text, Quote: tg.Quote}
			if tg.Kind == models.TargetMunicipal {
				if tg.Qualifier != models.QualifierMunicipal || !strings.Contains(tg.Quote, "完成市级下达的任务") {
					t.Errorf("%s: municipal target must say 完成市级下达的任务 with qualifier municipal, got %+v", ind.Code, tg)
				}
				continue
			}
		}
		for which, f := range figures {
			if f == nil {
				continue
			}
			checked++
			if !strings.Contains(seed, f.Quote) {
				t.Errorf("%s %s: quote %q is not in the seed report", ind.Code, which, f.Quote)
			}
			checkFigureText(t, ind, which, f)
		}
	}
	if checked < 40 {
		t.Errorf("only %d figures checked against the seed; the catalogue lost its baselines or targets", checked)
	}
}

// checkFigureText parses the figure as the report writes it and compares it
// with the stored base-unit value and qualifier.
func checkFigureText(t *testing.T, ind models.Indicator, which string, f *models.Figure) {
	t.Helper()
	q, err := models.ParseQuantity(f.Text)
	if err != nil {
		t.Errorf("%s %s: text %q does not parse: %v", ind.Code, which, f.Text, err)
		return
	}
	unit := q.Unit
	wantUnit := ind.Unit
	if which == "target" && ind.Target.Kind == models.TargetGrowth {
		wantUnit = "ratio" // a growth target is a rate over the prior year
	}
	if unit == "t" && ind.Unit == "tCO2" {
		unit = "tCO2" // the report writes CO2 amounts in 吨
	}
	if q.Qualifier == models.QualifierExact && unit == "count" && ind.Unit != "count" {
		unit = ind.Unit // a bare number such as "8个" read in the indicator's unit
	}
	if unit != wantUnit {
		t.Errorf("%s %s: text %q is in %s, want %s", ind.Code, which, f.Text, unit, wantUnit)
	}
	if math.Abs(q.Value-f.Value) > 1e-9*math.Max(1, math.Abs(f.Value)) {
		t.Errorf("%s %s: text %q = %v %s, catalogue value %v", ind.Code, which, f.Text, q.Value, q.Unit, f.Value)
	}
	// A bare number may carry a bound from the sentence around it
	// ("控制在3.86%", "力争累计完工", "守好19.28万亩"); a bound in the
	// figure itself must match.
	if q.Qualifier != f.Qualifier && q.Qualifier != models.QualifierExact {
		t.Errorf("%s %s: text %q reads as %s, catalogue qualifier %s", ind.Code, which, f.Text, q.Qualifier, f.Qualifier)
	}
}

// TestCatalogHoldsTheReportIndicators pins the indicators the foundation
// issue names, with their values in base units.
func TestCatalogHoldsTheReportIndicators(t *testing.T) {
	cat, err := config.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		code     string
		baseline float64 // NaN: no baseline expected
		target   float64 // NaN: no target value expected
	}
	nan := math.NaN()
	wants := []want{
		{"carbon_eval_pilot_co2_reduction", 6000, nan},
		{"green_credit_balance", 3.0e10, nan},
		{"green_exchange_cumulative_volume", 1e8, nan},
		{"climate_finance_projects", 146, nan},
		{"prefab_building_started_area", 1_351_000, nan},
		{"public_building_green_retrofit_area", 954_000, nan},
		{"ultra_low_energy_building_area", nan, nan},
		{"nearly_zero_energy_building_area", nan, nan},
		{"electric_bus_taxi_added", 338, nan},
		{"ebike_charging_points_added", 16_000, nan},
		{"bare_land_area_change_yoy", -0.5, nan},
		{"assessed_sections", 8, nan},
		{"sections_iv_or_better", 8, nan},
		{"sections_iii_or_better", 4, nan},
		{"water_good_ratio", 0.5, nan},
		{"substandard_points_remediated", 24, nan},
		{"pm25_annual_mean", nan, nan},
		{"energy_intensity", nan, nan},
		{"air_pollutant_emissions", nan, nan},
		{"water_pollutant_emissions", nan, nan},
		{"energy_saving_agency_rate", 1, nan},
		{"gdp_growth", 0.05, 0.05},
		{"general_budget_revenue", 9.411e9, 0.04},
		{"fixed_asset_investment", nan, 1e11},
		{"urban_rural_employment", 22_000, 15_000},
		{"urban_registered_unemployment_rate", 0.0386, 0.05},
		{"public_kindergartens_opened", nan, 6},
		{"preschool_places_added", nan, 1080},
		{"childcare_places_added", nan, 1180},
		{"elderly_care_stations_built", 11, 10},
		{"old_residential_renovation", 14, 10},
		{"back_alley_improvement", nan, 87},
		{"overhead_lines_underground", 18, 22},
		{"rural_sewage_stations_built", nan, 64},
		{"basic_farmland_area", nan, 192_800 * 10000.0 / 15},
		{"canal_business_district_completed_area", 4_700_000, 5_000_000},
	}
	for _, w := range wants {
		ind, ok := cat.Lookup(w.code)
		if !ok {
			t.Errorf("catalogue has no %s", w.code)
			continue
		}
		if !math.IsNaN(w.baseline) && (ind.Baseline == nil || !close(ind.Baseline.Value, w.baseline)) {
			t.Errorf("%s baseline = %+v, want %v", w.code, ind.Baseline, w.baseline)
		}
		if !math.IsNaN(w.target) && (ind.Target == nil || !close(ind.Target.Value, w.target)) {
			t.Errorf("%s target = %+v, want %v", w.code, ind.Target, w.target)
		}
	}
	for _, code := range []string{"energy_intensity", "air_pollutant_emissions", "water_pollutant_emissions"} {
		ind, _ := cat.Lookup(code)
		if ind.Target == nil || ind.Target.Kind != models.TargetMunicipal || ind.Target.HasValue() {
			t.Errorf("%s target must be set by the municipality, got %+v", code, ind.Target)
		}
	}
	for _, code := range []string{"ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "tn", "cu", "zn", "f", "se", "as", "hg", "cd", "cr6", "pb", "cn", "phenol", "petroleum", "las", "sulfide", "fecal_coliform"} {
		if ind, ok := cat.Lookup(code); !ok || ind.Entity != "section" {
			t.Errorf("water item %s missing or not measured per section", code)
		}
	}
	for _, code := range []string{"pm25", "pm10", "so2", "no2", "co", "o3"} {
		if ind, ok := cat.Lookup(code); !ok || ind.Entity != "station" {
			t.Errorf("air pollutant %s missing or not measured per station", code)
		}
	}
}

func close(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestParseCatalogErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		file string
		want []string // substrings, one per expected problem
		is   error
	}{
		{"catalog_unknown_key.yaml", []string{"catalog_unknown_key.yaml:9: unknown field \"colour\""}, nil},
		{"catalog_duplicate.yaml", []string{"catalog_duplicate.yaml:13: code: duplicate indicator code \"co2_cut\" (first defined at line 2)"}, config.ErrDuplicateCode},
		{"catalog_bad_unit.yaml", []string{"catalog_bad_unit.yaml:2: indicator co2_cut: unit \"furlongs\": unknown unit"}, models.ErrUnknownUnit},
		{"catalog_bad_enums.yaml", []string{
			"catalog_bad_enums.yaml:2: indicator Bad-Code: code \"Bad-Code\": code must be ASCII snake_case",
			"catalog_bad_enums.yaml:12: indicator x: kind \"flux\": value not allowed",
			"catalog_bad_enums.yaml:22: indicator y: display_unit: \"亿元\" (CNY) to \"m2\" (m2): units measure different quantities",
		}, nil},
		{"catalog_top_level.yaml", []string{"catalog_top_level.yaml:1: unknown key \"indicator\" (allowed: indicators)"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			_, err := config.LoadCatalog(filepath.Join("testdata", tc.file))
			if err == nil {
				t.Fatalf("LoadCatalog(%s) = nil error", tc.file)
			}
			msg := strings.ReplaceAll(err.Error(), "testdata/", "")
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("LoadCatalog(%s) = %q\nwant it to contain %q", tc.file, msg, w)
				}
			}
			if got := strings.Count(msg, "\n") + 1; got != len(tc.want) {
				t.Errorf("LoadCatalog(%s) reported %d problems, want %d:\n%s", tc.file, got, len(tc.want), msg)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.is)
			}
		})
	}
}

func FuzzParseCatalog(f *testing.F) {
	for _, name := range []string{"catalog_unknown_key.yaml", "catalog_duplicate.yaml", "catalog_bad_enums.yaml"} {
		b, _ := os.ReadFile(filepath.Join("testdata", name))
		f.Add(b)
	}
	f.Add([]byte("indicators: []"))
	f.Add([]byte("indicators:\n  - {code: a, name_zh: 甲, name_en: A, domain: carbon, unit: t, kind: flow, direction: higher, aggregation: sum, frequency: monthly}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := config.ParseCatalog("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, ind := range cat.Indicators() {
			if err := ind.Validate(); err != nil {
				t.Fatalf("accepted an invalid indicator %q: %v", ind.Code, err)
			}
		}
	})
}
