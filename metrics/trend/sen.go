package trend

import (
	"math"
	"math/rand/v2"
)

// SenSlope is a Theil-Sen slope estimate with its Kendall-Theil robust
// line and Gilbert's (1987) rank confidence interval.
type SenSlope struct {
	// Slope is the median of the pairwise slopes, per time step (per
	// cycle for the seasonal estimator). With an even number of slopes it
	// is the mean of the two middle ones.
	Slope float64
	// Intercept is Conover's: median(x) - median(t)·Slope.
	Intercept float64
	// Lower and Upper bound the slope at the requested alpha.
	Lower, Upper float64
	// Pairs is the number of pairwise slopes.
	Pairs int64
}

// median returns the median of the slope set, NaN when it is empty.
func (s *slopeSet) median() float64 {
	n := s.total
	switch {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		return s.Select((n + 1) / 2)[0]
	}
	v := s.Select(n/2, n/2+1)
	return (v[0] + v[1]) / 2
}

// interval returns Gilbert's confidence bounds for the slope: with
// C = z_{1-α/2}·√var(S) and N slopes, the slopes of 1-based ranks
// round((N-C)/2) and round((N+C)/2)+1, rounding half to even as R's
// trend::sens.slope and scipy's theilslopes do.
func (s *slopeSet) interval(varS, alpha float64) (lo, hi float64) {
	n := s.total
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	c := normalQuantile(1-alpha/2) * math.Sqrt(varS)
	kl := int64(math.RoundToEven((float64(n) - c) / 2))
	ku := int64(math.RoundToEven((float64(n)+c)/2)) + 1
	kl = min(max(kl, 1), n)
	ku = min(max(ku, 1), n)
	v := s.Select(kl, ku)
	if kl == ku {
		return v[0], v[0]
	}
	return v[0], v[1]
}

// seriesPoints compacts x to its valid values, keeping their positions.
func seriesPoints(x []float64) points {
	n := len(x) - countNaN(x)
	p := points{t: make([]float64, 0, n), x: make([]float64, 0, n)}
	for i, v := range x {
		if !math.IsNaN(v) {
			p.t = append(p.t, float64(i))
			p.x = append(p.x, v)
		}
	}
	return p
}

// matrixPoints turns the columns of a row-major matrix with c columns into
// groups whose time is the row index.
func matrixPoints(x []float64, c int) []points {
	groups := make([]points, c)
	for i, v := range x {
		if !math.IsNaN(v) {
			g := &groups[i%c]
			g.t = append(g.t, float64(i/c))
			g.x = append(g.x, v)
		}
	}
	return groups
}

// median returns the median of a (reordered), NaN when a is empty.
func median(a []float64) float64 {
	n := len(a)
	if n == 0 {
		return math.NaN()
	}
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	k := n / 2
	if n%2 == 1 {
		v, _ := selectTwo(a, k, k, rng)
		return v
	}
	lower, upper := selectTwo(a, k-1, k, rng)
	return (lower + upper) / 2
}

// sortedMedian is the median of an ascending slice (slot positions).
func sortedMedian(t []float64) float64 {
	n := len(t)
	switch {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		return t[n/2]
	}
	return (t[n/2-1] + t[n/2]) / 2
}

// sensLine returns the Theil-Sen slope of x over its original positions and
// Conover's intercept, as pyMannKendall's sens_slope.
func sensLine(x []float64) (slope, intercept float64) {
	p := seriesPoints(x)
	slope = sensSlope(p)
	return slope, conover(p.x, p.t, 1, slope)
}

// sensSlope is the median of the pairwise slopes of p.
func sensSlope(p points) float64 {
	set := newSlopeSet([]points{p})
	slope := set.median()
	set.release()
	return slope
}

// conover is median(x) - median(t)/unit·slope (t ascending), with the
// operations in
// pyMannKendall's order.
func conover(x, t []float64, unit int, slope float64) float64 {
	mx := median(append([]float64(nil), x...))
	mt := sortedMedian(t)
	if unit == 1 {
		return mx - mt*slope
	}
	return mx - mt/float64(unit)*slope
}

// flatPositions returns the row-major positions of the valid values of a
// matrix stored flat, and the values themselves.
func flatPositions(x []float64) (t, v []float64) {
	for i, e := range x {
		if !math.IsNaN(e) {
			t = append(t, float64(i))
			v = append(v, e)
		}
	}
	return t, v
}

// Sens returns the Theil-Sen slope of x per time step, NaN marking missing
// values that keep their slot, with the confidence interval at alpha.
func Sens(x []float64, alpha float64) (SenSlope, error) {
	if err := checkSeries(x, 2); err != nil {
		return SenSlope{}, err
	}
	if err := checkAlpha(alpha); err != nil {
		return SenSlope{}, err
	}
	p := seriesPoints(x)
	set := newSlopeSet([]points{p})
	out := SenSlope{Slope: set.median(), Pairs: set.total}
	out.Intercept = conover(p.x, p.t, 1, out.Slope)
	out.Lower, out.Upper = set.interval(mkScore(p.x).variance(), alpha)
	set.release()
	return out, nil
}

// SeasonalSens returns the seasonal Theil-Sen slope (Hirsch, Slack & Smith
// 1982) of x, one value per slot with period slots per cycle: the median of
// all slopes between values of the same season, per cycle. The intercept
// takes one cycle as its time unit. The interval uses the seasonal var(S).
func SeasonalSens(x []float64, period int, alpha float64) (SenSlope, error) {
	if err := checkSeries(x, 2); err != nil {
		return SenSlope{}, err
	}
	if err := checkAlpha(alpha); err != nil {
		return SenSlope{}, err
	}
	if err := checkPeriod(period); err != nil {
		return SenSlope{}, err
	}
	groups := matrixPoints(x, period)
	return matrixSens(groups, x, period, alpha, seasonalVariance(groups))
}

// matrixSens is the Sen estimate over the groups of a flat matrix with c
// columns.
func matrixSens(groups []points, flat []float64, c int, alpha, varS float64) (SenSlope, error) {
	out, set, err := matrixLine(groups, flat, c)
	if err != nil {
		return SenSlope{}, err
	}
	out.Lower, out.Upper = set.interval(varS, alpha)
	set.release()
	return out, nil
}

// matrixLine is matrixSens without the interval.
func matrixLine(groups []points, flat []float64, c int) (SenSlope, *slopeSet, error) {
	set := newSlopeSet(groups)
	if set.total == 0 {
		return SenSlope{}, nil, tooFew(0, 2, "values in one season")
	}
	out := SenSlope{Slope: set.median(), Pairs: set.total}
	t, v := flatPositions(flat)
	out.Intercept = conover(v, t, c, out.Slope)
	return out, set, nil
}

// seasonalVariance sums var(S) over the groups.
func seasonalVariance(groups []points) float64 {
	var v float64
	for _, g := range groups {
		v += mkScore(g.x).variance()
	}
	return v
}
