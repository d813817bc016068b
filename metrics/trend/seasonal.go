package trend

import (
	"fmt"
	"math"
)

// pad extends a series with NaN to whole cycles of period slots, giving the
// row-major cycles × period matrix pyMannKendall tests.
func pad(x []float64, period int) []float64 {
	rem := len(x) % period
	if rem == 0 {
		return x
	}
	out := make([]float64, len(x)+period-rem)
	copy(out, x)
	for i := len(x); i < len(out); i++ {
		out[i] = math.NaN()
	}
	return out
}

// Seasonal is the seasonal Kendall test (Hirsch, Slack & Smith 1982) on x,
// one value per slot, period slots per cycle (12 for monthly data): S and
// var(S) are summed over seasons, each season compared only with itself.
// Slope is the seasonal Sen slope per cycle.
func Seasonal(x []float64, period int, alpha float64) (Result, error) {
	if err := checkPeriod(period); err != nil {
		return Result{}, err
	}
	if _, err := prepare(x, alpha, 2); err != nil {
		return Result{}, err
	}
	m := pad(x, period)
	r, err := multivariate(matrixPoints(m, period), m, period, alpha)
	if err != nil {
		return Result{}, err
	}
	r.N = len(x)
	return r, nil
}

// Regional is the regional Kendall test (Helsel & Frans 2006): rows are
// time steps, columns sites; S and var(S) are summed over sites, and the
// slope is the median of all within-site slopes per time step.
func Regional(rows [][]float64, alpha float64) (Result, error) {
	flat, c, err := flatten(rows)
	if err != nil {
		return Result{}, err
	}
	if _, err := prepare(flat, alpha, 2); err != nil {
		return Result{}, err
	}
	r, err := multivariate(matrixPoints(flat, c), flat, c, alpha)
	if err != nil {
		return Result{}, err
	}
	r.N = len(rows)
	return r, nil
}

// flatten checks that all rows have the same length and returns them
// row-major.
func flatten(rows [][]float64) ([]float64, int, error) {
	if len(rows) == 0 {
		return nil, 0, tooFew(0, 2, "rows")
	}
	c := len(rows[0])
	if c == 0 {
		return nil, 0, fmt.Errorf("row 0 is empty: %w", ErrShape)
	}
	flat := make([]float64, 0, len(rows)*c)
	for i, row := range rows {
		if len(row) != c {
			return nil, 0, fmt.Errorf("row %d has %d values, row 0 has %d: %w", i, len(row), c, ErrShape)
		}
		flat = append(flat, row...)
	}
	return flat, c, nil
}

// multivariate is pyMannKendall's multivariate test on the columns of a
// flat matrix: per-column S and var(S) over the column's valid values,
// summed; Tau over the summed pair counts; continuity-corrected z.
func multivariate(groups []points, flat []float64, c int, alpha float64) (Result, error) {
	var s, varS, denom float64
	valid := 0
	for _, g := range groups {
		sc := mkScore(g.x)
		s += sc.s
		varS += sc.variance()
		denom += pairs(sc.n)
		valid += sc.n
	}
	if denom == 0 {
		return Result{}, tooFew(0, 2, "values in any season or site")
	}
	r := newResult(0, valid)
	r.fill(s, varS, denom, alpha)
	sen, _, err := matrixLine(groups, flat, c)
	if err != nil {
		return Result{}, err
	}
	r.Slope, r.Intercept = sen.Slope, sen.Intercept
	return r, nil
}

// CorrelatedSeasonal is the seasonal Kendall test with the covariance
// between seasons (Hipel & McLeod 1994, eq. 23.3.21): cycles with any
// missing value are dropped (listwise, including a partial last cycle),
// var(S) = Σ_ij Γ_ij with Γ_ij = (K_ij + 4Σ R_i R_j - n(n+1)²)/3, and
// z = S/√var(S) without continuity correction. Slope and intercept are
// those of the seasonal Sen estimator on all values.
func CorrelatedSeasonal(x []float64, period int, alpha float64) (Result, error) {
	if err := checkPeriod(period); err != nil {
		return Result{}, err
	}
	if _, err := prepare(x, alpha, 2); err != nil {
		return Result{}, err
	}
	m := pad(x, period)
	cols := completeCycles(m, period)
	n := len(cols[0])
	if n < 2 {
		return Result{}, tooFew(n, 2, "complete cycles")
	}
	var s, denom float64
	for _, col := range cols {
		s += mkScore(col).s
		denom += pairs(n)
	}
	varS := npSum(gamma(cols))
	r := newResult(len(x), len(x)-countNaN(x))
	r.S, r.VarS, r.Tau = s, varS, s/denom
	r.Z = s / math.Sqrt(varS)
	r.P, r.H, r.Trend = verdict(r.Z, alpha)
	groups := matrixPoints(m, period)
	sen, _, err := matrixLine(groups, m, period)
	if err != nil {
		return Result{}, err
	}
	r.Slope, r.Intercept = sen.Slope, sen.Intercept
	return r, nil
}

// completeCycles returns the seasons (columns) restricted to the cycles
// (rows) without missing values.
func completeCycles(m []float64, period int) [][]float64 {
	cols := make([][]float64, period)
	for row := 0; row+period <= len(m); row += period {
		cycle := m[row : row+period]
		if countNaN(cycle) > 0 {
			continue
		}
		for j, v := range cycle {
			cols[j] = append(cols[j], v)
		}
	}
	return cols
}

// gamma returns the covariance matrix of the seasonal scores, row-major.
func gamma(cols [][]float64) []float64 {
	c := len(cols)
	n := float64(len(cols[0]))
	ranks := make([][]float64, c)
	for i, col := range cols {
		ranks[i] = averageRanks(col)
	}
	g := make([]float64, c*c)
	for i := range c {
		for j := 0; j <= i; j++ {
			prod := make([]float64, len(ranks[i]))
			for k := range prod {
				prod[k] = ranks[i][k] * ranks[j][k]
			}
			v := (kendallK(cols[i], cols[j]) + 4*npSum(prod) - n*(n+1)*(n+1)) / 3
			g[i*c+j], g[j*c+i] = v, v
		}
	}
	return g
}
