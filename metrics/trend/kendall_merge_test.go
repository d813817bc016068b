package trend

import (
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
