package trend

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// tiedSeries draws a NaN-free series of n values from a pool chosen by
// kind: small integers (most slopes tied), values rounded to a detection
// step, a noisy trend, or large magnitudes with repeats.
func tiedSeries(r *rand.Rand, kind uint8, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch kind % 4 {
		case 0:
			x[i] = float64(r.IntN(5))
		case 1:
			x[i] = math.Round((0.001*float64(i)+r.ExpFloat64())*20) / 20
		case 2:
			x[i] = 0.003*float64(i) + r.NormFloat64()
		default:
			x[i] = 3e10 + 1e4*float64(r.IntN(50)) + 100*float64(i)
		}
	}
	return x
}

// bruteVariance is var(S) with the tie correction, from a count of equal
// values.
func bruteVariance(x []float64) float64 {
	counts := map[float64]int64{}
	for _, v := range x {
		counts[v]++
	}
	n := int64(len(x))
	sum := n * (n - 1) * (2*n + 5)
	for _, t := range counts {
		sum -= t * (t - 1) * (2*t + 5)
	}
	return float64(sum) / 18
}

// FuzzSensMatchesPairwise checks Kendall's S, Sen's slope, its confidence
// bounds and the intercept of the fast algorithms against the O(n²)
// definitions, exactly, on random NaN-free series with ties of up to 700
// values (above about 180 values the slope search contracts by
// sampling rather than listing every slope).
func FuzzSensMatchesPairwise(f *testing.F) {
	for _, seed := range []uint64{1, 2, 3, 4, 99, 12345} {
		f.Add(binary.LittleEndian.AppendUint64(nil, seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var seed uint64
		for i, b := range data {
			seed ^= uint64(b) << (8 * (i % 8))
		}
		r := rand.New(rand.NewPCG(seed, uint64(len(data))))
		n := 2 + r.IntN(700)
		x := tiedSeries(r, uint8(seed>>8), n)

		res, err := Original(x, 0.05)
		if err != nil {
			t.Fatal(err)
		}
		if want := bruteS(x); res.S != want {
			t.Fatalf("n=%d: S = %v; want %v", n, res.S, want)
		}
		all := bruteSlopes([]points{seriesPoints(x)})
		if want := bruteMedian(all); res.Slope != want {
			t.Fatalf("n=%d: slope = %.17g; want %.17g", n, res.Slope, want)
		}
		sorted := slices.Clone(x)
		slices.Sort(sorted)
		if want := bruteMedian(sorted) - float64(n-1)/2*res.Slope; res.Intercept != want {
			t.Fatalf("n=%d: intercept = %.17g; want %.17g", n, res.Intercept, want)
		}

		sen, err := Sens(x, 0.05)
		if err != nil {
			t.Fatal(err)
		}
		total := float64(len(all))
		c := normalQuantile(0.975) * math.Sqrt(bruteVariance(x))
		kl := min(max(int(math.RoundToEven((total-c)/2)), 1), len(all))
		ku := min(max(int(math.RoundToEven((total+c)/2))+1, 1), len(all))
		if sen.Slope != res.Slope || sen.Lower != all[kl-1] || sen.Upper != all[ku-1] {
			t.Fatalf("n=%d: Sens = %v [%v, %v]; want %v [%v, %v]", n, sen.Slope, sen.Lower, sen.Upper, res.Slope, all[kl-1], all[ku-1])
		}
	})
}
