package models

import (
	"math"
	"testing"
)

// TestRoundUnits: GB/T 8170 round half to even, on the value as written
// (32.05 is stored as 32.04999…, and still rounds as a half).
func TestRoundUnits(t *testing.T) {
	tests := []struct {
		v, step float64
		want    float64
	}{
		{32.04, 0.1, 320},
		{32.05, 0.1, 320}, // half, 0 is even: 32.0
		{32.15, 0.1, 322}, // half, 1 is odd: 32.2
		{32.06, 0.1, 321},
		{32.25, 0.1, 322},
		{0.05004, 0.001, 50},
		{0.0505, 0.001, 50},
		{0.0515, 0.001, 52},
		{0.0455, 0.001, 46},
		{-0.0455, 0.001, -46},
		{97.875e8, 1e6, 9788}, // 97.875亿元 to 0.01亿: half, 7 odd → 97.88
		{97.865e8, 1e6, 9786},
		{2.5, 1, 2},
		{3.5, 1, 4},
	}
	for _, tc := range tests {
		if got := RoundUnits(tc.v, tc.step); got != tc.want {
			t.Errorf("RoundUnits(%v, %v) = %v, want %v", tc.v, tc.step, got, tc.want)
		}
	}
	if !math.IsNaN(RoundUnits(math.NaN(), 0.1)) {
		t.Error("RoundUnits(NaN) is not NaN")
	}
	if got := FormatQuantity(32.05, "ug/m3", ""); got != "32.05ug/m3" {
		t.Errorf("FormatQuantity keeps two decimals: %q", got)
	}
	if got := trimDecimal(32.05, 1); got != "32" {
		t.Errorf("trimDecimal(32.05, 1) = %q, want 32 (32.0: printed as compared)", got)
	}
}

// TestReportingStep: the precision comparisons use, by unit.
func TestReportingStep(t *testing.T) {
	tests := []struct {
		ind  Indicator
		ref  float64
		want float64
	}{
		{Indicator{Unit: "ratio", DisplayUnit: "%", Kind: KindRatio}, 0.05, 0.001},
		{Indicator{Unit: "ug/m3", DisplayUnit: "微克/立方米", Kind: KindLevel}, 32, 0.1},
		{Indicator{Unit: "ug/m3", DisplayUnit: "毫克/立方米", Kind: KindLevel}, 4000, 100},
		{Indicator{Unit: "CNY", DisplayUnit: "亿元", Kind: KindFlow}, 1e11, 1e6},
		{Indicator{Unit: "CNY", Kind: KindFlow}, 9.787e9, 1e6},
		{Indicator{Unit: "m2", DisplayUnit: "万平方米", Kind: KindCumulative}, 5e6, 100},
		{Indicator{Unit: "count", DisplayUnit: "座", Kind: KindFlow}, 64, 0.01},
		{Indicator{Unit: "index", DisplayUnit: "指数", Kind: KindLevel}, 100, 1},
		{Indicator{Unit: "class", DisplayUnit: "类", Kind: KindClass}, 3, 1},
	}
	for _, tc := range tests {
		if got := ReportingStep(tc.ind, tc.ref); math.Abs(got-tc.want) > 1e-9*tc.want {
			t.Errorf("ReportingStep(%s/%s) = %v, want %v", tc.ind.Unit, tc.ind.DisplayUnit, got, tc.want)
		}
	}
}

// TestWithinApprox: ±0.5 个百分点 for rates, ±2 % for amounts, bounds
// included.
func TestWithinApprox(t *testing.T) {
	tests := []struct {
		actual, target float64
		rate, want     bool
	}{
		{0.045, 0.05, true, true},
		{0.044, 0.05, true, false},
		{0.055, 0.05, true, true},
		{980e8, 1000e8, false, true},
		{979.9e8, 1000e8, false, false},
		{31.36, 32, false, true},
		{31.3, 32, false, false},
	}
	for _, tc := range tests {
		if got := WithinApprox(tc.actual, tc.target, tc.rate); got != tc.want {
			t.Errorf("WithinApprox(%v, %v, rate %v) = %v, want %v", tc.actual, tc.target, tc.rate, got, tc.want)
		}
	}
}

// TestStatusWords: every status has its words in both languages, distinct
// from its code and from every other status's.
func TestStatusWords(t *testing.T) {
	want := map[Status]string{
		StatusAhead: "超序时", StatusBehind: "落后序时", StatusPaceUnknown: "无法判断序时（无年初数）",
		StatusCompleted: "已完成", StatusBasicallyCompleted: "基本完成", StatusMissed: "未完成",
		StatusMet: "达标", StatusBasicallyMet: "基本达标", StatusNotMet: "未达标",
		StatusNoTarget: "未设定目标", StatusMunicipal: "市级下达", StatusNoData: "暂无数据",
	}
	if len(Statuses) != len(want) {
		t.Fatalf("Statuses has %d members, want %d", len(Statuses), len(want))
	}
	zh, en := map[string]Status{}, map[string]Status{}
	for _, s := range Statuses {
		if s.NameZh() != want[s] {
			t.Errorf("%s.NameZh() = %q, want %q", s, s.NameZh(), want[s])
		}
		if _, ok := statusWords[s]; !ok || s.NameEn() == "" {
			t.Errorf("%s has no English words", s)
		}
		if o, dup := zh[s.NameZh()]; dup {
			t.Errorf("%s and %s share %q", s, o, s.NameZh())
		}
		if o, dup := en[s.NameEn()]; dup {
			t.Errorf("%s and %s share %q", s, o, s.NameEn())
		}
		zh[s.NameZh()], en[s.NameEn()] = s, s
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
	}
	if Status("achieved").Valid() {
		t.Error("achieved is no status any more: 已完成 is completed, 达标 met")
	}
}

// TestProgressStatusText: the words a row shows, mid-year and after the
// close, with a rate target's difference in 个百分点.
func TestProgressStatusText(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		p      Progress
		zh, en string
	}{
		{Progress{Status: StatusAhead, Points: nan}, "超序时", "ahead of schedule"},
		{Progress{Status: StatusMet, Points: nan}, "达标", "met"},
		{Progress{Status: StatusMet, Final: true, Result: ResultCompleted, Points: nan}, "完成", "target met"},
		{Progress{Status: StatusMet, RateTarget: true, Points: 0.004}, "达标（高于目标0.4个百分点）", "met (0.4 pp above target)"},
		{Progress{Status: StatusMet, RateTarget: true, Ceiling: true, Points: -0.008}, "达标（控制在目标以内）", "met (within the target)"},
		{Progress{Status: StatusNotMet, RateTarget: true, Ceiling: true, Points: 0.001}, "未达标（高于目标0.1个百分点）", "not met (0.1 pp above target)"},
		{Progress{Status: StatusBasicallyMet, RateTarget: true, Points: -0.003}, "基本达标（低于目标0.3个百分点）", "basically met (0.3 pp below target)"},
		{Progress{Status: StatusMet, RateTarget: true, Points: 0}, "达标（与目标持平）", "met (on target)"},
		{Progress{Status: StatusBasicallyMet, Final: true, Result: ResultBasicallyCompleted, RateTarget: true, Points: -0.004}, "基本完成（低于目标0.4个百分点）", "target basically met (0.4 pp below target)"},
		{Progress{Status: StatusMissed, Final: true, Result: ResultNotCompleted, RateTarget: true, Ceiling: true, Points: 0.002}, "未完成（高于目标0.2个百分点）", "target not met (0.2 pp above target)"},
		{Progress{Status: StatusPaceUnknown, Points: nan}, "无法判断序时（无年初数）", "pace unknown (no year-start figure)"},
	}
	for _, tc := range tests {
		if got := tc.p.StatusZh(); got != tc.zh {
			t.Errorf("StatusZh(%s) = %q, want %q", tc.p.Status, got, tc.zh)
		}
		if got := tc.p.StatusEn(); got != tc.en {
			t.Errorf("StatusEn(%s) = %q, want %q", tc.p.Status, got, tc.en)
		}
	}
}
