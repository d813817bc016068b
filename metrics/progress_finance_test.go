package metrics

import (
	"math"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

func TestBalanceOf(t *testing.T) {
	green := catalogIndicator(t, "green_loan_balance") // quarterly, 万亿元 in CNY
	// domain.md §3: 2022 22.03万亿, 2023 30.08万亿 (+36.5%), 2024 Q1 33.77万亿.
	obs := join(quarterly(green.Code, 2022, 4, 22.03e12), quarterly(green.Code, 2023, 1, 24.99e12, 27.05e12, 28.58e12, 30.08e12), quarterly(green.Code, 2024, 1, 33.77e12))
	total := join(quarterly("loans", 2023, 1, 228e12), quarterly("loans", 2024, 1, 250e12))
	tests := []struct {
		name                                            string
		asOf                                            time.Time
		total                                           []models.Observation
		value, yoy, yearStart, since, sinceRatio, share float64
	}{
		{"2023 Q4 (stamped 10-01): +36.5% 同比, +8.05万亿 比年初", at(2023, 12, 20), nil,
			30.08e12, 30.08/22.03 - 1, 22.03e12, 8.05e12, 30.08/22.03 - 1, nan},
		{"2024 Q1 with all loans", at(2024, 5, 1), total,
			33.77e12, 33.77/24.99 - 1, 30.08e12, 3.69e12, 33.77/30.08 - 1, 33.77 / 250},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := BalanceOf(green, obs, tc.total, tc.asOf)
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"Value", b.Value, tc.value}, {"YoY", b.YoY, tc.yoy}, {"YearStart", b.YearStart, tc.yearStart},
				{"SinceYearStart", b.SinceYearStart, tc.since}, {"SinceYearStartRatio", b.SinceYearStartRatio, tc.sinceRatio}, {"Share", b.Share, tc.share}} {
				if math.Abs(c.got-c.want) > 1e-6*math.Abs(c.want) || math.IsNaN(c.got) != math.IsNaN(c.want) {
					t.Errorf("BalanceOf(as of %s).%s = %v; want %v", tc.asOf.Format("2006-01-02"), c.name, c.got, c.want)
				}
			}
		})
	}
	t.Run("growth gap in points", func(t *testing.T) {
		b := BalanceOf(green, obs, total, at(2024, 5, 1))
		want := (33.77/24.99 - 1) - (250.0/228 - 1)
		if math.Abs(b.GrowthGap-want) > 1e-9 {
			t.Errorf("GrowthGap = %v; want %v", b.GrowthGap, want)
		}
	})
	t.Run("no data is NaN, not zero", func(t *testing.T) {
		b := BalanceOf(green, nil, nil, at(2024, 5, 1))
		if !math.IsNaN(b.Value) || !math.IsNaN(b.SinceYearStart) {
			t.Errorf("BalanceOf(no data) = %+v; want NaN value and change", b)
		}
	})
	t.Run("project library count 146 as a stock", func(t *testing.T) {
		lib := catalogIndicator(t, "climate_finance_projects")
		b := BalanceOf(lib, join(quarterly(lib.Code, 2023, 4, 146), quarterly(lib.Code, 2024, 1, 160)), nil, at(2024, 4, 10))
		if b.Value != 160 || b.SinceYearStart != 14 {
			t.Errorf("BalanceOf(project library) = %+v; want 160, +14 since 146 at year start", b)
		}
	})
}

func TestCumulativeOf(t *testing.T) {
	ex := catalogIndicator(t, "green_exchange_cumulative_volume") // 累计成交突破1亿吨
	obs := join(monthly(ex.Code, 2022, 12, 0.8e8), monthly(ex.Code, 2023, 6, 0.95e8), monthly(ex.Code, 2023, 12, 1.0e8, 1.02e8),
		monthly(ex.Code, 2024, 6, 1.00004e8, 1.006e8))
	tests := []struct {
		name    string
		asOf    time.Time
		q       models.Qualifier
		value   float64
		added   float64
		reached bool
	}{
		{"exactly 1亿 has not 突破 1亿", at(2023, 12, 20), models.QualifierMoreThan, 1.0e8, 0.2e8, false},
		{"exactly 1亿 has 达到 1亿", at(2023, 12, 20), models.QualifierAtLeast, 1.0e8, 0.2e8, true},
		{"1.02亿 in January 2024 突破; added since the 2023 year-end", at(2024, 1, 20), models.QualifierMoreThan, 1.02e8, 0.02e8, true},
		// Published to 0.01亿吨: 1.00004亿 is 1.00亿, not beyond 1亿; 1.006亿 is 1.01亿.
		{"1.00004亿 is published 1.00亿: not 突破", at(2024, 6, 20), models.QualifierMoreThan, 1.00004e8, 4000, false},
		{"1.006亿 is published 1.01亿: 突破", at(2024, 7, 20), models.QualifierMoreThan, 1.006e8, 0.006e8, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := CumulativeOf(ex, obs, tc.asOf, 1e8, tc.q)
			if c.Value != tc.value || math.Abs(c.AddedThisYear-tc.added) > 1 || c.Reached != tc.reached {
				t.Errorf("CumulativeOf = %+v; want value %v, added %v, reached %v", c, tc.value, tc.added, tc.reached)
			}
		})
	}
}

func TestFloorAreas(t *testing.T) {
	cat := map[string]models.Indicator{}
	for _, c := range []BuildingCategory{UltraLowEnergy, NearlyZeroEnergy, Prefabricated, GreenRetrofit, PublicRetrofit} {
		ind := catalogIndicator(t, BuildingIndicators[c])
		cat[ind.Code] = ind
	}
	obs := map[string][]models.Observation{
		"ultra_low_energy_building_area":      join(monthly("ultra_low_energy_building_area", 2023, 12, 30e4), monthly("ultra_low_energy_building_area", 2024, 3, 36e4)),
		"prefab_building_started_area":        join(monthly("prefab_building_started_area", 2023, 1, repeat(1351000.0/12, 12)...), monthly("prefab_building_started_area", 2024, 1, 10e4, 20e4)),
		"public_building_green_retrofit_area": monthly("public_building_green_retrofit_area", 2023, 6, 95.4e4),
	}
	targets := map[BuildingCategory]FloorAreaTarget{
		UltraLowEnergy: {Target: 60e4},
		Prefabricated:  {Target: 500e4, Opening: 100e4},
	}
	got := FloorAreas(cat, obs, targets, at(2024, 4, 15))
	want := map[BuildingCategory]FloorArea{
		UltraLowEnergy:   {Year: 6e4, Cumulative: 36e4, Target: 60e4, Completion: 0.6, Remaining: 24e4},
		NearlyZeroEnergy: {Year: nan, Cumulative: nan, Target: nan, Completion: nan, Remaining: nan},
		Prefabricated:    {Year: 30e4, Cumulative: 100e4 + 135.1e4 + 30e4, Target: 500e4, Completion: 265.1 / 500, Remaining: 234.9e4},
		GreenRetrofit:    {Year: nan, Cumulative: nan, Target: nan, Completion: nan, Remaining: nan},
		PublicRetrofit:   {Year: nan, Cumulative: 95.4e4, Target: nan, Completion: nan, Remaining: nan},
	}
	if len(got) != 5 {
		t.Fatalf("FloorAreas returned %d categories; want 5", len(got))
	}
	for _, fa := range got {
		w := want[fa.Category]
		for _, c := range []struct {
			name      string
			got, want float64
		}{{"Year", fa.Year, w.Year}, {"Cumulative", fa.Cumulative, w.Cumulative}, {"Target", fa.Target, w.Target},
			{"Completion", fa.Completion, w.Completion}, {"Remaining", fa.Remaining, w.Remaining}} {
			if !approx(c.got, c.want) && !(math.Abs(c.got-c.want) < 1e-6) {
				t.Errorf("%s (%s).%s = %v; want %v", fa.Category, fa.Category.NameZh(), c.name, c.got, c.want)
			}
		}
	}
}
