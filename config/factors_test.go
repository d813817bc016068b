package config

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/greenmetrics/greenmetrics/models/carbon"
)

func TestDefaultFactorsHoldDomainValues(t *testing.T) {
	tab, err := DefaultFactors()
	if err != nil {
		t.Fatalf("DefaultFactors: %v", err)
	}
	if tab.Version == "" {
		t.Error("DefaultFactors().Version is empty")
	}
	// domain.md §2: every value the brief names, with its unit and series.
	want := []struct {
		id     string
		series string
		region string
		year   int
		value  float64
		unit   string
	}{
		{"mee_nbs_2021_national", "mee_nbs", "national", 2021, 0.5568, "tCO2/MWh"},
		{"mee_nbs_2021_north_china", "mee_nbs", "north_china", 2021, 0.7120, "tCO2/MWh"},
		{"mee_nbs_2021_beijing", "mee_nbs", "beijing", 2021, 0.5688, "tCO2/MWh"},
		{"mee_nbs_2022_national", "mee_nbs", "national", 2022, 0.5366, "tCO2/MWh"},
		{"mee_nbs_2022_north_china", "mee_nbs", "north_china", 2022, 0.6776, "tCO2/MWh"},
		{"mee_nbs_2022_beijing", "mee_nbs", "beijing", 2022, 0.5580, "tCO2/MWh"},
		{"mee_nbs_2023_national", "mee_nbs", "national", 2023, 0.5306, "tCO2/MWh"},
		{"mee_nbs_2023_north_china", "mee_nbs", "north_china", 2023, 0.6361, "tCO2/MWh"},
		{"mee_nbs_2023_beijing", "mee_nbs", "beijing", 2023, 0.5554, "tCO2/MWh"},
		{"ets_2022_national", "ets", "national", 2022, 0.5703, "tCO2/MWh"},
		{"guideline_natural_gas", "guideline", "national", 2015, 21.62, "tCO2/10^4Nm3"},
		{"guideline_raw_coal", "guideline", "national", 2015, 1.9003, "tCO2/t"},
		{"guideline_diesel", "guideline", "national", 2015, 3.0959, "tCO2/t"},
		{"guideline_gasoline", "guideline", "national", 2015, 2.9251, "tCO2/t"},
		{"guideline_heat", "guideline", "national", 2015, 0.11, "tCO2/GJ"},
		{"coal_convention_tce", "coal_convention", "national", 2015, 2.66, "tCO2/tce"},
		{"gbt2589_electricity_calorific", "gbt2589_calorific", "national", 2020, 0.1229, "kgce/kWh"},
	}
	for _, w := range want {
		f, ok := tab.Lookup(w.id)
		if !ok {
			t.Errorf("factor %s missing", w.id)
			continue
		}
		if f.Series != w.series || f.Region != w.region || f.Year != w.year || f.Value != w.value || f.Unit != w.unit || f.Source == "" {
			t.Errorf("factor %s = %+v; want series %s, region %s, year %d, %v %s with a source", w.id, f, w.series, w.region, w.year, w.value, w.unit)
		}
	}
}

func TestEmbeddedTableHandComputed(t *testing.T) {
	tab, err := DefaultFactors()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := tab.Emissions([]carbon.ActivityData{
		{Activity: carbon.Electricity, Amount: 1000, Unit: "MWh", Year: 2022},
		{Activity: carbon.NaturalGas, Amount: 10000, Unit: "Nm3", Year: 2022},
	}, Default().Carbon.Selection())
	if err != nil {
		t.Fatalf("Emissions: %v", err)
	}
	// 1 000 MWh × Beijing 2022 0.5580 = 558.0 t; 10 000 Nm³ × 21.62/10⁴ = 21.62 t.
	if got := inv.Lines[0].Value; math.Abs(got-558.0) > 1e-9 || inv.Lines[0].Factor.ID != "mee_nbs_2022_beijing" {
		t.Errorf("electricity line = %v t with %s; want 558.0 t with mee_nbs_2022_beijing", got, inv.Lines[0].Factor.ID)
	}
	if got := inv.Lines[1].Value; math.Abs(got-21.62) > 1e-9 || inv.Lines[1].Factor.ID != "guideline_natural_gas" {
		t.Errorf("gas line = %v t with %s; want 21.62 t with guideline_natural_gas", got, inv.Lines[1].Factor.ID)
	}
}

func TestParseFactorsErrors(t *testing.T) {
	const good = `  - {id: a, activity: electricity, series: s, region: r, year: 2022, value: 0.5, unit: tCO2/MWh, source: x}`
	tests := []struct {
		name     string
		yaml     string
		wantLine int
		wantText string
	}{
		{"unknown top-level key", "version: v\nfactor: []\n", 2, `unknown key "factor"`},
		{"no version", "factors:\n" + good + "\n", 0, "version"},
		{"unknown factor key", "version: v\nfactors:\n  - {id: a, activity: electricity, series: s, region: r, year: 2022, value: 0.5, unit: tCO2/MWh, source: x, colour: red}\n", 3, "colour"},
		{"missing value", "version: v\nfactors:\n  - {id: a, activity: electricity, series: s, region: r, year: 2022, unit: tCO2/MWh, source: x}\n", 3, "value is required"},
		{"duplicate id names the first line", "version: v\nfactors:\n" + good + "\n" + good + "\n", 4, "first defined at line 3"},
		{"unit of another activity", "version: v\nfactors:\n  - {id: a, activity: heat, series: s, region: r, year: 2022, value: 0.5, unit: tCO2/MWh, source: x}\n", 3, "per kWh"},
		{"derivation disagrees", "version: v\nfactors:\n  - {id: g, activity: natural_gas, series: s, region: r, year: 2015, value: 25, unit: tCO2/10^4Nm3, source: x, derivation: {ncv: 389.31, carbon_content: 15.3, oxidation: 0.99}}\n", 3, "NCV × CC × OF"},
		{"empty list", "version: v\nfactors: []\n", 0, "no factors"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFactors("f.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("ParseFactors(%q) succeeded; want an error", tc.yaml)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("ParseFactors error = %q; want it to mention %q", err, tc.wantText)
			}
			var e *Error
			if tc.wantLine > 0 && (!errors.As(err, &e) || e.Line != tc.wantLine) {
				t.Errorf("ParseFactors error = %q; want line %d", err, tc.wantLine)
			}
		})
	}
}

func TestCarbonConfigElectricityChoice(t *testing.T) {
	dir := t.TempDir()
	custom := filepath.Join(dir, "factors.yaml")
	const table = "version: test\nfactors:\n" +
		"  - {id: bj_ets, activity: electricity, series: beijing_ets, region: beijing, year: 2023, value: 0.604, unit: tCO2/MWh, source: bureau}\n"
	if err := os.WriteFile(custom, []byte(table), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		c       Carbon
		wantErr string
		wantID  string
	}{
		{"default: newest Beijing MEE/NBS", defaultCarbon(), "", "mee_nbs_2023_beijing"},
		{"pinned id", Carbon{ElectricityFactor: "mee_nbs_2022_beijing"}, "", "mee_nbs_2022_beijing"},
		{"pinned id missing", Carbon{ElectricityFactor: "mee_nbs_2030_beijing"}, "no matching factor", ""},
		{"pinned a tce factor", Carbon{ElectricityFactor: "gbt2589_electricity_calorific"}, "not a grid CO2 factor", ""},
		{"ETS has no Beijing factor", Carbon{ElectricitySeries: "ets", ElectricityRegion: "beijing"}, "no matching factor", ""},
		{"ETS national", Carbon{ElectricitySeries: "ets", ElectricityRegion: "national"}, "", "ets_2022_national"},
		{"custom file", Carbon{FactorsFile: custom, ElectricitySeries: "beijing_ets", ElectricityRegion: "beijing"}, "", "bj_ets"},
		{"missing file", Carbon{FactorsFile: filepath.Join(dir, "none.yaml"), ElectricitySeries: "mee_nbs", ElectricityRegion: "beijing"}, "reading factor table", ""},
		{"neither id nor series", Carbon{}, "required", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.validate()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("validate(%+v) = %v; want error mentioning %q", tc.c, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("validate(%+v) = %v", tc.c, err)
			}
			tab, err := tc.c.Factors()
			if err != nil {
				t.Fatal(err)
			}
			inv, err := tab.Emissions([]carbon.ActivityData{{Activity: carbon.Electricity, Amount: 1, Year: 2024}}, tc.c.Selection())
			if err != nil {
				t.Fatal(err)
			}
			if got := inv.Lines[0].Factor.ID; got != tc.wantID {
				t.Errorf("electricity factor for 2024 = %s; want %s", got, tc.wantID)
			}
		})
	}
}

// TestGuidelineFactorsNameTheirDocuments: every guideline default names the
// document it comes from by its number, fuel rows the formula's standard,
// and no fuel row cites the provincial inventory guideline (issue 15).
func TestGuidelineFactorsNameTheirDocuments(t *testing.T) {
	tab, err := DefaultFactors()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"guideline_natural_gas", "guideline_raw_coal", "guideline_diesel", "guideline_gasoline", "guideline_heat"} {
		f, ok := tab.Lookup(id)
		if !ok {
			t.Errorf("%s: not in the table", id)
			continue
		}
		if !strings.Contains(f.Source, "发改办气候〔2013〕2526号") {
			t.Errorf("%s: source %q names no guideline by its number", id, f.Source)
		}
		if strings.Contains(f.Source, "省级温室气体清单") {
			t.Errorf("%s: source %q cites the provincial inventory guideline", id, f.Source)
		}
		if f.Activity != carbon.Heat && !strings.Contains(f.Source, "GB/T 32150-2015") {
			t.Errorf("%s: source %q does not name the formula's standard", id, f.Source)
		}
	}
	if f, _ := tab.Lookup("guideline_heat"); !strings.Contains(f.Source, "0.11 tCO2/GJ") || f.Value != 0.11 {
		t.Errorf("guideline_heat = %v with source %q: the value must be the one its document gives", f.Value, f.Source)
	}
}
