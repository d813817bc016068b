package carbon

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// testFactors is a slice of the default table (domain.md §2) with the values
// the hand computations below use.
func testFactors() []Factor {
	return []Factor{
		{ID: "mee_nbs_2021_beijing", Activity: Electricity, Series: SeriesMEENBS, Region: "beijing", Year: 2021, Value: 0.5688, Unit: "tCO2/MWh", Source: "MEE/NBS 公告2024年第12号"},
		{ID: "mee_nbs_2022_beijing", Activity: Electricity, Series: SeriesMEENBS, Region: "beijing", Year: 2022, Value: 0.5580, Unit: "tCO2/MWh", Source: "MEE/NBS 2024-12-20"},
		{ID: "mee_nbs_2023_beijing", Activity: Electricity, Series: SeriesMEENBS, Region: "beijing", Year: 2023, Value: 0.5554, Unit: "tCO2/MWh", Source: "MEE/NBS 公告2025年第47号"},
		{ID: "mee_nbs_2022_north_china", Activity: Electricity, Series: SeriesMEENBS, Region: "north_china", Year: 2022, Value: 0.6776, Unit: "tCO2/MWh", Source: "MEE/NBS 2024-12-20"},
		{ID: "ets_2022_national", Activity: Electricity, Series: SeriesETS, Region: "national", Year: 2022, Value: 0.5703, Unit: "tCO2/MWh", Source: "环办气候函〔2023〕43号"},
		{ID: "guideline_natural_gas", Activity: NaturalGas, Series: SeriesGuideline, Region: "national", Year: 2015, Value: 21.62, Unit: "tCO2/10^4Nm3", Source: "guideline",
			Derivation: &Derivation{NCV: 389.31, CarbonContent: 15.3, Oxidation: 0.99}},
		{ID: "guideline_raw_coal", Activity: RawCoal, Series: SeriesGuideline, Region: "national", Year: 2015, Value: 1.9003, Unit: "tCO2/t", Source: "guideline",
			Derivation: &Derivation{NCV: 20.908, CarbonContent: 26.37, Oxidation: 0.94}},
		{ID: "guideline_diesel", Activity: Diesel, Series: SeriesGuideline, Region: "national", Year: 2015, Value: 3.0959, Unit: "tCO2/t", Source: "guideline"},
		{ID: "guideline_gasoline", Activity: Gasoline, Series: SeriesGuideline, Region: "national", Year: 2015, Value: 2.9251, Unit: "tCO2/t", Source: "guideline"},
		{ID: "guideline_heat", Activity: Heat, Series: SeriesGuideline, Region: "national", Year: 2015, Value: 0.11, Unit: "tCO2/GJ", Source: "guideline"},
		{ID: "coal_convention_tce", Activity: StandardCoal, Series: SeriesCoalConvention, Region: "national", Year: 2015, Value: 2.66, Unit: "tCO2/tce", Source: "convention"},
		{ID: "gbt2589_electricity_calorific", Activity: Electricity, Series: SeriesCalorific, Region: "national", Year: 2020, Value: 0.1229, Unit: "kgce/kWh", Source: "GB/T 2589-2020"},
		{ID: "gbt2589_natural_gas", Activity: NaturalGas, Series: SeriesCalorific, Region: "national", Year: 2020, Value: 1.33, Unit: "kgce/m3", Source: "GB/T 2589-2020"},
	}
}

func testTable(t *testing.T) *Table {
	t.Helper()
	tab, err := NewTable(testFactors())
	if err != nil {
		t.Fatalf("NewTable: %v", err)
	}
	return tab
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestApplyHandComputed(t *testing.T) {
	tab := testTable(t)
	tests := []struct {
		name     string
		factorID string
		data     ActivityData
		want     float64
	}{
		{"1 000 MWh × Beijing 2022 0.5580 = 558.0 tCO2", "mee_nbs_2022_beijing", ActivityData{Activity: Electricity, Amount: 1000, Unit: "MWh"}, 558.0},
		{"same in kWh", "mee_nbs_2022_beijing", ActivityData{Activity: Electricity, Amount: 1e6}, 558.0},
		{"100万千瓦时 = 1 000 MWh", "mee_nbs_2022_beijing", ActivityData{Activity: Electricity, Amount: 100, Unit: "万千瓦时"}, 558.0},
		{"1 000 MWh × ETS 0.5703 = 570.3 tCO2", "ets_2022_national", ActivityData{Activity: Electricity, Amount: 1000, Unit: "MWh"}, 570.3},
		{"1 000 MWh × North China 2022 0.6776 = 677.6 tCO2", "mee_nbs_2022_north_china", ActivityData{Activity: Electricity, Amount: 1000, Unit: "MWh"}, 677.6},
		{"10 000 Nm³ gas = 21.62 tCO2", "guideline_natural_gas", ActivityData{Activity: NaturalGas, Amount: 10000, Unit: "Nm3"}, 21.62},
		{"1万立方米 gas = 21.62 tCO2", "guideline_natural_gas", ActivityData{Activity: NaturalGas, Amount: 1, Unit: "万立方米"}, 21.62},
		{"100 t raw coal × 1.9003 = 190.03 tCO2", "guideline_raw_coal", ActivityData{Activity: RawCoal, Amount: 100, Unit: "t"}, 190.03},
		{"2 000 kg diesel × 3.0959 = 6.1918 tCO2", "guideline_diesel", ActivityData{Activity: Diesel, Amount: 2000, Unit: "kg"}, 6.1918},
		{"10 t gasoline × 2.9251 = 29.251 tCO2", "guideline_gasoline", ActivityData{Activity: Gasoline, Amount: 10, Unit: "t"}, 29.251},
		{"1 000 GJ heat × 0.11 = 110 tCO2", "guideline_heat", ActivityData{Activity: Heat, Amount: 1000, Unit: "GJ"}, 110},
		{"1万吨标准煤 × 2.66 = 26 600 tCO2", "coal_convention_tce", ActivityData{Activity: StandardCoal, Amount: 1, Unit: "万吨标准煤"}, 26600},
		{"1 000 000 kWh × 0.1229 kgce/kWh = 122.9 tce", "gbt2589_electricity_calorific", ActivityData{Activity: Electricity, Amount: 1e6, Unit: "kWh"}, 122.9},
		{"10 000 m³ gas × 1.33 kgce/m³ = 13.3 tce", "gbt2589_natural_gas", ActivityData{Activity: NaturalGas, Amount: 10000}, 13.3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := tab.Lookup(tc.factorID)
			if !ok {
				t.Fatalf("Lookup(%q) found nothing", tc.factorID)
			}
			got, err := Apply(f, tc.data)
			if err != nil {
				t.Fatalf("Apply(%s, %+v): %v", tc.factorID, tc.data, err)
			}
			if !near(got.Value, tc.want) {
				t.Errorf("Apply(%s, %+v).Value = %.10g; want %.10g", tc.factorID, tc.data, got.Value, tc.want)
			}
			if got.Factor.ID != tc.factorID || got.Factor.Series != f.Series || got.Factor.Year != f.Year || got.Factor.Source != f.Source {
				t.Errorf("Apply(%s).Factor = %+v; want the factor's id, series, year and source", tc.factorID, got.Factor)
			}
		})
	}
}

func TestSelectYearFallbackAndSeriesIsolation(t *testing.T) {
	tab := testTable(t)
	tests := []struct {
		name    string
		q       Query
		wantID  string
		wantErr error
	}{
		{"exact year", Query{Electricity, OutputCO2, SeriesMEENBS, "beijing", 2022}, "mee_nbs_2022_beijing", nil},
		{"2024 inventory falls back to newest published (2023)", Query{Electricity, OutputCO2, SeriesMEENBS, "beijing", 2024}, "mee_nbs_2023_beijing", nil},
		{"year 0 is newest", Query{Electricity, OutputCO2, SeriesMEENBS, "beijing", 0}, "mee_nbs_2023_beijing", nil},
		{"before the first factor", Query{Electricity, OutputCO2, SeriesMEENBS, "beijing", 2020}, "", ErrNoFactor},
		{"ETS series has no Beijing factor: never borrows MEE/NBS", Query{Electricity, OutputCO2, SeriesETS, "beijing", 2023}, "", ErrNoFactor},
		{"ETS national", Query{Electricity, OutputCO2, SeriesETS, "national", 2024}, "ets_2022_national", nil},
		{"tce output does not return a CO2 factor", Query{Electricity, OutputEnergy, SeriesMEENBS, "beijing", 2023}, "", ErrNoFactor},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tab.Select(tc.q)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Select(%v) error = %v; want %v", tc.q, err, tc.wantErr)
			}
			if f.ID != tc.wantID {
				t.Errorf("Select(%v) = %q; want %q", tc.q, f.ID, tc.wantID)
			}
		})
	}
}

func TestEmissionsInventoryRecordsFactors(t *testing.T) {
	tab := testTable(t)
	data := []ActivityData{
		{Activity: Electricity, Amount: 1000, Unit: "MWh", Year: 2022, Label: "district grid"},
		{Activity: Electricity, Amount: 1000, Unit: "MWh", Year: 2024, Label: "2024 uses the 2023 factor"},
		{Activity: NaturalGas, Amount: 10000, Unit: "Nm3", Year: 2024},
		{Activity: Heat, Amount: 100, Unit: "GJ", Year: 2024},
	}
	inv, err := tab.Emissions(data, DefaultEmissionSelection())
	if err != nil {
		t.Fatalf("Emissions: %v", err)
	}
	// 558.0 + 1000 × 0.5554 + 21.62 + 100 × 0.11 = 558 + 555.4 + 21.62 + 11.
	if want := 1146.02; !near(inv.Total, want) {
		t.Errorf("Emissions total = %.10g; want %.10g", inv.Total, want)
	}
	wantIDs := []string{"mee_nbs_2022_beijing", "mee_nbs_2023_beijing", "guideline_natural_gas", "guideline_heat"}
	for i, l := range inv.Lines {
		if l.Factor.ID != wantIDs[i] {
			t.Errorf("line %d factor = %s; want %s", i+1, l.Factor.ID, wantIDs[i])
		}
	}
	if got := len(inv.Factors()); got != 4 {
		t.Errorf("Factors() has %d entries; want 4 distinct", got)
	}

	pinned := DefaultEmissionSelection()
	pinned[Electricity] = Choice{FactorID: "ets_2022_national"}
	inv, err = tab.Emissions(data[:1], pinned)
	if err != nil || !near(inv.Total, 570.3) || inv.Lines[0].Factor.Series != SeriesETS {
		t.Errorf("Emissions with ETS pinned = %+v, %v; want 570.3 tCO2 from series ets", inv, err)
	}
}

func TestEnergyInventory(t *testing.T) {
	tab := testTable(t)
	data := []ActivityData{
		{Activity: Electricity, Amount: 1e6, Year: 2024},
		{Activity: NaturalGas, Amount: 10000, Year: 2024},
		{Activity: StandardCoal, Amount: 5, Unit: "tce", Year: 2024},
	}
	inv, err := tab.Energy(data, DefaultEnergySelection())
	if err != nil {
		t.Fatalf("Energy: %v", err)
	}
	if want := 122.9 + 13.3 + 5; !near(inv.Total, want) {
		t.Errorf("Energy total = %.10g tce; want %.10g", inv.Total, want)
	}
	if inv.Lines[2].Factor.ID != "identity_tce" {
		t.Errorf("tce line factor = %q; want identity_tce", inv.Lines[2].Factor.ID)
	}
}

func TestAccountingErrors(t *testing.T) {
	tab := testTable(t)
	tests := []struct {
		name string
		data ActivityData
		sel  Selection
		want error
	}{
		{"negative amount", ActivityData{Activity: Electricity, Amount: -1, Year: 2022}, DefaultEmissionSelection(), ErrBadAmount},
		{"NaN amount", ActivityData{Activity: Electricity, Amount: math.NaN(), Year: 2022}, DefaultEmissionSelection(), ErrBadAmount},
		{"gas in kWh", ActivityData{Activity: NaturalGas, Amount: 1, Unit: "kWh", Year: 2022}, DefaultEmissionSelection(), ErrUnitMismatch},
		{"unknown unit", ActivityData{Activity: Electricity, Amount: 1, Unit: "furlongs", Year: 2022}, DefaultEmissionSelection(), ErrUnknownUnit},
		{"no choice for the activity", ActivityData{Activity: Diesel, Amount: 1, Year: 2022}, Selection{}, ErrNoFactor},
		{"pinned id missing", ActivityData{Activity: Electricity, Amount: 1, Year: 2022}, Selection{Electricity: {FactorID: "nope"}}, ErrNoFactor},
		{"pinned tce factor for emissions", ActivityData{Activity: Electricity, Amount: 1, Year: 2022},
			Selection{Electricity: {FactorID: "gbt2589_electricity_calorific"}}, ErrUnitMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tab.Emissions([]ActivityData{tc.data}, tc.sel); !errors.Is(err, tc.want) {
				t.Errorf("Emissions(%+v) error = %v; want %v", tc.data, err, tc.want)
			}
		})
	}
}

func TestFactorValidation(t *testing.T) {
	good := testFactors()[0]
	tests := []struct {
		name   string
		modify func(*Factor)
		want   error
	}{
		{"valid", func(*Factor) {}, nil},
		{"unknown activity", func(f *Factor) { f.Activity = "steam" }, ErrUnknownActivity},
		{"unknown unit", func(f *Factor) { f.Unit = "tCO2/MMBtu" }, ErrUnknownUnit},
		{"unit of another activity", func(f *Factor) { f.Unit = "tCO2/10^4Nm3" }, ErrUnitMismatch},
		{"zero value", func(f *Factor) { f.Value = 0 }, ErrBadFactor},
		{"NaN value", func(f *Factor) { f.Value = math.NaN() }, ErrBadFactor},
		{"no source", func(f *Factor) { f.Source = " " }, ErrBadFactor},
		{"bad id", func(f *Factor) { f.ID = "MEE 2022" }, ErrBadFactor},
		{"implausible year", func(f *Factor) { f.Year = 22 }, ErrBadFactor},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := good
			tc.modify(&f)
			if err := f.Validate(); !errors.Is(err, tc.want) {
				t.Errorf("Validate(%+v) = %v; want %v", f, err, tc.want)
			}
		})
	}
}

func TestDerivationMustAgree(t *testing.T) {
	gas := testFactors()[5]
	if err := gas.Validate(); err != nil {
		t.Fatalf("natural gas 389.31 × 15.3 × 0.99 × 44/12 = 21.62: Validate = %v", err)
	}
	gas.Value = 22.0
	err := gas.Validate()
	if !errors.Is(err, ErrBadFactor) || !strings.Contains(err.Error(), "21.62") {
		t.Errorf("Validate(gas at 22.0) = %v; want ErrBadFactor naming the derived 21.62", err)
	}
	coal := testFactors()[6]
	// In kgCO2/kg the denominator is the kilogram, so NCV is in GJ/kg.
	coal.Unit, coal.Value = "kgCO2/kg", 1.9003
	coal.Derivation = &Derivation{NCV: 0.020908, CarbonContent: 26.37, Oxidation: 0.94}
	if err := coal.Validate(); err != nil {
		t.Errorf("raw coal 1.9003 kgCO2/kg, NCV 0.020908 GJ/kg: Validate = %v", err)
	}
}

func TestNewTableReportsAllProblems(t *testing.T) {
	fs := testFactors()
	fs = append(fs, fs[0])
	fs[1].Unit = "bogus"
	_, err := NewTable(fs)
	if !errors.Is(err, ErrDuplicateID) || !errors.Is(err, ErrUnknownUnit) {
		t.Errorf("NewTable(duplicate and bad unit) = %v; want both problems", err)
	}
}

func TestIntensity(t *testing.T) {
	tests := []struct {
		name        string
		amount, gdp float64
		want        float64
		wantNaN     bool
	}{
		{"558 tCO2 over 1亿元 GDP = 0.0558 tCO2/万元", 558, 1e8, 0.0558, false},
		{"150万tce over 1000亿元 = 0.15 tce/万元", 1.5e6, 1e11, 0.15, false},
		{"no GDP", 558, 0, 0, true},
		{"NaN amount", math.NaN(), 1e8, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Intensity(tc.amount, tc.gdp)
			if tc.wantNaN != math.IsNaN(got) || (!tc.wantNaN && !near(got, tc.want)) {
				t.Errorf("Intensity(%v, %v) = %v; want %v (NaN %v)", tc.amount, tc.gdp, got, tc.want, tc.wantNaN)
			}
		})
	}
}

// TestFuelForPowerAndHeatIsNotCountedTwice: gas burnt in a power (heating)
// plant is left out of an inventory that counts electricity (heat)
// consumption, and said so; without that consumption line it counts.
func TestFuelForPowerAndHeatIsNotCountedTwice(t *testing.T) {
	tab := testTable(t)
	elec := ActivityData{Activity: Electricity, Amount: 1000, Unit: "MWh", Year: 2023, Label: "grid electricity"}
	heat := ActivityData{Activity: Heat, Amount: 100, Unit: "GJ", Year: 2023, Label: "purchased heat"}
	final := ActivityData{Activity: NaturalGas, Amount: 10000, Unit: "Nm3", Year: 2023, Label: "final use"}
	power := ActivityData{Activity: NaturalGas, Amount: 20000, Unit: "Nm3", Year: 2023, Label: "gas power plant", Use: UsePowerGeneration}
	boiler := ActivityData{Activity: NaturalGas, Amount: 30000, Unit: "Nm3", Year: 2023, Label: "heating plant", Use: UseHeatSupply}
	tests := []struct {
		name         string
		data         []ActivityData
		total        float64 // hand-computed tCO2
		excludedUses []Use
	}{
		// 1000 × 0.5554 + 1 × 21.62; 2 × 21.62 left out.
		{"power gas with electricity", []ActivityData{elec, final, power}, 555.4 + 21.62, []Use{UsePowerGeneration}},
		// No electricity line: the plant's gas is the only place its CO2 is counted.
		{"power gas without electricity", []ActivityData{final, power}, 3 * 21.62, nil},
		// Electricity does not cover heat: the boiler's gas stays.
		{"heat gas with electricity only", []ActivityData{elec, final, boiler}, 555.4 + 4*21.62, nil},
		// 100 × 0.11 + 21.62 + 555.4; both plants left out.
		{"both with both", []ActivityData{elec, heat, final, power, boiler}, 555.4 + 11 + 21.62, []Use{UsePowerGeneration, UseHeatSupply}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := tab.Emissions(tc.data, DefaultEmissionSelection())
			if err != nil {
				t.Fatal(err)
			}
			if !near(inv.Total, tc.total) {
				t.Errorf("total = %.10g, want %.10g", inv.Total, tc.total)
			}
			if len(inv.Excluded) != len(tc.excludedUses) {
				t.Fatalf("excluded %+v, want uses %v", inv.Excluded, tc.excludedUses)
			}
			for i, x := range inv.Excluded {
				if x.Use != tc.excludedUses[i] || !strings.Contains(x.Reason, "already counts it") {
					t.Errorf("exclusion %d = %+v, want use %s with its reason", i, x, tc.excludedUses[i])
				}
			}
			if len(inv.Lines)+len(inv.Excluded) != len(tc.data) {
				t.Errorf("%d lines + %d excluded for %d activity lines: something was dropped", len(inv.Lines), len(inv.Excluded), len(tc.data))
			}
		})
	}
	// Energy does not apply the rule: it needs the plant's output, which
	// activity lines do not carry.
	energy, err := tab.Energy([]ActivityData{elec, final, power}, DefaultEnergySelection())
	if err != nil {
		t.Fatal(err)
	}
	// 10⁶ kWh × 0.1229 kgce + 30 000 m³ × 1.33 kgce, in tce.
	if want := 122.9 + 39.9; !near(energy.Total, want) || len(energy.Excluded) != 0 {
		t.Errorf("energy = %v tce, excluded %+v; want %v with nothing left out", energy.Total, energy.Excluded, want)
	}
	if _, err := tab.Emissions([]ActivityData{{Activity: NaturalGas, Amount: 1, Year: 2023, Use: "cooking"}}, DefaultEmissionSelection()); !errors.Is(err, ErrUnknownUse) {
		t.Errorf("unknown use: err = %v, want ErrUnknownUse", err)
	}
}
