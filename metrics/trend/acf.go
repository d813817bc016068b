package trend

import (
	"math/bits"

	"gonum.org/v1/gonum/dsp/fourier"
)

// directACFWork is the number of multiply-adds above which the
// autocorrelation switches from direct sums to the FFT: the direct sums
// follow numpy's correlate term by term, the FFT is O(n log n) for the
// all-lags corrections on long series.
const directACFWork = 1 << 24

// autocorrelation returns ρ_0..ρ_lags of y with R's acf definition:
// acov_k = Σ_t (y_t - ȳ)(y_{t+k} - ȳ) / n and ρ_k = acov_k / acov_0. A
// constant series has acov_0 = 0 and then all-zero ρ, as pyMannKendall
// (since its fix for issue #32) returns.
func autocorrelation(y []float64, lags int) []float64 {
	n := len(y)
	mean := npSum(y) / float64(n)
	d := make([]float64, n)
	for i, v := range y {
		d[i] = v - mean
	}
	var acov []float64
	if n*(lags+1) <= directACFWork {
		acov = directAutocovariance(d, lags)
	} else {
		acov = fftAutocovariance(d, lags)
	}
	if acov[0] != 0 {
		c0 := acov[0]
		for k := range acov {
			acov[k] /= c0
		}
	}
	return acov
}

func directAutocovariance(d []float64, lags int) []float64 {
	n := len(d)
	acov := make([]float64, lags+1)
	for k := range acov {
		var s float64
		for t := 0; t+k < n; t++ {
			s += d[t] * d[t+k]
		}
		acov[k] = s / float64(n)
	}
	return acov
}

// fftAutocovariance computes the same sums as a circular correlation of the
// zero-padded series (padding to 2n avoids wrap-around).
func fftAutocovariance(d []float64, lags int) []float64 {
	n := len(d)
	m := 1 << bits.Len(uint(2*n-1))
	fft := fourier.NewFFT(m)
	seq := make([]float64, m)
	copy(seq, d)
	coef := fft.Coefficients(nil, seq)
	for i, c := range coef {
		coef[i] = complex(real(c)*real(c)+imag(c)*imag(c), 0)
	}
	seq = fft.Sequence(seq, coef)
	acov := make([]float64, lags+1)
	for k := range acov {
		acov[k] = seq[k] / float64(m) / float64(n)
	}
	return acov
}

// npSum adds a the way numpy's add.reduce does for a contiguous float64
// array (pairwise summation in blocks of 128 with eight accumulators), so
// means and sums round as they do in pyMannKendall.
func npSum(a []float64) float64 {
	return 0 + pairwiseSum(a)
}

func pairwiseSum(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		var res float64
		for _, v := range a {
			res += v
		}
		return res
	case n <= 128:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += a[i+j]
			}
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	}
	n2 := n / 2
	n2 -= n2 % 8
	return pairwiseSum(a[:n2]) + pairwiseSum(a[n2:])
}
