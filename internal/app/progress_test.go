package app

import (
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

func TestParseAsOf(t *testing.T) {
	now := time.Date(2024, 7, 3, 9, 0, 0, 0, models.Shanghai)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"", now},
		{"2024-06-30", time.Date(2024, 6, 30, 23, 59, 59, 0, models.Shanghai)},
		{"2024-02", time.Date(2024, 2, 29, 23, 59, 59, 0, models.Shanghai)},
		{"2024-06-30T08:00:00+08:00", time.Date(2024, 6, 30, 8, 0, 0, 0, models.Shanghai)},
		{"2024-06-30 08:00", time.Date(2024, 6, 30, 8, 0, 0, 0, models.Shanghai)},
	}
	for _, tc := range tests {
		got, err := parseAsOf(tc.in, now)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseAsOf(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := parseAsOf("last Tuesday", now); err == nil {
		t.Error(`parseAsOf("last Tuesday") succeeded; want an error`)
	}
}
