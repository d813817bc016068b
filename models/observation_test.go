package models_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

func TestParseTime(t *testing.T) {
	sh := models.Shanghai
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2024-06", time.Date(2024, 6, 1, 0, 0, 0, 0, sh)},
		{"2024-06-30", time.Date(2024, 6, 30, 0, 0, 0, 0, sh)},
		{"2024-06-30 08:00", time.Date(2024, 6, 30, 8, 0, 0, 0, sh)},
		{"2024-06-30T08:00:00+08:00", time.Date(2024, 6, 30, 8, 0, 0, 0, sh)},
		{"2024-06-30T00:00:00Z", time.Date(2024, 6, 30, 8, 0, 0, 0, sh)},
		{"2024/6/3", time.Date(2024, 6, 3, 0, 0, 0, 0, sh)},
		{"2024年6月", time.Date(2024, 6, 1, 0, 0, 0, 0, sh)},
		{"2024", time.Date(2024, 1, 1, 0, 0, 0, 0, sh)},
		{" 2024-02-29 ", time.Date(2024, 2, 29, 0, 0, 0, 0, sh)},
	}
	for _, tc := range tests {
		got, err := models.ParseTime(tc.in, nil)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "2023-02-29", "June 2024", "2024-13", "24-06-01", "12"} {
		if _, err := models.ParseTime(bad, nil); !errors.Is(err, models.ErrBadTime) {
			t.Errorf("ParseTime(%q) error = %v, want ErrBadTime", bad, err)
		}
	}
}

func TestParseTimeUsesGivenZone(t *testing.T) {
	utc, err := models.ParseTime("2024-06-30 08:00", time.UTC)
	if err != nil || utc.Hour() != 8 || utc.Location() != time.UTC {
		t.Errorf("ParseTime in UTC = %v, %v", utc, err)
	}
}

func TestObservationValidate(t *testing.T) {
	base := models.Observation{Time: time.Date(2024, 1, 1, 0, 0, 0, 0, models.Shanghai), Indicator: "pm25", Entity: "通州 永顺", Value: 35}
	tests := []struct {
		name string
		edit func(*models.Observation)
		want error
	}{
		{"valid", func(*models.Observation) {}, nil},
		{"no indicator", func(o *models.Observation) { o.Indicator = "" }, models.ErrNoIndicator},
		{"zero time", func(o *models.Observation) { o.Time = time.Time{} }, models.ErrNoTime},
		{"NaN", func(o *models.Observation) { o.Value = math.NaN() }, models.ErrNonFinite},
		{"+Inf", func(o *models.Observation) { o.Value = math.Inf(1) }, models.ErrNonFinite},
		{"newline in entity", func(o *models.Observation) { o.Entity = "a\nb" }, models.ErrBadTagValue},
		{"backslash in source", func(o *models.Observation) { o.Provider = `a\b` }, models.ErrBadTagValue},
		{"long entity", func(o *models.Observation) { o.Entity = strings.Repeat("断", 100) }, models.ErrBadTagValue},
	}
	for _, tc := range tests {
		o := base
		tc.edit(&o)
		if err := o.Validate(); !errors.Is(err, tc.want) {
			t.Errorf("%s: Validate() = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-06", "2024-06-30 08:00", "2024-06-30T08:00:00+08:00", "2024年6月", "9999-12-31", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := models.ParseTime(s, nil)
		if err == nil && got.IsZero() && !strings.Contains(s, "0001") {
			t.Fatalf("ParseTime(%q) = zero time without error", s)
		}
	})
}

func BenchmarkParseTime(b *testing.B) {
	for _, s := range []string{"2013-03-01 00:00", "2024-06-30T08:00:00+08:00", "2024-06", "2024/6/3"} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := models.ParseTime(s, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
