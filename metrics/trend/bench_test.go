package trend

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// benchSeries is N(0,1) noise on a weak trend, the shape of the peer
// timings in the research note (random N(0,1) + trend).
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

// monthly30 is 30 years of monthly values with a seasonal cycle, a trend
// and noise.
func monthly30() []float64 {
	r := rand.New(rand.NewPCG(30, 12))
	x := make([]float64, 360)
	for i := range x {
		x[i] = 1.5 + 0.5*math.Sin(2*math.Pi*float64(i%12)/12) - 0.002*float64(i) + 0.2*r.NormFloat64()
	}
	return x
}

// BenchmarkSeasonal times the seasonal Kendall test with the seasonal Sen
// slope on 30 years of monthly data.
func BenchmarkSeasonal(b *testing.B) {
	x := monthly30()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Seasonal(x, 12, 0.05); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMethods times every method of the command on the same 30 years
// of monthly data (period 12, all lags).
func BenchmarkMethods(b *testing.B) {
	s := Series{Values: monthly30()}
	for _, m := range Methods {
		if m == "regional" {
			continue // takes sites, not one series
		}
		b.Run(m, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Analyze(s, Options{Method: m, Alpha: 0.05, Period: 12}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadSeries times parsing a JSON array of 10⁴ values, the input
// of `greenmetrics trend` in the issue 13 target.
func BenchmarkReadSeries(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, v := range benchSeries(1e4) {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, "%.6f", v)
	}
	buf.WriteByte(']')
	b.ReportAllocs()
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, err := ReadSeries(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSelectTwo times the selection of the two middle ranks of 2·10⁴
// slopes, the size of a search round's sample at n = 10⁴.
func BenchmarkSelectTwo(b *testing.B) {
	src := benchSeries(2e4)
	a := make([]float64, len(src))
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		copy(a, src)
		selectTwo(a, len(a)/2-1, len(a)/2, rng)
	}
}
