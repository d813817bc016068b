package trend

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchSeries is a random walk-free N(0,1) series with a weak trend, the
// shape the peer timings in docs/trends.md use.
func benchSeries(n int) []float64 {
	r := rand.New(rand.NewPCG(uint64(n), 42))
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64() + 1e-4*float64(i)
	}
	return x
}

// BenchmarkOriginalAndSens times the Mann-Kendall test with Sen's slope
// and intercept (what pyMannKendall's original_test computes).
func BenchmarkOriginalAndSens(b *testing.B) {
	for _, n := range []int{1e3, 1e4, 1e5, 1e6} {
		x := benchSeries(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Original(x, 0.05); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
