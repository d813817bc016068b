package trend

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCountInversionsMatchesDefinition compares the merge-sort count with
// the O(n²) definition on random keys with many ties, at lengths around
// the insertion-sort runs and odd and even merges.
func TestCountInversionsMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 13))
	for _, n := range []int{0, 1, 2, 3, 15, 16, 17, 31, 32, 33, 47, 100, 257, 1000, 1025} {
		for _, distinct := range []int{1, 2, 5, 1 << 30} {
			a := make([]uint64, n)
			for i := range a {
				a[i] = orderedBits(float64(rng.IntN(distinct)) - float64(distinct/2))
			}
			var want int64
			for i := range a {
				for j := i + 1; j < n; j++ {
					if a[i] > a[j] {
						want++
					}
				}
			}
			sorted := slices.Clone(a)
			slices.Sort(sorted)
			got := countInversions(a, make([]uint64, n))
			if got != want || !slices.Equal(a, sorted) {
				t.Fatalf("n=%d distinct=%d: %d inversions, sorted %v; want %d", n, distinct, got, slices.Equal(a, sorted), want)
			}
		}
	}
}

// TestScoreMedianMatchesSelection checks the median read off the sorted
// keys against the selection on a copy, bit for bit (signed zeros
// included), with S as mkScore gives it.
func TestScoreMedianMatchesSelection(t *testing.T) {
	negZero := math.Copysign(0, -1)
	cases := [][]float64{
		{1}, {2, 1}, {3, 1, 2}, {1, 1, 1, 1}, {-1, 5, -3, 5, 0.5, 7},
		{negZero, negZero}, {negZero, 1, -1}, {0, negZero, 0, negZero}, {-2, negZero, 3, negZero},
		{-1e-300, 1e-300}, {-5e-324, 5e-324, 0},
	}
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{2, 3, 100, 1001} {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(r.IntN(7)-3) * 0.5
		}
		cases = append(cases, x)
	}
	for _, x := range cases {
		sc, m := mkScoreMedian(x)
		want := median(append([]float64(nil), x...))
		if math.Float64bits(m) != math.Float64bits(want) || sc != mkScore(x) {
			t.Errorf("%v: median %v (S %v); selection gives %v (S %v)", x, m, sc.s, want, mkScore(x).s)
		}
	}
}
