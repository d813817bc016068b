package trend

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// wpRow is one row of the W_p table: the critical |r_s| at .05 and .01.
type wpRow struct {
	n        int
	p05, p01 float64
}

// wpTable is the W_p table 环办〔2011〕22号 and HJ 663-2013 附录B judge a
// Spearman trend with: Siegel (1956) Table P after Olds, one-tailed
// critical values (the .05 column is two-tailed .10). Rows N = 5 … 10, then
// even N to 30 (docs/trends.md, "22号 Spearman parity").
var wpTable = []wpRow{
	{5, .900, 1.000}, {6, .829, .943}, {7, .714, .893}, {8, .643, .833}, {9, .600, .783},
	{10, .564, .746}, {12, .506, .712}, {14, .456, .645}, {16, .425, .601}, {18, .399, .564},
	{20, .377, .534}, {22, .359, .508}, {24, .343, .485}, {26, .329, .465}, {28, .317, .448},
	{30, .306, .432},
}

// Sources of a W_p value.
const (
	WpTable   = "table"           // a row of the table
	WpTApprox = "t_approximation" // beyond N = 30, or α other than .05 and .01
)

// A Verdict22 is the 22号 judgement of a Spearman r_s.
type Verdict22 struct {
	// Rs is the r_s judged: the rank correlation, which is 22号's
	// 1 − 6Σd²/(N³−N) without ties; with ties that formula would give a
	// constant series 0.5 (a 显著上升 from N = 14), the correlation 0.
	Rs float64
	// Wp is the critical value; Source says where it came from. Known is
	// false below N = 5, where the table has no row.
	Wp     float64
	Source string
	Known  bool
	// RsRounded is |r_s| rounded to 3 decimals, the value compared: the
	// table's values are rounded (29/35 = .82857 prints .829), so an
	// unrounded r_s would miss exactly the critical case.
	RsRounded float64
	// Significant is RsRounded ≥ Wp; Trend is 上升 (increasing) for r_s > 0,
	// 下降 (decreasing) for r_s < 0, else 无显著变化 (no trend).
	Significant bool
	Trend       Direction
}

// CriticalWp returns the W_p of n values at alpha: the table row of n, or
// of the next lower tabled n (so N = 11 uses N = 10); beyond N = 30, or for
// an alpha other than .05 and .01, the t approximation at one-tailed alpha
// (two-sided 2α). ok is false for n < 5.
func CriticalWp(n int, alpha float64) (wp float64, source string, ok bool) {
	if n < wpTable[0].n {
		return 0, "", false
	}
	column := func(r wpRow) (float64, bool) {
		switch alpha {
		case .05:
			return r.p05, true
		case .01:
			return r.p01, true
		}
		return 0, false
	}
	if n <= wpTable[len(wpTable)-1].n {
		i := sort.Search(len(wpTable), func(i int) bool { return wpTable[i].n > n }) - 1
		if v, ok := column(wpTable[i]); ok {
			return v, WpTable, true
		}
	}
	df := float64(n - 2)
	tc := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(1 - alpha)
	return tc / math.Sqrt(df+tc*tc), WpTApprox, true
}

// Judge22 judges r_s of n values as 22号 does.
func Judge22(rs float64, n int, alpha float64) Verdict22 {
	v := Verdict22{Rs: rs, Trend: NoTrend, RsRounded: roundTo3(math.Abs(rs))}
	v.Wp, v.Source, v.Known = CriticalWp(n, alpha)
	if !v.Known || math.IsNaN(rs) {
		v.Known = false
		return v
	}
	v.Significant = v.RsRounded >= v.Wp
	if v.Significant {
		v.Trend = Increasing
		if rs < 0 {
			v.Trend = Decreasing
		}
	}
	return v
}

// roundTo3 rounds half away from zero to 3 decimals, after dropping float
// noise: .5635 is a half and rounds to .564.
func roundTo3(x float64) float64 {
	return math.Round(math.Round(x*1e3*1e6)/1e6) / 1e3
}
