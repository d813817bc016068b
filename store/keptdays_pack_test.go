package store

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// TestPackDaysRoundTrip: every value, hour count and demo flag reads back
// exactly, and the days keep their dates, also across a leap day.
func TestPackDaysRoundTrip(t *testing.T) {
	feb := time.Date(2024, 2, 1, 0, 0, 0, 0, models.Shanghai)
	day := func(d int, v float64, hours int, provider string, negative ...int) models.DailyFigure {
		f := models.DailyFigure{Observation: models.Observation{Time: feb.AddDate(0, 0, d-1), Indicator: "pm25", Entity: "a,b c", Value: v, Provider: provider}, Hours: hours}
		if len(negative) > 0 {
			f.Negative = negative[0]
		}
		return f
	}
	tests := []struct {
		name   string
		days   []models.DailyFigure
		packed string
	}{
		{"none", nil, ""},
		{"one", []models.DailyFigure{day(1, 35.25, 24, "")}, "1:35.25:24"},
		{"demo and extremes", []models.DailyFigure{day(2, 1e-9, 1, models.ProviderDemo), day(28, -3, 23, ""), day(29, math.MaxFloat64, 24, "")},
			"2:1e-09:1:demo;28:-3:23;29:1.7976931348623157e+308:24"},
		{"a third", []models.DailyFigure{day(15, 1.0/3, 20, "")}, "15:0.3333333333333333:20"},
		{"negative hours", []models.DailyFigure{day(3, -0.5, 24, "", 2), day(4, 7, 20, models.ProviderDemo, 1)}, "3:-0.5:24:n2;4:7:20:demo:n1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			packed := packDays(tc.days)
			if packed != tc.packed {
				t.Fatalf("packDays = %q; want %q", packed, tc.packed)
			}
			got, err := unpackDays(packed, feb, "pm25", "a,b c")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(tc.days) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.days) {
				t.Errorf("unpackDays = %+v; want %+v", got, tc.days)
			}
		})
	}
}

// TestUnpackDaysRefuses: what packDays never writes is an error, so the
// month is aggregated again rather than read wrong.
func TestUnpackDaysRefuses(t *testing.T) {
	feb := time.Date(2023, 2, 1, 0, 0, 0, 0, models.Shanghai)
	for _, packed := range []string{"1:x:24", "1:2", "1:2:3:4", "1:2:3:demo:x", "1:2:3:n0", "1:2:3:n", "1:2:3:n2:demo", "1:2:3:demo:n1:n1", "1:2:3:nx", "0:1:1", "29:1:1", "32:1:1", "-1:1:1", "1:2:3;", ";", "a:1:1", "1:1:1.5"} {
		if days, err := unpackDays(packed, feb, "pm25", "A"); err == nil {
			t.Errorf("unpackDays(%q) = %v; want an error", packed, days)
		}
	}
}

// FuzzUnpackDays: whatever a days field holds, unpackDays either refuses
// it or returns days of the month that pack back to a field reading the
// same.
func FuzzUnpackDays(f *testing.F) {
	for _, s := range []string{"", "1:35.25:24", "2:1e-09:1:demo;28:-3:23", "3:-0.5:24:n2;4:7:20:demo:n1", "31:NaN:1", "1:+Inf:2"} {
		f.Add(s)
	}
	month := time.Date(2024, 1, 1, 0, 0, 0, 0, models.Shanghai)
	f.Fuzz(func(t *testing.T, packed string) {
		days, err := unpackDays(packed, month, "pm25", "A")
		if err != nil {
			return
		}
		for _, d := range days {
			if localMonthStart(d.Time) != month {
				t.Fatalf("unpackDays(%q): %v outside the month", packed, d.Time)
			}
		}
		again, err := unpackDays(packDays(days), month, "pm25", "A")
		if err != nil {
			t.Fatalf("packDays of %q's days does not read back: %v", packed, err)
		}
		if a, b := strings.Join(render(days), ";"), strings.Join(render(again), ";"); a != b {
			t.Fatalf("round trip of %q: %s then %s", packed, a, b)
		}
	})
}

func render(days []models.DailyFigure) []string {
	out := make([]string, len(days))
	for i, d := range days {
		out[i] = d.Time.Format(time.DateOnly) + " " + packDays([]models.DailyFigure{d})
	}
	return out
}
