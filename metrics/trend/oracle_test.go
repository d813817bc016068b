package trend

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The O(n²) definitions below are the oracles the fast algorithms are
// checked against; they exist only in tests.

func bruteS(x []float64) float64 {
	var s float64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			switch {
			case x[j] > x[i]:
				s++
			case x[j] < x[i]:
				s--
			}
		}
	}
	return s
}

func bruteK(x, z []float64) float64 {
	var k float64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			k += sign((x[j] - x[i]) * (z[j] - z[i]))
		}
	}
	return k
}

func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// bruteSlopes lists every within-group slope as pyMannKendall computes it.
func bruteSlopes(groups []points) []float64 {
	var d []float64
	for _, g := range groups {
		for i := range g.x {
			for j := i + 1; j < len(g.x); j++ {
				d = append(d, (g.x[j]-g.x[i])/(g.t[j]-g.t[i]))
			}
		}
	}
	slices.Sort(d)
	return d
}

func bruteMedian(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// selectedWell states the selection contract: the exact order statistic,
// unless more slopes than the set may hold lie within rounding distance
// (4·margin) of it, in which case any value that close.
func selectedWell(set *slopeSet, sorted []float64, got, want float64) bool {
	if got == want {
		return true
	}
	m := 4 * set.margin(want)
	if math.Abs(got-want) > m {
		return false
	}
	lo, _ := slices.BinarySearch(sorted, want-m)
	hi, _ := slices.BinarySearch(sorted, math.Nextafter(want+m, math.Inf(1)))
	return int64(hi-lo) > set.limit
}

// series generators for the property tests.
var generators = []struct {
	name string
	gen  func(r *rand.Rand, n int) []float64
}{
	{"normal_trend", func(r *rand.Rand, n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = 0.01*float64(i) + r.NormFloat64()
		}
		return x
	}},
	{"small_integers", func(r *rand.Rand, n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(r.IntN(4))
		}
		return x
	}},
	{"detection_limit", func(r *rand.Rand, n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Max(0.025, math.Round(r.ExpFloat64()*20)/100)
		}
		return x
	}},
	{"tenths_line", func(r *rand.Rand, n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = 0.1 * float64(i)
		}
		return x
	}},
	{"large_magnitude", func(r *rand.Rand, n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = 3e10 + 1e3*float64(i) + 1e5*r.NormFloat64()
		}
		return x
	}},
	{"constant", func(r *rand.Rand, n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = 7.5
		}
		return x
	}},
	{"gappy", func(r *rand.Rand, n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = r.NormFloat64() - 0.002*float64(i)
			if r.IntN(5) == 0 {
				x[i] = math.NaN()
			}
		}
		return x
	}},
}

func TestMKScoreMatchesPairwiseDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, g := range generators {
		for _, n := range []int{2, 3, 17, 100, 1000} {
			p := seriesPoints(g.gen(r, n))
			got, want := mkScore(p.x).s, bruteS(p.x)
			if got != want {
				t.Errorf("%s n=%d: mkScore = %v; want %v", g.name, n, got, want)
			}
		}
	}
}

func TestKendallKMatchesPairwiseDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{2, 5, 40, 300} {
		x := generators[1].gen(r, n)
		z := generators[2].gen(r, n)
		if got, want := kendallK(x, z), bruteK(x, z); got != want {
			t.Errorf("n=%d: kendallK = %v; want %v", n, got, want)
		}
		if got, want := kendallK(x, x), bruteK(x, x); got != want {
			t.Errorf("n=%d: kendallK(x, x) = %v; want %v", n, got, want)
		}
	}
}

// TestSlopeSelectionMatchesSorting checks the randomised selection against sorting
// all slopes, with the enumeration limit lowered so that the contraction,
// the tie handling and the boundary verification all run on small inputs.
func TestSlopeSelectionMatchesSorting(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, g := range generators {
		for _, n := range []int{2, 3, 50, 400, 1500} {
			for _, limit := range []int64{0, 64, 2000} {
				x := g.gen(r, n)
				groups := []points{seriesPoints(x)}
				all := bruteSlopes(groups)
				if len(all) == 0 {
					continue
				}
				set := newSlopeSet(groups)
				if limit > 0 {
					set.limit = limit
				}
				if got, want := set.median(), bruteMedian(all); !selectedWell(set, all, got, want) {
					t.Errorf("%s n=%d limit=%d: median = %.17g; want %.17g", g.name, n, limit, got, want)
				}
				ranks := []int64{1, int64(len(all)+3) / 4, int64(len(all))}
				got := set.Select(ranks...)
				for i, k := range ranks {
					if !selectedWell(set, all, got[i], all[k-1]) {
						t.Errorf("%s n=%d limit=%d: rank %d = %.17g; want %.17g", g.name, n, limit, k, got[i], all[k-1])
					}
				}
			}
		}
	}
}

func TestSeasonalSlopeSelectionMatchesSorting(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, g := range generators {
		x := g.gen(r, 12*40+5)
		groups := matrixPoints(pad(x, 12), 12)
		all := bruteSlopes(groups)
		set := newSlopeSet(groups)
		set.limit = 500
		if got, want := set.median(), bruteMedian(all); !selectedWell(set, all, got, want) {
			t.Errorf("%s: seasonal median = %.17g; want %.17g", g.name, got, want)
		}
	}
}

// TestSenIntervalMatchesScipy compares the confidence bounds with
// scipy.stats.theilslopes, which the reference file carries as a
// cross-check for the original-test and Sen cases without missing values.
func TestSenIntervalMatchesScipy(t *testing.T) {
	vf := loadVectors(t)
	checked := 0
	for _, c := range vf.Cases {
		var cross struct {
			Low  *float64 `json:"theilslopes_low_slope"`
			High *float64 `json:"theilslopes_high_slope"`
		}
		if c.Cross == nil || json.Unmarshal(c.Cross, &cross) != nil || cross.Low == nil {
			continue
		}
		x, _ := c.series(t)
		s, err := Sens(x, 0.05)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if !closeEnough(s.Lower, *cross.Low, tol{abs: 1e-12, rel: 1e-9}) ||
			!closeEnough(s.Upper, *cross.High, tol{abs: 1e-12, rel: 1e-9}) {
			t.Errorf("%s: interval = [%v, %v]; want [%v, %v]", c.Name, s.Lower, s.Upper, *cross.Low, *cross.High)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no case carries a theilslopes cross-check")
	}
}

// TestAutocorrelationFFTMatchesDirect checks the FFT path used for the
// all-lags corrections on long series against the direct sums.
func TestAutocorrelationFFTMatchesDirect(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{2, 3, 17, 1000, 4099} {
		y := generators[0].gen(r, n)
		mean := npSum(y) / float64(n)
		d := make([]float64, n)
		for i, v := range y {
			d[i] = v - mean
		}
		direct, fft := directAutocovariance(d, n-1), fftAutocovariance(d, n-1)
		for k := range direct {
			if math.Abs(direct[k]-fft[k]) > 1e-12*direct[0] {
				t.Fatalf("n=%d lag %d: fft %v; direct %v", n, k, fft[k], direct[k])
			}
		}
	}
}

// TestHamedRaoLongSeriesUsesAllLags runs the FFT path end to end and
// compares the correction factor with one built from direct sums.
func TestHamedRaoLongSeriesUsesAllLags(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	x := generators[0].gen(r, 6000)
	got, err := HamedRao(x, 0.05, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := len(x)
	ranks := averageRanks(detrend(x, got.Slope))
	mean := npSum(ranks) / float64(n)
	d := make([]float64, n)
	for i, v := range ranks {
		d[i] = v - mean
	}
	acov := directAutocovariance(d, n-1)
	bound := normalQuantile(0.975) / math.Sqrt(float64(n))
	var sum float64
	for i := 1; i < n; i++ {
		if rho := acov[i] / acov[0]; math.Abs(rho) > bound {
			sum += cubic(n-i) * rho
		}
	}
	want := 1 + 2/cubic(n)*sum
	if math.Abs(got.Correction-want) > 1e-9*math.Abs(want) {
		t.Errorf("correction = %.15g; want %.15g from direct sums", got.Correction, want)
	}
}
