package report

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
)

func TestFormatting(t *testing.T) {
	nan := NaN()
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"share one decimal", percent(0.41666), "41.7%"},
		{"share NaN", percent(nan), "—"},
		{"round half to even", fixed(0.125, 2), "0.12"},
		{"round half to even up", fixed(0.375, 2), "0.38"},
		{"no negative zero", fixed(-0.0001, 1), "0.0"},
		{"relative change up", signedPercent(0.052), "+5.2%"},
		{"relative change down", signedPercent(-0.031), "−3.1%"},
		{"no change", signedPercent(0), "0.0%"},
		{"points zh", signedPoints(0.015, LangZh), "+1.5个百分点"},
		{"points en", signedPoints(-0.004, LangEn), "−0.4 pp"},
		{"亿元", formatValue(3.4e10, "CNY", "亿元", models.KindStock, LangZh), "340亿元"},
		{"万平方米", formatValue(1_351_000, "m2", "万平方米", models.KindFlow, LangZh), "135.1万平方米"},
		{"ratio as share", formatValue(0.0462, "ratio", "%", models.KindRatio, LangZh), "4.6%"},
		{"count", formatValue(338, "count", "辆", models.KindFlow, LangZh), "338辆"},
		{"NaN value", formatValue(nan, "CNY", "亿元", models.KindStock, LangZh), "—"},
		{"en billions", formatValue(3.4e10, "CNY", "亿元", models.KindStock, LangEn), "34 billion yuan"},
		{"en millions", formatValue(1_351_000, "m2", "万平方米", models.KindFlow, LangEn), "1.35 million m²"},
		{"en thousands", formatValue(6000, "tCO2", "吨二氧化碳", models.KindFlow, LangEn), "6,000 t CO2"},
		{"en negative thousands", thousands(-1234567), "-1,234,567"},
		{"chart unit zh", chartUnit("CNY", "亿元", LangZh), "亿元"},
		{"chart unit en", chartUnit("CNY", "亿元", LangEn), "100m yuan"},
		{"chart unit en mg", chartUnit("ug/m3", "毫克/立方米", LangEn), "mg/m³"},
		{"chart unit share", chartUnit("ratio", "%", LangEn), "%"},
		{"tiny p", trendText(Trend{Direction: "increasing", SlopePerYear: 600, P: 0.0002, Significant: true, Method: "mk"},
			Row{Unit: "tCO2", DisplayUnit: "吨二氧化碳", Kind: models.KindFlow}, LangZh, zhLabels), "↑ +600吨二氧化碳/年（显著，p<0.001，mk）"},
		{"points trend", trendText(Trend{Direction: "decreasing", SlopePerYear: -0.004, P: 0.04, Significant: true, Method: "mk"},
			Row{Unit: "ratio", Kind: models.KindRatio, ChangeInPoints: true}, LangEn, enLabels), "↓ −0.4 pp/yr (significant, p=0.040, mk)"},
		{"engine's trend method, zh", trendText(Trend{Direction: "increasing", SlopePerYear: 365.33, P: 0.0004, Significant: true, Method: metrics.MethodMannKendall},
			Row{Unit: "tCO2", DisplayUnit: "吨二氧化碳", Kind: models.KindFlow}, LangZh, zhLabels), "↑ +365吨二氧化碳/年（显著，p<0.001，Mann-Kendall）"},
		{"seasonal method, en, slope to 3 digits", trendText(Trend{Direction: "no trend", SlopePerYear: 5.02286e7, P: 0.363, Method: metrics.MethodSeasonalMannKendall},
			Row{Unit: "kWh", DisplayUnit: "万千瓦时", Kind: models.KindFlow}, LangEn, enLabels), "→ +50.2 million kWh/yr (not significant, p=0.363, seasonal Mann-Kendall)"},
		{"projection to 4 digits", rowCells(Row{Unit: "kWh", DisplayUnit: "万千瓦时", Kind: models.KindFlow, Projected: 8.4216627e9,
			Value: NaN(), YTD: NaN(), Target: NaN(), Completion: NaN(), ProbabilityMeet: NaN(), MoM: NaN(), YoY: NaN()}, LangZh).Projected, "842200万千瓦时"},
		{"small projection to 4 digits", rowCells(Row{Unit: "tCO2", DisplayUnit: "吨二氧化碳", Kind: models.KindFlow, Projected: 10051.12,
			Value: NaN(), YTD: NaN(), Target: NaN(), Completion: NaN(), ProbabilityMeet: NaN(), MoM: NaN(), YoY: NaN()}, LangZh).Projected, "10050吨二氧化碳"},
		{"municipal target en", rowCells(Row{Status: models.StatusMunicipal, TargetText: "完成市级下达的任务", Target: NaN(), Value: NaN(),
			YTD: NaN(), Completion: NaN(), Projected: NaN(), ProbabilityMeet: NaN(), MoM: NaN(), YoY: NaN()}, LangEn).Target, "set by the municipality"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestNumJSON(t *testing.T) {
	tests := []struct {
		n    Num
		want string
	}{
		{0.07499999999999996, "0.075"}, {3.3e10, "33000000000"}, {NaN(), "null"},
		{Num(math.Inf(1)), "null"}, {-0.105263157894736842, "-0.105263157895"},
	}
	for _, tt := range tests {
		b, err := tt.n.MarshalJSON()
		if err != nil || string(b) != tt.want {
			t.Errorf("MarshalJSON(%v) = %s, %v; want %s", float64(tt.n), b, err, tt.want)
		}
		var back Num
		if err := back.UnmarshalJSON(b); err != nil || (tt.n.Valid() && !near(back.Float(), tt.n.Float())) || (!tt.n.Valid() && back.Valid()) {
			t.Errorf("UnmarshalJSON(%s) = %v, %v", b, back, err)
		}
	}
}

func TestMonth(t *testing.T) {
	for _, bad := range []string{"2024-13", "2024-5", "24-05", "2024/05", "", "2024-05-01"} {
		if _, err := ParseMonth(bad); !errors.Is(err, ErrBadMonth) {
			t.Errorf("ParseMonth(%q) = %v, want %v", bad, err, ErrBadMonth)
		}
	}
	m, err := ParseMonth("2024-01")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Add(-1).String(); got != "2023-12" {
		t.Errorf("2024-01 − 1 = %s, want 2023-12", got)
	}
	if got := m.Add(12).String(); got != "2025-01" {
		t.Errorf("2024-01 + 12 = %s, want 2025-01", got)
	}
	if got := (Month{2024, time.December}).End(); !got.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, models.Shanghai)) {
		t.Errorf("End of 2024-12 = %v", got)
	}
	if m.NameZh() != "2024年1月" || m.NameEn() != "January 2024" {
		t.Errorf("names %q %q", m.NameZh(), m.NameEn())
	}
}

// TestPeriods pins the row periods the report labels (models.Period).
func TestPeriods(t *testing.T) {
	tests := []struct {
		freq        models.Frequency
		t           time.Time
		label, prev string
	}{
		{models.FrequencyMonthly, at(2024, 1, 15, 0), "2024-01", "2023-12"},
		{models.FrequencyHourly, at(2024, 3, 31, 23), "2024-03", "2024-02"},
		{models.FrequencyQuarterly, at(2024, 2, 1, 0), "2024-Q1", "2023-Q4"},
		{models.FrequencyQuarterly, at(2024, 12, 1, 0), "2024-Q4", "2024-Q3"},
		{models.FrequencyAnnual, at(2024, 7, 1, 0), "2024", "2023"},
	}
	for _, tt := range tests {
		p := models.ReportingPeriodOf(tt.freq, tt.t)
		if p.Label() != tt.label || p.Previous().Label() != tt.prev {
			t.Errorf("ReportingPeriodOf(%s, %v) = %s (prev %s), want %s (prev %s)", tt.freq, tt.t, p.Label(), p.Previous().Label(), tt.label, tt.prev)
		}
	}
}

// TestStale pins the staleness rule at the end of May 2024 with 7 days
// of grace.
func TestStale(t *testing.T) {
	asOf := Month{2024, time.May}.End()
	grace := 7 * 24 * time.Hour
	tests := []struct {
		name  string
		last  time.Time
		freq  models.Frequency
		stale bool
	}{
		{"monthly with May", at(2024, 5, 1, 0), models.FrequencyMonthly, false},
		{"monthly with April only", at(2024, 4, 1, 0), models.FrequencyMonthly, true},
		{"quarterly with Q1", at(2024, 1, 1, 0), models.FrequencyQuarterly, false},
		{"quarterly with Q4 only", at(2023, 10, 1, 0), models.FrequencyQuarterly, true},
		{"annual with 2023", at(2023, 1, 1, 0), models.FrequencyAnnual, false},
		{"annual with 2022 only", at(2022, 1, 1, 0), models.FrequencyAnnual, true},
		{"hourly within grace", at(2024, 5, 28, 0), models.FrequencyHourly, false},
		{"hourly stopped on the 10th", at(2024, 5, 10, 18), models.FrequencyHourly, true},
		{"never observed", time.Time{}, models.FrequencyMonthly, true},
	}
	for _, tt := range tests {
		if got := isStale(tt.last, tt.freq, asOf, grace); got != tt.stale {
			t.Errorf("%s: isStale = %v, want %v (due %v)", tt.name, got, tt.stale, dueStart(tt.freq, asOf))
		}
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   []float64
	}{
		{0, 2650, []float64{0, 1000, 2000, 3000}},
		{0, 0.9, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{-3, 7, []float64{-4, -2, 0, 2, 4, 6, 8}},
		{0, 83, []float64{0, 20, 40, 60, 80, 100}},
		{5, 5, []float64{5, 6}},
	}
	for _, tt := range tests {
		got := niceTicks(tt.lo, tt.hi)
		if len(got) != len(tt.want) {
			t.Errorf("niceTicks(%v, %v) = %v, want %v", tt.lo, tt.hi, got, tt.want)
			continue
		}
		for i := range got {
			if !near(got[i], tt.want[i]) {
				t.Errorf("niceTicks(%v, %v) = %v, want %v", tt.lo, tt.hi, got, tt.want)
				break
			}
		}
	}
}

// TestChartSVGEscapes: chart text is escaped, so a hostile indicator name
// cannot inject markup into the report.
func TestChartSVGEscapes(t *testing.T) {
	c := Chart{ID: "chart-x", Title: `<script>alert(1)</script>`, Unit: "亿元", XLabels: monthLabels(LangZh),
		Series: []Series{{Name: `"&<>`, Style: styleActual, Values: []float64{1, 2, math.NaN(), 4, 5, 6, 7, 8, 9, 10, 11, 12}}}}
	svg := string(c.SVG())
	for _, bad := range []string{"<script>", `"&<>`} {
		if contains(svg, bad) {
			t.Errorf("SVG contains unescaped %q", bad)
		}
	}
	// The NaN in March breaks the line into two pieces.
	if n := countOf(svg, "M"); n < 2 {
		t.Errorf("path has %d moves, want a gap at the NaN", n)
	}
}
