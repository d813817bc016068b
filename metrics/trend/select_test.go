package trend

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSelectTwoMatchesSort checks the filtered selection against a sort,
// on slices long enough to filter, with ties, all values equal, and rank
// pairs near each other, far apart and at the ends (where the subsample's
// bracket is open on one side or misses).
func TestSelectTwoMatchesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 13))
	shapes := map[string]func(int) float64{
		"distinct":  func(int) float64 { return r.NormFloat64() },
		"ties":      func(int) float64 { return float64(r.IntN(20)) },
		"equal":     func(int) float64 { return 3 },
		"ascending": func(i int) float64 { return float64(i) },
	}
	for name, value := range shapes {
		for _, m := range []int{10, filterMin - 1, filterMin, 20000} {
			a := make([]float64, m)
			for i := range a {
				a[i] = value(i)
			}
			sorted := slices.Sorted(slices.Values(a))
			pairs := [][2]int{{0, 0}, {m - 1, m - 1}, {m / 2, m / 2}, {m/2 - 1, m / 2}, {m / 3, m/3 + m/50}, {1, m - 2}, {0, m / 10}, {m - m/10, m - 1}}
			for _, p := range pairs {
				t.Run(fmt.Sprintf("%s/m=%d/%d,%d", name, m, p[0], p[1]), func(t *testing.T) {
					b := slices.Clone(a)
					vi, vj := selectTwo(b, p[0], p[1], r)
					if vi != sorted[p[0]] || vj != sorted[p[1]] {
						t.Errorf("ranks %d, %d: got %v, %v, want %v, %v", p[0], p[1], vi, vj, sorted[p[0]], sorted[p[1]])
					}
					slices.Sort(b)
					if !slices.Equal(b, sorted) {
						t.Error("the slice lost or changed values")
					}
				})
			}
		}
	}
}
