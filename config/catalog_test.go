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
	if which == "growth target" {
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
	for _, code := range []string{
		"carbon_eval_pilot_co2_reduction", "green_credit_balance", "green_exchange_cumulative_volume",
		"climate_finance_projects", "prefab_building_started_area", "public_building_green_retrofit_area",
		"ultra_low_energy_building_area", "nearly_zero_energy_building_area", "electric_bus_taxi_added",
		"ebike_charging_points_added", "bare_land_area_change_yoy", "assessed_sections", "sections_iv_or_better",
		"sections_iii_or_better", "water_good_ratio", "substandard_points_remediated", "pm25_annual_mean",
		"energy_intensity", "air_pollutant_emissions", "water_pollutant_emissions", "energy_saving_agency_rate",
		"gdp_growth", "gdp_index", "general_budget_revenue", "fixed_asset_investment", "urban_rural_employment",
		"urban_registered_unemployment_rate", "public_kindergartens_opened", "preschool_places_added",
		"childcare_places_added", "elderly_care_stations_built", "old_residential_renovation",
		"back_alley_improvement", "overhead_lines_underground", "rural_sewage_stations_built",
		"basic_farmland_area", "canal_business_district_completed_area",
		// The 2023 review's figures added by issue 15, and the income target.
		"disposable_income_per_capita_growth", "new_market_entities", "new_market_entities_growth",
		"central_soe_subsidiaries", "foreign_investment_utilized", "foreign_investment_utilized_growth",
		"financial_institutions", "industry_support_funds_disbursed", "self_supplied_wells_replaced",
		"village_water_supply_pipes_renovated", "water_source_switch_beneficiaries", "elderly_care_facilities_opened",
		"operating_land_parcels_traded", "overhead_lines_underground_completed", "natural_gas_power_generation",
	} {
		ind, ok := cat.Lookup(code)
		if !ok {
			t.Errorf("catalogue has no %s", code)
			continue
		}
		if ind.Target != nil || ind.Baseline != nil {
			t.Errorf("%s: the catalogue carries a target or baseline; they belong to plans", code)
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
		// Every problem of one entry, not only the first.
		{"catalog_many_problems.yaml", []string{
			"catalog_many_problems.yaml:2: indicator heat_saved: domain \"heating\": value not allowed",
			"catalog_many_problems.yaml:2: indicator heat_saved: kind \"flux\": value not allowed",
			"catalog_many_problems.yaml:2: indicator heat_saved: direction \"up\": value not allowed",
			"catalog_many_problems.yaml:2: indicator heat_saved: unit \"furlongs\": unknown unit",
		}, models.ErrUnknownUnit},
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
