package models

import "testing"

func TestRatioBounds(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name string
		ind  Indicator
		in   []float64
		out  []float64
	}{
		{"growth rate: ±100 %", Indicator{Unit: "ratio"}, []float64{-1, 0, 0.05, 1}, []float64{-1.01, 5, 1.0001}},
		{"share: the catalogue's lower bound, 100 % above", Indicator{Unit: "ratio", Min: f(0)}, []float64{0, 1}, []float64{-0.01, 1.2}},
		{"the catalogue allows doubling", Indicator{Unit: "ratio", Max: f(3)}, []float64{-1, 2.5}, []float64{-1.5, 3.1}},
		{"not a ratio: unbounded", Indicator{Unit: "m2"}, []float64{-1e12, 1e12}, nil},
	} {
		for _, v := range tc.in {
			if !tc.ind.InRange(v) {
				t.Errorf("%s: %g is out of range", tc.name, v)
			}
		}
		for _, v := range tc.out {
			if tc.ind.InRange(v) {
				t.Errorf("%s: %g is in range", tc.name, v)
			}
		}
		lo, hi := tc.ind.Bounds()
		for _, v := range append(tc.in, tc.out...) {
			inBounds := (lo == nil || v >= *lo) && (hi == nil || v <= *hi)
			if inBounds != tc.ind.InRange(v) {
				t.Errorf("%s: Bounds and InRange disagree on %g", tc.name, v)
			}
		}
	}
}
