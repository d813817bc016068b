package models

import (
	"fmt"
	"testing"
	"time"
)

func TestPreferReported(t *testing.T) {
	jan := time.Date(2024, 1, 1, 0, 0, 0, 0, Shanghai)
	feb := jan.AddDate(0, 1, 0)
	fig := func(entity string, at time.Time, v float64, provider string) Observation {
		return Observation{Time: at, Indicator: "water_class", Entity: entity, Value: v, Provider: provider}
	}
	tests := []struct {
		name              string
		reported, derived []Observation
		want              []Observation
	}{
		{"no derived", []Observation{fig("S1", jan, 3, "cnemc")}, nil, []Observation{fig("S1", jan, 3, "cnemc")}},
		{"reported wins its entity and period", []Observation{fig("S1", jan, 3, "cnemc")},
			[]Observation{fig("S1", jan, 4, ProviderDerived), fig("S1", feb, 4, ProviderDerived)},
			[]Observation{fig("S1", jan, 3, "cnemc"), fig("S1", feb, 4, ProviderDerived)}},
		{"another entity's figure is no reason to drop one", []Observation{fig("S1", jan, 3, "cnemc")},
			[]Observation{fig("S2", jan, 5, ProviderDerived)},
			[]Observation{fig("S1", jan, 3, "cnemc"), fig("S2", jan, 5, ProviderDerived)}},
		{"the same instant in another zone is the same period", []Observation{fig("", jan, 1, "nbs")},
			[]Observation{fig("", jan.UTC(), 2, ProviderDerived)}, []Observation{fig("", jan, 1, "nbs")}},
		{"derived only", nil, []Observation{fig("", jan, 2, ProviderDerived)}, []Observation{fig("", jan, 2, ProviderDerived)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PreferReported(tc.reported, tc.derived); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("PreferReported = %v, want %v", got, tc.want)
			}
		})
	}
}
