package trend

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// ErrSingular is returned when a regression design has dependent columns,
// e.g. all observations at one time.
var ErrSingular = errors.New("regression design is singular")

// linearModel is a least-squares problem y ≈ Xθ with the pieces needed for
// standard errors and prediction intervals.
type linearModel struct {
	x     *mat.Dense
	y     []float64
	theta []float64
	inv   *mat.SymDense // (XᵀX)⁻¹
	s2    float64       // residual variance SSE/df
	sse   float64
	df    int
}

// newLinearModel prepares X (rows × p) and y; θ is then set by fitOLS or
// by the caller (for robust fits whose uncertainty is approximated by the
// least-squares one).
func newLinearModel(x *mat.Dense, y []float64) (*linearModel, error) {
	n, p := x.Dims()
	if n <= p {
		return nil, tooFew(n, p+1, "observations for the regression")
	}
	var xtx mat.SymDense
	xtx.SymOuterK(1, x.T())
	var ch mat.Cholesky
	if !ch.Factorize(&xtx) {
		return nil, ErrSingular
	}
	inv := mat.NewSymDense(p, nil)
	if err := ch.InverseTo(inv); err != nil {
		return nil, fmt.Errorf("invert normal equations: %w", err)
	}
	return &linearModel{x: x, y: y, inv: inv, df: n - p}, nil
}

// fitOLS solves the least-squares problem by QR.
func (m *linearModel) fitOLS() error {
	var qr mat.QR
	qr.Factorize(m.x)
	var theta mat.Dense
	if err := qr.SolveTo(&theta, false, mat.NewDense(len(m.y), 1, m.y)); err != nil {
		return fmt.Errorf("least squares: %w", err)
	}
	m.setTheta(mat.Col(nil, 0, &theta))
	return nil
}

// setTheta fixes the coefficients and the residual variance they imply.
func (m *linearModel) setTheta(theta []float64) {
	m.theta = theta
	var sse float64
	for i, y := range m.y {
		r := y - m.predict(m.x.RawRowView(i))
		sse += r * r
	}
	m.sse = sse
	m.s2 = sse / float64(m.df)
}

func (m *linearModel) predict(row []float64) float64 {
	var v float64
	for j, c := range row {
		v += c * m.theta[j]
	}
	return v
}

// leverage is rowᵀ(XᵀX)⁻¹row: the variance of the fitted value at row in
// units of the residual variance.
func (m *linearModel) leverage(row []float64) float64 {
	r := mat.NewVecDense(len(row), row)
	return mat.Inner(r, m.inv, r)
}

// Fit is an ordinary least-squares line through a series against its slot
// positions.
type Fit struct {
	Intercept, Slope     float64 // value at slot 0, change per slot
	InterceptSE, SlopeSE float64 // standard errors
	ResidualSE           float64 // √(SSE/(n-2))
	R2                   float64 // coefficient of determination; NaN for a constant series
	T, P                 float64 // t statistic of the slope and its two-sided p
	H                    bool    // P < alpha
	Trend                Direction
	N, NValid, DF        int
	model                *linearModel
	meanT                float64
}

// OLS fits x (NaN marking missing values) against slot position by least
// squares (gonum QR), testing the slope with Student's t at alpha.
func OLS(x []float64, alpha float64) (Fit, error) {
	p, err := prepare(x, alpha, 3)
	if err != nil {
		return Fit{}, err
	}
	n := len(p.x)
	meanT := npSum(p.t) / float64(n)
	design := mat.NewDense(n, 2, nil)
	for i, t := range p.t {
		// Centring keeps the normal equations well conditioned for long
		// series.
		design.Set(i, 0, 1)
		design.Set(i, 1, t-meanT)
	}
	m, err := newLinearModel(design, p.x)
	if err != nil {
		return Fit{}, fmt.Errorf("ols: %w", err)
	}
	if err := m.fitOLS(); err != nil {
		return Fit{}, err
	}
	f := Fit{N: len(x), NValid: n, DF: m.df, model: m, meanT: meanT}
	f.Slope = m.theta[1]
	f.Intercept = m.theta[0] - f.Slope*meanT
	f.ResidualSE = math.Sqrt(m.s2)
	f.SlopeSE = math.Sqrt(m.s2 * m.inv.At(1, 1))
	f.InterceptSE = math.Sqrt(m.s2 * m.leverage([]float64{1, -meanT}))
	f.R2 = rSquared(p.x, m.sse)
	f.T, f.P = slopeTest(f.Slope, f.SlopeSE, m.df)
	f.H = f.P < alpha
	f.Trend = NoTrend
	if f.H {
		f.Trend = Increasing
		if f.Slope < 0 {
			f.Trend = Decreasing
		}
	}
	return f, nil
}

// rSquared is 1 - SSE/SST, NaN when the values do not vary.
func rSquared(y []float64, sse float64) float64 {
	mean := npSum(y) / float64(len(y))
	var sst float64
	for _, v := range y {
		sst += (v - mean) * (v - mean)
	}
	if sst == 0 {
		return math.NaN()
	}
	return 1 - sse/sst
}

// slopeTest returns t = slope/se and its two-sided p with df degrees of
// freedom; a perfect fit has p 0 (or 1 for a zero slope).
func slopeTest(slope, se float64, df int) (t, p float64) {
	if se == 0 {
		if slope == 0 {
			return 0, 1
		}
		return math.Copysign(math.Inf(1), slope), 0
	}
	t = slope / se
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}
	return t, 2 * dist.Survival(math.Abs(t))
}

// Predict returns the fitted value at slot t with its prediction interval
// for a new observation at level 1-alpha.
func (f Fit) Predict(t, alpha float64) (y, lower, upper float64) {
	if f.model == nil || checkAlpha(alpha) != nil {
		return math.NaN(), math.NaN(), math.NaN()
	}
	row := []float64{1, t - f.meanT}
	y = f.model.predict(row)
	half := tQuantile(1-alpha/2, f.DF) * f.ResidualSE * math.Sqrt(1+f.model.leverage(row))
	return y, y - half, y + half
}

// tQuantile is the p-quantile of Student's t with df degrees of freedom.
func tQuantile(p float64, df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(p)
}
