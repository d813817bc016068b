package report

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// TestGoldenDemoLike pins the Markdown of the demo-like fixture's May
// report, zh and en: the texts of the 大气 assessment, targets, trends
// with the 22号 verdict, water names and precisions.
// Regenerate with go test ./report -run TestGolden -update.
func TestGoldenDemoLike(t *testing.T) {
	for _, lang := range []Lang{LangZh, LangEn} {
		t.Run(string(lang), func(t *testing.T) {
			rep := buildDemoLikeFixture(t, Month{2024, time.May}, lang)
			var buf bytes.Buffer
			if err := WriteMarkdown(&buf, rep); err != nil {
				t.Fatal(err)
			}
			compareGolden(t, filepath.Join("testdata", BaseName(Month{2024, time.May}, lang)+"-demo-like.md"), buf.Bytes())
		})
	}
}

func TestSlopeText(t *testing.T) {
	amount := Row{Unit: "tCO2", DisplayUnit: "吨二氧化碳", Kind: models.KindFlow}
	share := Row{Unit: "ratio", DisplayUnit: "%", Kind: models.KindRatio, ChangeInPoints: true}
	tests := []struct {
		name string
		v    float64
		row  Row
		lang Lang
		want string
	}{
		{"amount up", 600, amount, LangZh, "+600吨二氧化碳"},
		{"amount down", -1.25, amount, LangZh, "−1.25吨二氧化碳"},
		{"amount zero", 0, amount, LangZh, "持平"},
		{"amount below the shown precision", 0.001, amount, LangZh, "持平"},
		{"points up", 0.015, share, LangZh, "+1.5个百分点"},
		{"points down", -0.015, share, LangEn, "−1.5 pp"},
		{"points zero", 0, share, LangZh, "持平"},
		{"points rounding to zero", 0.0004, share, LangZh, "持平"},
		{"points zero en", 0, share, LangEn, "flat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := slopeText(Num(tt.v), tt.row, tt.lang); got != tt.want {
				t.Errorf("slopeText(%v) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}

// TestTrendTextZeroSlope: 持平 without a trend; a significant trend whose
// Sen slope is zero (integer data) writes the zero, not 持平.
func TestTrendTextZeroSlope(t *testing.T) {
	row := Row{Unit: "count", DisplayUnit: "条", Kind: models.KindFlow}
	l := labelsFor(LangZh)
	flat := trendText(Trend{Method: "mann-kendall", Direction: "no trend", SlopePerYear: 0, P: 0.3, Rs: NaN(), Wp: NaN()}, row, LangZh, l)
	if !strings.HasPrefix(flat, "→ 持平（不显著") {
		t.Errorf("no trend, zero slope: %q", flat)
	}
	up := trendText(Trend{Method: "mann-kendall", Direction: "increasing", SlopePerYear: 0, P: 0.04, Significant: true, Rs: NaN(), Wp: NaN()}, row, LangZh, l)
	if !strings.HasPrefix(up, "↑ 0条/年（显著") {
		t.Errorf("increasing, zero slope: %q", up)
	}
}

func TestSpearman22Text(t *testing.T) {
	tests := []struct {
		tr   Trend
		lang Lang
		want string
	}{
		{Trend{Spearman22: "increasing", Rs: 0.714, Wp: 0.643}, LangZh, "22号：显著上升（r_s=0.714，W_p=0.643）"},
		{Trend{Spearman22: "decreasing", Rs: -0.8, Wp: 0.564}, LangZh, "22号：显著下降（r_s=−0.800，W_p=0.564）"},
		{Trend{Spearman22: "no trend", Rs: 0.5, Wp: 0.564}, LangZh, "22号：无显著变化（r_s=0.500，W_p=0.564）"},
		{Trend{Spearman22: "increasing", Rs: 0.9, Wp: 0.9}, LangEn, "No. 22: significant increase (r_s=0.900, W_p=0.900)"},
		{Trend{Rs: NaN(), Wp: NaN()}, LangZh, ""},
	}
	for _, tt := range tests {
		if got := spearman22Text(tt.tr, tt.lang); got != tt.want {
			t.Errorf("spearman22Text(%+v) = %q, want %q", tt.tr, got, tt.want)
		}
	}
}

func TestTargetLabel(t *testing.T) {
	budget := Row{Code: "general_budget_revenue", Unit: "CNY", DisplayUnit: "亿元", Kind: models.KindFlow, Target: Num(9_787_440_000)}
	invest := Row{Code: "fixed_asset_investment", Unit: "CNY", DisplayUnit: "亿元", Kind: models.KindFlow, Target: Num(1e11)}
	tests := []struct {
		name string
		t    models.Target
		row  Row
		lang Lang
		want string
	}{
		{"growth as amount and rate", models.Target{Kind: models.TargetGrowth, Value: 0.04, Text: "4%"}, budget, LangZh, "97.87亿元（增长4%）"},
		{"growth en", models.Target{Kind: models.TargetGrowth, Value: 0.04, Text: "4%"}, budget, LangEn, "9.79 billion yuan (+4%)"},
		{"growth unresolved", models.Target{Kind: models.TargetGrowth, Value: 0.04, Text: "4%"}, Row{Unit: "CNY", DisplayUnit: "亿元", Target: NaN()}, LangZh, "增长4%"},
		{"amount in words", models.Target{Kind: models.TargetAbsolute, Value: 1e11, Qualifier: models.QualifierApprox, Text: "千亿元"}, invest, LangZh, "1000亿元左右"},
		{"amount in words, exact", models.Target{Kind: models.TargetAbsolute, Value: 1e11, Qualifier: models.QualifierExact, Text: "千亿元"}, invest, LangZh, "1000亿元"},
		{"text with digits stays", models.Target{Kind: models.TargetAbsolute, Value: 1.3e6, Qualifier: models.QualifierAtLeast, Text: "130万平方米以上"}, Row{Unit: "m2", DisplayUnit: "万平方米", Target: Num(1.3e6)}, LangZh, ""},
		{"demo plan", models.Target{Kind: models.TargetGrowth, Value: 0.04, Plan: models.Origin{Demo: true}}, budget, LangZh, "97.87亿元（增长4%）（演示）"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := targetLabel(tt.t, tt.row, tt.lang); got != tt.want {
				t.Errorf("targetLabel = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCellPrecision: each indicator at its reporting precision, the air
// statistics rounded by models/air (GB/T 8170, half to even).
func TestCellPrecision(t *testing.T) {
	tests := []struct {
		row  Row
		v    float64
		lang Lang
		want string
	}{
		{Row{Code: "pm25_annual_mean", Unit: "ug/m3", DisplayUnit: "微克/立方米", Kind: models.KindLevel}, 32.04, LangZh, "32.0微克/立方米"},
		{Row{Code: "pm25_year_mean", Unit: "ug/m3", DisplayUnit: "微克/立方米", Kind: models.KindLevel}, 32.05, LangZh, "32.0微克/立方米"},
		{Row{Code: "pm25_year_mean", Unit: "ug/m3", DisplayUnit: "微克/立方米", Kind: models.KindLevel}, 32.06, LangZh, "32.1微克/立方米"},
		{Row{Code: "pm10_year_mean", Unit: "ug/m3", DisplayUnit: "微克/立方米", Kind: models.KindLevel}, 70.5, LangZh, "70微克/立方米"},
		{Row{Code: "pm10_year_mean", Unit: "ug/m3", DisplayUnit: "微克/立方米", Kind: models.KindLevel}, 71.5, LangZh, "72微克/立方米"},
		{Row{Code: "co_year_p95", Unit: "ug/m3", DisplayUnit: "毫克/立方米", Kind: models.KindLevel}, 1250, LangZh, "1.2毫克/立方米"},
		{Row{Code: "co_year_p95", Unit: "ug/m3", DisplayUnit: "毫克/立方米", Kind: models.KindLevel}, 1250, LangEn, "1.2 mg/m³"},
		{Row{Code: "good_days", Unit: "count", DisplayUnit: "天", Kind: models.KindLevel}, 114, LangZh, "114天"},
		{Row{Code: "good_days", Unit: "count", DisplayUnit: "天", Kind: models.KindLevel}, 114, LangEn, "114 days"},
		{Row{Code: "green_credit_balance", Unit: "CNY", DisplayUnit: "亿元", Kind: models.KindStock}, 3.4123e10, LangZh, "341.23亿元"},
	}
	for _, tt := range tests {
		if got := cellValue(Num(tt.v), tt.row, tt.lang); got != tt.want {
			t.Errorf("cellValue(%s, %v, %s) = %q, want %q", tt.row.Code, tt.v, tt.lang, got, tt.want)
		}
	}
}

func TestChartDisplayUnit(t *testing.T) {
	tests := []struct {
		max           float64
		base, display string
		want          string
	}{
		{1e10, "kWh", "万千瓦时", "亿千瓦时"},    // 1 000 000 万千瓦时 → 100 亿千瓦时
		{1e13, "kWh", "万千瓦时", "万亿千瓦时"},   // 10 000 亿千瓦时 still needs five digits
		{9e11, "kWh", "万千瓦时", "亿千瓦时"},    // 90 000 000 万千瓦时 → 9000 亿千瓦时
		{5e7, "kWh", "万千瓦时", "万千瓦时"},     // 5000 万千瓦时 stays
		{2e5, "tCO2", "吨二氧化碳", "万吨二氧化碳"}, // 200 000 吨 → 20 万吨
		{3.4e10, "CNY", "亿元", "亿元"},
		{0.5, "ratio", "%", "%"},
		{1e6, "ug/m3", "微克/立方米", "微克/立方米"},
		{math.NaN(), "kWh", "万千瓦时", "万千瓦时"},
	}
	for _, tt := range tests {
		if got := chartDisplayUnit(tt.max, tt.base, tt.display); got != tt.want {
			t.Errorf("chartDisplayUnit(%v, %s, %s) = %q, want %q", tt.max, tt.base, tt.display, got, tt.want)
		}
	}
}

// TestBigChangesIgnoreTinyCounts: 1 → 2 is +100% but not a large change;
// a count needs a base and a change of at least minCountChange.
func TestBigChangesIgnoreTinyCounts(t *testing.T) {
	row := func(code, unit string, v, ago float64) Row {
		return Row{Code: code, Name: code, Unit: unit, Value: Num(v), YearAgo: Num(ago), YoY: Num((v - ago) / ago), MoM: NaN(), Prev: NaN()}
	}
	r := &Report{Lang: LangZh, Sections: []Section{{Rows: []Row{
		row("two_parks", "count", 2, 1),            // +100% on 1
		row("four_stations", "count", 4, 2),        // +100% on 2
		row("sixty_stations", "count", 60, 50),     // +20% on 50, change 10
		row("fifty_one", "count", 51, 50),          // +2% but a change of 1
		row("credit", "CNY", 3.4e10, 3e10),         // +13.3%
		row("good_days", "count", 114, 60),         // a year-to-date tally
		row("heavy_pollution_days", "count", 9, 1), // a tally, and tiny
	}}}}
	var got []string
	for _, m := range biggestChanges(r, 5) {
		got = append(got, m.name)
	}
	if want := "sixty_stations,credit"; strings.Join(got, ",") != want {
		t.Errorf("biggest changes = %v, want %s", got, want)
	}
}

func TestWaterNames(t *testing.T) {
	for _, tt := range []struct{ in, want string }{{"river", "河流"}, {"lake", "湖库"}, {"reservoir", "湖库"}, {"", ""}} {
		if got := waterBodyName(tt.in, LangZh); got != tt.want {
			t.Errorf("waterBodyName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{{"codmn", "高锰酸盐指数"}, {"tp", "总磷"}, {"nh3n", "氨氮"}, {"氨氮", "氨氮"}} {
		if got := pollutantName(tt.in, LangZh); got != tt.want {
			t.Errorf("pollutantName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAirAssessment: the demo-like fixture's 2024 figures against the
// class Ⅱ limits after rounding — PM10 70.5 reports as 70 and meets 70,
// O₃ 175 misses 160 — and one line instead of tables without stations.
func TestAirAssessment(t *testing.T) {
	rep := buildDemoLikeFixture(t, Month{2024, time.May}, LangZh)
	a := rep.Air
	if !a.Configured || a.MeetsClass2 == nil || *a.MeetsClass2 {
		t.Fatalf("air = %+v, want configured and not meeting class Ⅱ", a)
	}
	if a.GoodDays != 114 || a.HeavyDays != 2 || math.Abs(a.GoodRatio.Float()-114.0/152) > 1e-12 {
		t.Errorf("good %v heavy %v ratio %v, want 114, 2, 114/152", a.GoodDays, a.HeavyDays, a.GoodRatio)
	}
	meets := map[string]bool{}
	for _, s := range a.Stats {
		meets[s.Code] = s.Meets != nil && *s.Meets
	}
	for code, want := range map[string]bool{"pm25_year_mean": true, "pm10_year_mean": true, "co_year_p95": true, "o3_8h_year_p90": false} {
		if meets[code] != want {
			t.Errorf("%s meets class Ⅱ = %v, want %v", code, meets[code], want)
		}
	}
	v := newAirView(rep)
	for _, w := range []string{"优良天数比例75.0%", "优良天数114天", "重污染天数2天"} {
		if !strings.Contains(v.Line, w) {
			t.Errorf("air line %q lacks %q", v.Line, w)
		}
	}
	if !strings.Contains(v.Verdict, "臭氧日最大8小时平均第90百分位数") || !v.Fail {
		t.Errorf("verdict %q (fail %v) should name O₃", v.Verdict, v.Fail)
	}

	empty := &Report{Lang: LangZh, Year: 2024, Air: Air{}}
	var md bytes.Buffer
	empty.Sections = []Section{{ID: "air", Title: "大气"}}
	if err := WriteMarkdown(&md, empty); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(md.String(), "未配置空气质量监测站点数据"); got != 1 {
		t.Errorf("report without stations says so %d times:\n%s", got, md.String())
	}
	if strings.Contains(md.String(), "GB 3095-2012二级标准限值") {
		t.Errorf("report without stations shows an empty assessment table:\n%s", md.String())
	}
}
