package trend

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Direction is the verdict of a trend test.
type Direction string

// The three verdicts, spelled as pyMannKendall spells them.
const (
	Increasing Direction = "increasing"
	Decreasing Direction = "decreasing"
	NoTrend    Direction = "no trend"
)

// Errors returned for unusable input.
var (
	ErrTooFewValues = errors.New("too few valid values")
	ErrAlpha        = errors.New("alpha must lie strictly between 0 and 1")
	ErrPeriod       = errors.New("period must be at least 1")
	ErrValue        = errors.New("value is infinite or beyond ±1e100")
	ErrShape        = errors.New("rows differ in length")
)

// maxMagnitude bounds accepted values: far beyond any measured quantity,
// and small enough that squares and pairwise differences stay finite.
const maxMagnitude = 1e100

// Result is the outcome of a Mann-Kendall-type test, field for field what
// pyMannKendall returns, plus bookkeeping.
type Result struct {
	Trend Direction
	H     bool    // the null hypothesis of no trend is rejected at alpha
	P     float64 // two-sided p-value
	Z     float64 // normal score
	Tau   float64 // Kendall's tau-a: S / Σ n(n-1)/2
	S     float64 // Kendall's score
	VarS  float64 // variance of S (corrected, for the modified tests)
	// Slope and Intercept are the Theil-Sen line of the series (seasonal
	// tests: per cycle, with a cycle as the intercept's time unit).
	Slope, Intercept float64
	N                int // time slots
	NValid           int // non-missing values
	// Correction is the variance factor n/n* of the Hamed-Rao and Yue-Wang
	// tests; 1 for the others.
	Correction float64
	// Applicable is false when Correction is not positive: the corrected
	// variance is then not a variance, Z and P are NaN and the test says
	// nothing. Uncorrected then carries the plain Mann-Kendall result.
	Applicable  bool
	Uncorrected *Result
}

func checkAlpha(alpha float64) error {
	if !(alpha > 0 && alpha < 1) {
		return fmt.Errorf("alpha %v: %w", alpha, ErrAlpha)
	}
	return nil
}

func checkPeriod(period int) error {
	if period < 1 {
		return fmt.Errorf("period %d: %w", period, ErrPeriod)
	}
	return nil
}

// checkSeries rejects non-finite or absurd values and series with fewer
// than need valid values.
func checkSeries(x []float64, need int) error {
	valid := 0
	for i, v := range x {
		if math.IsNaN(v) {
			continue
		}
		if math.IsInf(v, 0) || math.Abs(v) > maxMagnitude {
			return fmt.Errorf("value %d (%v): %w", i, v, ErrValue)
		}
		valid++
	}
	if valid < need {
		return tooFew(valid, need, "valid values")
	}
	return nil
}

func tooFew(got, need int, what string) error {
	return fmt.Errorf("%d %s, need at least %d: %w", got, what, need, ErrTooFewValues)
}

// normalQuantile is Φ⁻¹(p).
func normalQuantile(p float64) float64 {
	return distuv.UnitNormal.Quantile(p)
}

// verdict returns p = 2(1 - Φ(|z|)), h = |z| > Φ⁻¹(1 - α/2) and the trend.
// NaN z gives NaN p and no trend.
func verdict(z, alpha float64) (p float64, h bool, d Direction) {
	p = math.Erfc(math.Abs(z) / math.Sqrt2)
	h = math.Abs(z) > normalQuantile(1-alpha/2)
	switch {
	case h && z < 0:
		d = Decreasing
	case h && z > 0:
		d = Increasing
	default:
		d = NoTrend
	}
	return p, h, d
}

// fill completes r from S, var(S) and the Tau denominator, using the
// continuity-corrected z.
func (r *Result) fill(s, varS, denom, alpha float64) {
	r.S, r.VarS, r.Tau = s, varS, s/denom
	r.Z = zScore(s, varS)
	r.P, r.H, r.Trend = verdict(r.Z, alpha)
	r.Applicable = r.Correction > 0
}

// newResult starts a result for a series of n slots, nValid of them
// present, with no variance correction.
func newResult(n, nValid int) Result {
	return Result{N: n, NValid: nValid, Correction: 1}
}

// Original is the Mann-Kendall test (Mann 1945, Kendall 1975, Gilbert
// 1987) on x, NaN marking missing values.
func Original(x []float64, alpha float64) (Result, error) {
	p, err := prepare(x, alpha, 2)
	if err != nil {
		return Result{}, err
	}
	// S (with the median of the values, for the intercept) and the slope
	// are independent O(n log n) computations; on long series running
	// them side by side halves the wall time. The intercept is conover's.
	var sc score
	var mx float64
	scoreAndMedian := func() {
		sc, mx = mkScoreMedian(p.x)
	}
	var slope float64
	if len(p.x) < parallelScore {
		// A short series costs less than waking a second thread.
		scoreAndMedian()
		slope = sensSlope(p)
	} else {
		score := help(scoreAndMedian)
		slope = sensSlope(p)
		score.join()
	}
	intercept := mx - sortedMedian(p.t)*slope
	r := newResult(len(x), sc.n)
	r.fill(sc.s, sc.variance(), pairs(sc.n), alpha)
	r.Slope, r.Intercept = slope, intercept
	return r, nil
}

// parallelScore is the series length from which Original computes S beside
// the slope, on another goroutine.
const parallelScore = 1 << 10

// mannKendall is Original without the slope, for callers that estimate it
// themselves.
func mannKendall(x []float64, alpha float64) (Result, error) {
	p, err := prepare(x, alpha, 2)
	if err != nil {
		return Result{}, err
	}
	sc := mkScore(p.x)
	r := newResult(len(x), sc.n)
	r.fill(sc.s, sc.variance(), pairs(sc.n), alpha)
	return r, nil
}

func prepare(x []float64, alpha float64, need int) (points, error) {
	if err := checkAlpha(alpha); err != nil {
		return points{}, err
	}
	if err := checkSeries(x, need); err != nil {
		return points{}, err
	}
	return readPoints(x), nil
}

// readPoints is seriesPoints for callers that only read the points: a
// series without missing values is used as it is, not copied.
func readPoints(x []float64) points {
	if countNaN(x) > 0 {
		return seriesPoints(x)
	}
	t := make([]float64, len(x))
	for i := range t {
		t[i] = float64(i)
	}
	return points{t: t, x: x}
}

// detrend subtracts k·slope from the k-th valid value, k = 1..n, as the
// modified tests of pyMannKendall do (positions of missing values are not
// used here, unlike in the slope itself).
func detrend(v []float64, slope float64) []float64 {
	out := make([]float64, len(v))
	for k, e := range v {
		out[k] = e - float64(float64(k+1)*slope)
	}
	return out
}

// lagCount maps the user's lag option to the number of lags used: all
// n-1 lags when lag ≤ 0, otherwise lag, capped at n-1.
func lagCount(lag, n int) int {
	if lag <= 0 || lag > n-1 {
		return n - 1
	}
	return lag
}

// HamedRao is the Mann-Kendall test with the variance correction of Hamed
// and Rao (1998) for autocorrelated series: var(S) is scaled by
// n/n* = 1 + 2/(n(n-1)(n-2))·Σ (n-i)(n-i-1)(n-i-2)ρ_i over the lags whose
// rank autocorrelation ρ_i of the detrended series is significant at alpha.
// lag ≤ 0 uses all lags. The sum is signed, as in the paper; when it makes
// n/n* ≤ 0 the result is marked not applicable (see Result.Applicable).
func HamedRao(x []float64, alpha float64, lag int) (Result, error) {
	p, err := prepare(x, alpha, 3)
	if err != nil {
		return Result{}, err
	}
	n := len(p.x)
	sc := mkScore(p.x)
	slope, intercept := sensLine(x)
	ranks := averageRanks(detrend(p.x, slope))
	lags := lagCount(lag, n)
	rho := autocorrelation(ranks, lags)
	bound := normalQuantile(1-alpha/2) / math.Sqrt(float64(n))
	var sum float64
	for i := 1; i <= lags; i++ {
		if rho[i] > bound || rho[i] < -bound {
			sum += cubic(n-i) * rho[i]
		}
	}
	factor := 1 + 2/cubic(n)*sum
	return corrected(x, sc, factor, alpha, slope, intercept), nil
}

// YueWang is the Mann-Kendall test with the variance correction of Yue and
// Wang (2004): n/n* = 1 + 2·Σ (1 - k/n)ρ_k over lags k = 1..lag (all n-1
// when lag ≤ 0) of the autocorrelation of the detrended series, with no
// significance screen.
func YueWang(x []float64, alpha float64, lag int) (Result, error) {
	p, err := prepare(x, alpha, 2)
	if err != nil {
		return Result{}, err
	}
	n := len(p.x)
	sc := mkScore(p.x)
	slope, intercept := sensLine(x)
	lags := lagCount(lag, n)
	rho := autocorrelation(detrend(p.x, slope), lags)
	terms := make([]float64, lags)
	for k := 1; k <= lags; k++ {
		terms[k-1] = (1 - float64(k)/float64(n)) * rho[k]
	}
	factor := 1 + 2*npSum(terms)
	return corrected(x, sc, factor, alpha, slope, intercept), nil
}

// cubic is m(m-1)(m-2) in floating point (exact below m ≈ 2·10⁵, and free
// of integer overflow beyond).
func cubic(m int) float64 {
	f := float64(m)
	return f * (f - 1) * (f - 2)
}

// corrected builds the result of a variance-corrected test.
func corrected(x []float64, sc score, factor, alpha, slope, intercept float64) Result {
	r := newResult(len(x), sc.n)
	r.Correction = factor
	plain := sc.variance()
	r.fill(sc.s, plain*factor, pairs(sc.n), alpha)
	r.Slope, r.Intercept = slope, intercept
	if !r.Applicable {
		u := newResult(r.N, r.NValid)
		u.Slope, u.Intercept = slope, intercept
		u.fill(sc.s, plain, pairs(sc.n), alpha)
		r.Uncorrected = &u
	}
	return r
}

// PreWhitening is the Mann-Kendall test on the pre-whitened series
// x_{k+1} - ρ₁·x_k (Yue & Wang 2002), ρ₁ the lag-1 autocorrelation of the
// valid values. The slope is that of the original series.
func PreWhitening(x []float64, alpha float64) (Result, error) {
	p, err := prepare(x, alpha, 3)
	if err != nil {
		return Result{}, err
	}
	return whitened(x, whiten(p.x), alpha), nil
}

// TrendFreePreWhitening is the Mann-Kendall test after trend-free
// pre-whitening (Yue et al. 2002): the series is detrended with Sen's
// slope, whitened with its lag-1 autocorrelation, and the trend added back.
func TrendFreePreWhitening(x []float64, alpha float64) (Result, error) {
	p, err := prepare(x, alpha, 3)
	if err != nil {
		return Result{}, err
	}
	slope, _ := sensLine(x)
	w := whiten(detrend(p.x, slope))
	for k := range w {
		w[k] += float64(float64(k+1) * slope)
	}
	return whitened(x, w, alpha), nil
}

// whiten returns v_{k+1} - ρ₁·v_k for k = 0..n-2.
func whiten(v []float64) []float64 {
	rho := autocorrelation(v, 1)[1]
	out := make([]float64, len(v)-1)
	for k := range out {
		out[k] = v[k+1] - float64(v[k]*rho)
	}
	return out
}

func whitened(x, w []float64, alpha float64) Result {
	sc := mkScore(w)
	r := newResult(len(x), len(x)-countNaN(x))
	r.fill(sc.s, sc.variance(), pairs(sc.n), alpha)
	r.Slope, r.Intercept = sensLine(x)
	return r
}

func countNaN(x []float64) int {
	n := 0
	for _, v := range x {
		if math.IsNaN(v) {
			n++
		}
	}
	return n
}
