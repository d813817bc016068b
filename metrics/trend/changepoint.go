package trend

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// ChangePoint is the outcome of Pettitt's (1979) test for a single shift in
// level.
type ChangePoint struct {
	// Index is the slot of the first observation after the change. Without
	// missing values it equals R trend::pettitt.test's estimate (the 1-based
	// position of the last observation before the change).
	Index int
	// U is the Mann-Whitney statistic U_k = Σ_{i≤k} Σ_{j>k} sgn(x_i - x_j)
	// at the change: positive when the level drops after it.
	U float64
	// K = max |U_k| is the test statistic.
	K float64
	// P ≈ 2·exp(-6K²/(n³+n²)), capped at 1.
	P     float64
	H     bool // P < alpha
	Trend Direction
	// MeanBefore and MeanAfter are the means of the two segments.
	MeanBefore, MeanAfter float64
	N, NValid             int
}

// Pettitt locates the most probable change point of x (NaN marking missing
// values) with U_k = 2Σ_{i≤k} r_i - k(n+1) over average ranks r, O(n log n).
func Pettitt(x []float64, alpha float64) (ChangePoint, error) {
	p, err := prepare(x, alpha, 3)
	if err != nil {
		return ChangePoint{}, err
	}
	n := len(p.x)
	ranks := averageRanks(p.x)
	var cum, best, bestU float64
	bestK := 1
	for k := 1; k < n; k++ {
		cum += ranks[k-1]
		u := 2*cum - float64(k)*float64(n+1)
		if math.Abs(u) > best {
			best, bestU, bestK = math.Abs(u), u, k
		}
	}
	nf := float64(n)
	cp := ChangePoint{
		Index: int(p.t[bestK]), U: bestU, K: best,
		P: math.Min(1, 2*math.Exp(-6*best*best/(nf*nf*nf+nf*nf))),
		N: len(x), NValid: n,
	}
	cp.H = cp.P < alpha
	cp.Trend = NoTrend
	if cp.H {
		cp.Trend = Increasing
		if bestU > 0 {
			cp.Trend = Decreasing
		}
	}
	cp.MeanBefore = npSum(p.x[:bestK]) / float64(bestK)
	cp.MeanAfter = npSum(p.x[bestK:]) / float64(n-bestK)
	return cp, nil
}

// RankCorrelation is the Spearman rank-correlation trend test of
// 《地表水环境质量评价办法（试行）》(环办〔2011〕22号): the correlation of
// the values' ranks with their time order.
type RankCorrelation struct {
	// Rs is Spearman's r_s, the Pearson correlation of average ranks; it
	// equals 22号's 1 - 6Σd²/(n³-n) when there are no ties.
	Rs float64
	// T = r_s·√((n-2)/(1-r_s²)), Student's t with n-2 degrees of freedom.
	T float64
	P float64 // two-sided
	// Critical is the |r_s| beyond which the trend is significant at
	// alpha (two-sided, from the t distribution).
	Critical float64
	H        bool
	Trend    Direction
	N        int
	NValid   int
	// Verdict22 is the verdict of 22号 from its W_p table at alpha, reported
	// beside the t-test's: at N = 10 the table needs |r_s| ≥ .564, the
	// two-sided t-test .632.
	Verdict22 Verdict22
}

// Spearman tests x (NaN marking missing values) for a monotonic trend by
// rank correlation with time. A constant series has r_s = 0 and P = 1.
func Spearman(x []float64, alpha float64) (RankCorrelation, error) {
	p, err := prepare(x, alpha, 3)
	if err != nil {
		return RankCorrelation{}, err
	}
	n := len(p.x)
	rc := RankCorrelation{N: len(x), NValid: n, Rs: rankCorrelation(averageRanks(p.x))}
	df := float64(n - 2)
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	tc := dist.Quantile(1 - alpha/2)
	rc.Critical = tc / math.Sqrt(df+tc*tc)
	switch {
	case math.Abs(rc.Rs) >= 1:
		rc.T, rc.P = math.Copysign(math.Inf(1), rc.Rs), 0
	default:
		rc.T = rc.Rs * math.Sqrt(df/(1-rc.Rs*rc.Rs))
		rc.P = 2 * dist.Survival(math.Abs(rc.T))
	}
	rc.H = rc.P < alpha
	rc.Trend = NoTrend
	if rc.H {
		rc.Trend = Increasing
		if rc.Rs < 0 {
			rc.Trend = Decreasing
		}
	}
	rc.Verdict22 = Judge22(rc.Rs, n, alpha)
	return rc, nil
}

// rankCorrelation is the Pearson correlation between ranks and time order
// 1..n; zero when the ranks do not vary.
func rankCorrelation(ranks []float64) float64 {
	n := float64(len(ranks))
	mean := (n + 1) / 2
	var sxy, syy, sxx float64
	for i, r := range ranks {
		dx := float64(i+1) - mean
		dy := r - mean
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}
