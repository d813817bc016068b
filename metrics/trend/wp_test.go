package trend

import (
	"math"
	"testing"
)

func TestCriticalWpRows(t *testing.T) {
	tests := []struct {
		n      int
		alpha  float64
		want   float64
		source string
	}{
		{5, .05, .900, WpTable},
		{6, .05, .829, WpTable},
		{10, .05, .564, WpTable},
		{10, .01, .746, WpTable},
		{11, .05, .564, WpTable}, // between rows: the next lower row
		{13, .05, .506, WpTable},
		{29, .01, .448, WpTable},
		{30, .05, .306, WpTable},
	}
	for _, tt := range tests {
		got, src, ok := CriticalWp(tt.n, tt.alpha)
		if !ok || got != tt.want || src != tt.source {
			t.Errorf("CriticalWp(%d, %v) = %v %s %v; want %v %s", tt.n, tt.alpha, got, src, ok, tt.want, tt.source)
		}
	}
	if _, _, ok := CriticalWp(4, .05); ok {
		t.Errorf("N = 4 has a W_p")
	}
	// Beyond 30: the t approximation at two-sided .10, a little below the
	// N = 30 row.
	if got, src, _ := CriticalWp(40, .05); src != WpTApprox || got >= .306 || got < .25 {
		t.Errorf("CriticalWp(40) = %v %s", got, src)
	}
}

// TestJudge22AtTheCriticalValue walks every row and column: Σd² is even
// for a permutation, so r_s = 1 − 6D/(N³−N) steps in D by 2. The largest D
// whose rounded r_s still reaches W_p is significant, the next is not.
func TestJudge22AtTheCriticalValue(t *testing.T) {
	for _, row := range wpTable {
		for _, alpha := range []float64{.05, .01} {
			wp, _, _ := CriticalWp(row.n, alpha)
			n := float64(row.n)
			rs := func(d float64) float64 { return 1 - 6*d/(n*n*n-n) }
			d := 0.0
			for roundTo3(rs(d+2)) >= wp {
				d += 2
			}
			if v := Judge22(rs(d), row.n, alpha); !v.Significant || v.Trend != Increasing {
				t.Errorf("N=%d α=%v: r_s %.5f (rounded %.3f) against %.3f not significant", row.n, alpha, rs(d), v.RsRounded, wp)
			}
			if v := Judge22(-rs(d), row.n, alpha); !v.Significant || v.Trend != Decreasing {
				t.Errorf("N=%d α=%v: r_s %.5f not a significant decrease", row.n, alpha, -rs(d))
			}
			if v := Judge22(rs(d+2), row.n, alpha); v.Significant || v.Trend != NoTrend {
				t.Errorf("N=%d α=%v: r_s %.5f (rounded %.3f) against %.3f significant", row.n, alpha, rs(d+2), v.RsRounded, wp)
			}
		}
	}
}

func TestSpearman22AgainstTTest(t *testing.T) {
	tests := []struct {
		name      string
		x         []float64
		rs        float64
		h22, hT   bool
		wp, tCrit float64
	}{
		// N = 10, Σd² = 72 (ranks 7 and 1 swapped): r_s = .56364, rounded
		// .564 = W_p, so 22号 says 显著上升; the t-test needs .632.
		{"N=10 at .564", []float64{7, 2, 3, 4, 5, 6, 1, 8, 9, 10}, 1 - 6*72.0/990, true, false, .564, .632},
		// Σd² = 74: .55152 < .564.
		{"N=10 below", []float64{7, 2, 3, 4, 5, 6, 1, 8, 10, 9}, 1 - 6*74.0/990, false, false, .564, .632},
		// N = 6, Σd² = 6: r_s = 29/35 = .828571 → .829 = W_p. Unrounded it
		// would miss exactly the critical case. (At N = 6 the t-test's .811
		// happens to be lower than the table.)
		{"N=6 at .829", []float64{2, 1, 4, 3, 6, 5}, 29.0 / 35, true, true, .829, .811},
		// Σd² = 8: .77143 → .771 < .829.
		{"N=6 below", []float64{3, 2, 1, 4, 5, 6}, 1 - 6*8.0/210, false, false, .829, .811},
		{"N=6 perfect", []float64{1, 2, 3, 4, 5, 6}, 1, true, true, .829, .811},
	}
	for _, tt := range tests {
		rc, err := Spearman(tt.x, .05)
		if err != nil {
			t.Fatal(err)
		}
		v := rc.Verdict22
		if math.Abs(v.Rs-tt.rs) > 1e-12 || v.Significant != tt.h22 || rc.H != tt.hT || v.Wp != tt.wp || math.Abs(rc.Critical-tt.tCrit) > 5e-4 {
			t.Errorf("%s: r_s %v (22号 %v) h22 %v (W_p %v), t-test h %v (critical %.4f); want r_s %v h22 %v hT %v W_p %v critical %v",
				tt.name, rc.Rs, v.Rs, v.Significant, v.Wp, rc.H, rc.Critical, tt.rs, tt.h22, tt.hT, tt.wp, tt.tCrit)
		}
	}
}

func TestSpearman22ConstantAndTies(t *testing.T) {
	// A constant series is no trend under 22号 too, at any N.
	flat := make([]float64, 20)
	for i := range flat {
		flat[i] = 5
	}
	if rc, err := Spearman(flat, .05); err != nil || rc.Verdict22.Significant || rc.Verdict22.Trend != NoTrend {
		t.Errorf("constant: %+v %v", rc.Verdict22, err)
	}
}

func TestSpearmanReportCarries22(t *testing.T) {
	rep, err := Analyze(Series{Values: []float64{7, 2, 3, 4, 5, 6, 1, 8, 9, 10}}, Options{Method: "spearman", Alpha: .05})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Wp == nil || float64(*rep.Wp) != .564 || rep.H22 == nil || !*rep.H22 || rep.Trend22 != Increasing || rep.H || rep.WpSource != WpTable {
		t.Errorf("report: %+v", rep)
	}
	rep, err = Analyze(Series{Values: []float64{3, 1, 2, 4}}, Options{Method: "spearman", Alpha: .05})
	if err != nil || rep.Wp != nil || rep.H22 != nil {
		t.Errorf("N = 4: %+v %v; want no 22号 verdict", rep, err)
	}
}
