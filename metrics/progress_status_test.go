package metrics

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// statusIndicator is a monthly indicator of kind k with an absolute 2024
// target.
func statusIndicator(code string, k models.Kind, d models.Direction, agg models.Aggregation, unit, display string, value float64, q models.Qualifier) models.Indicator {
	return models.Indicator{Code: code, Kind: k, Direction: d, Aggregation: agg, Frequency: models.FrequencyMonthly,
		Unit: unit, DisplayUnit: display,
		Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Value: value, Qualifier: q}}
}

// statusCase is one standing of the status golden file.
type statusCase struct {
	name string
	ind  models.Indicator
	obs  []models.Observation
	asOf time.Time
	want models.Status
}

// spread is n monthly figures of a flow adding up to total.
func spread(total float64, n int) []float64 { return repeat(total/float64(n), n) }

// statusCases cover every kind mid-year (as of mid-July 2024 with data
// through June, 序时进度 50 %; or as of mid-June with data through May)
// and after the year's close (2025-01-20 with December in), with values on
// both sides of each rounding boundary (GB/T 8170 at the indicator's
// reporting precision).
func statusCases() []statusCase {
	mid, late, closed := at(2024, 7, 15), at(2024, 6, 15), at(2025, 1, 20)
	sewage := statusIndicator("sewage", models.KindFlow, models.DirectionHigher, models.AggregateSum, "count", "座", 64, models.QualifierExact)
	investment := statusIndicator("investment", models.KindFlow, models.DirectionHigher, models.AggregateSum, "CNY", "亿元", 1e11, models.QualifierApprox)
	emissions := statusIndicator("emissions", models.KindFlow, models.DirectionLower, models.AggregateSum, "t", "吨", 1200, models.QualifierAtMost)
	balance := statusIndicator("balance", models.KindStock, models.DirectionHigher, models.AggregateLast, "CNY", "亿元", 4e10, models.QualifierExact)
	canal := statusIndicator("canal", models.KindCumulative, models.DirectionHigher, models.AggregateLast, "m2", "万平方米", 5e6, models.QualifierExact)
	pm25 := statusIndicator("pm25", models.KindLevel, models.DirectionLower, models.AggregateMean, "ug/m3", "微克/立方米", 32, models.QualifierAtMost)
	coverage := statusIndicator("coverage", models.KindRatio, models.DirectionHigher, models.AggregateLast, "ratio", "%", 0.65, models.QualifierMoreThan)
	unemployment := statusIndicator("unemployment", models.KindRatio, models.DirectionLower, models.AggregateLast, "ratio", "%", 0.05, models.QualifierAtMost)
	gdp := statusIndicator("gdp_growth", models.KindRatio, models.DirectionHigher, models.AggregateLast, "ratio", "%", 0.05, models.QualifierApprox)
	class := statusIndicator("class", models.KindClass, models.DirectionLower, models.AggregateLast, "class", "类", 3, models.QualifierAtMost)
	municipal := statusIndicator("intensity", models.KindLevel, models.DirectionLower, models.AggregateMean, "tce/10^4CNY", "", 0, models.QualifierMunicipal)
	municipal.Target.Kind = models.TargetMunicipal

	one := func(ind models.Indicator, m time.Month, v float64) []models.Observation {
		return monthly(ind.Code, 2024, m, v)
	}
	stockPath := func(ind models.Indicator, start, june float64) []models.Observation {
		return join(monthly(ind.Code, 2023, 12, start), monthly(ind.Code, 2024, 6, june))
	}
	return []statusCase{
		// Flow (64座): pace against 序时进度, 已完成 only at 64.
		{"flow mid-year ahead", sewage, monthly(sewage.Code, 2024, 1, spread(33, 6)...), mid, models.StatusAhead},
		{"flow mid-year behind", sewage, monthly(sewage.Code, 2024, 1, spread(31, 6)...), mid, models.StatusBehind},
		{"flow mid-year target reached", sewage, monthly(sewage.Code, 2024, 1, spread(64, 6)...), mid, models.StatusCompleted},
		{"flow closed short", sewage, monthly(sewage.Code, 2024, 1, spread(60, 12)...), closed, models.StatusMissed},
		{"flow closed at target", sewage, monthly(sewage.Code, 2024, 1, spread(64, 12)...), closed, models.StatusCompleted},
		// Pace on published percentages: 4166.4 of 10000 through May is
		// 41.7 %, as is 序时进度 5/12 (41.667 %); 4164 is 41.6 %.
		{"flow pace 41.664% vs 41.667% rounds level: ahead", statusIndicator("f", models.KindFlow, models.DirectionHigher, models.AggregateSum, "count", "个", 10000, models.QualifierExact),
			monthly("f", 2024, 1, 1000, 1000, 1000, 1000, 166.4), late, models.StatusAhead},
		{"flow pace 41.64% vs 41.67%: behind", statusIndicator("f", models.KindFlow, models.DirectionHigher, models.AggregateSum, "count", "个", 10000, models.QualifierExact),
			monthly("f", 2024, 1, 1000, 1000, 1000, 1000, 164), late, models.StatusBehind},
		// 左右 amount (1000亿元左右): within 2 % is 基本完成.
		{"approx amount 980亿 mid-year", investment, monthly(investment.Code, 2024, 1, spread(9.8e10, 6)...), mid, models.StatusBasicallyCompleted},
		{"approx amount 979.9亿 mid-year is judged by pace", investment, monthly(investment.Code, 2024, 1, spread(9.799e10, 6)...), mid, models.StatusAhead},
		{"approx amount closed at 985亿", investment, monthly(investment.Code, 2024, 1, spread(9.85e10, 12)...), closed, models.StatusBasicallyCompleted},
		{"approx amount closed at 970亿", investment, monthly(investment.Code, 2024, 1, spread(9.7e10, 12)...), closed, models.StatusMissed},
		// Capped flow (≤1200吨).
		{"cap mid-year within pace", emissions, monthly(emissions.Code, 2024, 1, spread(550, 6)...), mid, models.StatusAhead},
		{"cap mid-year over pace", emissions, monthly(emissions.Code, 2024, 1, spread(700, 6)...), mid, models.StatusBehind},
		{"cap exceeded mid-year", emissions, monthly(emissions.Code, 2024, 1, spread(1300, 6)...), mid, models.StatusMissed},
		{"cap kept over the year", emissions, monthly(emissions.Code, 2024, 1, spread(1150, 12)...), closed, models.StatusCompleted},
		// Stock (balance 400亿): the year's increase, or no year start.
		{"stock mid-year ahead", balance, stockPath(balance, 3e10, 3.6e10), mid, models.StatusAhead},
		{"stock mid-year behind", balance, stockPath(balance, 3e10, 3.4e10), mid, models.StatusBehind},
		{"stock without year start", balance, one(balance, 6, 3.9e10), mid, models.StatusPaceUnknown},
		{"stock without year start, target reached", balance, one(balance, 6, 4.01e10), mid, models.StatusCompleted},
		{"stock closed short", balance, join(monthly(balance.Code, 2023, 12, 3e10), monthly(balance.Code, 2024, 12, 3.9e10)), closed, models.StatusMissed},
		// Cumulative (470 → 500万㎡).
		{"cumulative mid-year ahead", canal, stockPath(canal, 4.7e6, 4.85e6), mid, models.StatusAhead},
		{"cumulative mid-year behind", canal, stockPath(canal, 4.7e6, 4.8e6), mid, models.StatusBehind},
		{"cumulative closed at target", canal, join(monthly(canal.Code, 2023, 12, 4.7e6), monthly(canal.Code, 2024, 12, 5e6)), closed, models.StatusCompleted},
		// Level (PM2.5 32以内, published to 0.1).
		{"level 32.04 published 32.0", pm25, one(pm25, 6, 32.04), mid, models.StatusMet},
		{"level 32.05 rounds half to even 32.0", pm25, one(pm25, 6, 32.05), mid, models.StatusMet},
		{"level 32.06 published 32.1", pm25, one(pm25, 6, 32.06), mid, models.StatusNotMet},
		{"level closed at 32.06", pm25, monthly(pm25.Code, 2024, 1, repeat(32.06, 12)...), closed, models.StatusMissed},
		{"level closed at 31.96", pm25, monthly(pm25.Code, 2024, 1, repeat(31.96, 12)...), closed, models.StatusMet},
		// Ratio (超过65%, strict).
		{"ratio 65.04% published 65.0% is not more than 65%", coverage, one(coverage, 6, 0.6504), mid, models.StatusNotMet},
		{"ratio 65.05% rounds half to even 65.0%", coverage, one(coverage, 6, 0.6505), mid, models.StatusNotMet},
		{"ratio 65.06% published 65.1%", coverage, one(coverage, 6, 0.6506), mid, models.StatusMet},
		// Rate target with a ceiling (失业率5%以内).
		{"rate 5.004% published 5.0%", unemployment, one(unemployment, 6, 0.05004), mid, models.StatusMet},
		{"rate 5.05% rounds half to even 5.0%", unemployment, one(unemployment, 6, 0.0505), mid, models.StatusMet},
		{"rate 5.06% published 5.1%", unemployment, one(unemployment, 6, 0.0506), mid, models.StatusNotMet},
		{"rate 4.2%", unemployment, one(unemployment, 6, 0.042), mid, models.StatusMet},
		{"rate closed at 5.2%", unemployment, monthly(unemployment.Code, 2024, 1, repeat(0.052, 12)...), closed, models.StatusMissed},
		// Rate target 左右 (GDP 5%左右, ±0.5个百分点).
		{"approx rate 4.96% published 5.0%", gdp, one(gdp, 6, 0.0496), mid, models.StatusMet},
		{"approx rate 5.4%", gdp, one(gdp, 6, 0.054), mid, models.StatusMet},
		{"approx rate 4.55% rounds half to even 4.6%", gdp, one(gdp, 6, 0.0455), mid, models.StatusBasicallyMet},
		{"approx rate 4.54% published 4.5%: at the tolerance", gdp, one(gdp, 6, 0.0454), mid, models.StatusBasicallyMet},
		{"approx rate 4.44% published 4.4%: beyond it", gdp, one(gdp, 6, 0.0444), mid, models.StatusNotMet},
		{"approx rate closed at 4.6%", gdp, monthly(gdp.Code, 2024, 1, repeat(0.046, 12)...), closed, models.StatusBasicallyMet},
		// Class (Ⅲ类以上).
		{"class Ⅲ", class, one(class, 6, 3), mid, models.StatusMet},
		{"class Ⅳ", class, one(class, 6, 4), mid, models.StatusNotMet},
		// Municipal.
		{"municipal mid-year", municipal, one(municipal, 6, 0.31), mid, models.StatusMunicipal},
		{"municipal closed", municipal, monthly(municipal.Code, 2024, 1, repeat(0.31, 12)...), closed, models.StatusMunicipal},
	}
}

// TestStatusWordsGolden computes every case and writes its status, its
// words (Chinese, English) and its 完成率 with basis; the golden file is
// testdata/status_words.golden (go test ./metrics -run TestStatusWordsGolden
// -update rewrites it).
func TestStatusWordsGolden(t *testing.T) {
	var b strings.Builder
	for _, tc := range statusCases() {
		p := ComputeProgress(tc.ind, tc.obs, 2024, tc.asOf)
		if p.Status != tc.want {
			t.Errorf("%s: status %s (actual %v, target %v, pace %v, 序时 %v); want %s", tc.name, p.Status, p.Actual, p.Target, p.Pace, p.TimeProgress, tc.want)
		}
		if tc.ind.Kind == models.KindRatio && p.TargetBasis != BasisMunicipal && !math.IsNaN(p.Completion) {
			t.Errorf("%s: a rate target has 完成率 %v; want none", tc.name, p.Completion)
		}
		if p.Final != !tc.asOf.Before(at(2025, 1, 1)) {
			t.Errorf("%s: final %v at %s", tc.name, p.Final, tc.asOf.Format("2006-01-02"))
		}
		fmt.Fprintf(&b, "%s | %s | %s | %s | %s\n", tc.name, p.Status, p.StatusZh(), p.StatusEn(), completionWithBasis(p))
	}
	path := filepath.Join("testdata", "status_words.golden")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./metrics -run TestStatusWordsGolden -update writes it)", err)
	}
	got := strings.Split(b.String(), "\n")
	for i, w := range strings.Split(string(want), "\n") {
		if i >= len(got) || got[i] != w {
			g := ""
			if i < len(got) {
				g = got[i]
			}
			t.Errorf("%s line %d:\n got %s\nwant %s", path, i+1, g, w)
		}
	}
	if len(got) != len(strings.Split(string(want), "\n")) {
		t.Errorf("%s: %d lines, want %d", path, len(got), len(strings.Split(string(want), "\n")))
	}
}

func completionWithBasis(p models.Progress) string {
	if math.IsNaN(p.Completion) {
		return "—"
	}
	return fmt.Sprintf("%.1f%% (%s)", p.Completion*100, p.CompletionBasis)
}
