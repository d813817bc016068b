package config

import (
	"testing"

	"github.com/greenmetrics/greenmetrics/models"
)

func TestCatalogDueLag(t *testing.T) {
	data := []byte(`indicators:
  - {code: a, name_zh: 甲, name_en: A, domain: urban, unit: count, display_unit: 个, kind: level, direction: higher, aggregation: last, frequency: annual, due_lag: 11mo}
  - {code: b, name_zh: 乙, name_en: B, domain: urban, unit: count, display_unit: 个, kind: level, direction: higher, aggregation: last, frequency: monthly}
`)
	cat, err := ParseCatalog("test.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	inds := cat.Indicators()
	if inds[0].DueLag != (models.Lag{Months: 11}) || !inds[1].DueLag.IsZero() {
		t.Errorf("due lags = %v, %v; want 11mo and unset", inds[0].DueLag, inds[1].DueLag)
	}
	if _, err := ParseCatalog("test.yaml", []byte(`indicators:
  - {code: a, name_zh: 甲, name_en: A, domain: urban, unit: count, display_unit: 个, kind: level, direction: higher, aggregation: last, frequency: annual, due_lag: soon}
`)); err == nil {
		t.Error("due_lag: soon accepted")
	}
}

func TestDueLagOf(t *testing.T) {
	a := Analysis{DueLag: map[models.Frequency]models.Lag{models.FrequencyQuarterly: {Days: 45}}}
	tests := []struct {
		ind  models.Indicator
		want models.Lag
	}{
		{models.Indicator{Frequency: models.FrequencyAnnual, DueLag: models.Lag{Months: 11}}, models.Lag{Months: 11}},
		{models.Indicator{Frequency: models.FrequencyQuarterly}, models.Lag{Days: 45}},
		{models.Indicator{Frequency: models.FrequencyMonthly}, models.Lag{Days: 15}},
	}
	for _, tt := range tests {
		if got := a.DueLagOf(tt.ind); got != tt.want {
			t.Errorf("DueLagOf(%v) = %v; want %v", tt.ind.Frequency, got, tt.want)
		}
	}
}
