package present

import (
	"math"
	"testing"

	"github.com/greenmetrics/greenmetrics/models"
)

func TestTargetLabel(t *testing.T) {
	ind := func(kind models.TargetKind, q models.Qualifier, v float64) models.Indicator {
		return models.Indicator{Unit: "CNY", DisplayUnit: "亿元", Target: &models.Target{Year: 2024, Kind: kind, Qualifier: q, Value: v}}
	}
	tests := []struct {
		ind    models.Indicator
		target float64
		want   string
	}{
		{ind(models.TargetAbsolute, models.QualifierMoreThan, 3e10), 3e10, "超300亿元"},
		{ind(models.TargetAbsolute, models.QualifierApprox, 1e11), 1e11, "1000亿元左右"},
		{ind(models.TargetGrowth, models.QualifierExact, 0.04), 9.78744e9, "97.87亿元（增长4%）"},
		{ind(models.TargetMunicipal, models.QualifierMunicipal, 0), math.NaN(), "市级下达"},
		{models.Indicator{Unit: "ratio", DisplayUnit: "%", Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Qualifier: models.QualifierAtMost, Value: 0.05}}, 0.05, "5%以内"},
		{models.Indicator{}, math.NaN(), "—"},
	}
	for _, tc := range tests {
		if got := targetLabel(tc.ind, models.Progress{Year: 2024, Target: tc.target}); got != tc.want {
			t.Errorf("targetLabel(%+v) = %q; want %q", tc.ind.Target, got, tc.want)
		}
	}
}

// TestPlainTargetLabelQualitative: a target without a number is shown as
// the plan writes it, never as a number (issue 15); 固定资产投资千亿元 has no
// 左右.
func TestPlainTargetLabelQualitative(t *testing.T) {
	income := models.Indicator{Code: "disposable_income_per_capita_growth", Unit: "ratio", DisplayUnit: "%",
		Target: &models.Target{Year: 2024, Kind: models.TargetQualitative, Qualifier: models.QualifierExact, Text: "稳步增长"}}
	if got := plainTargetLabel(income, models.Progress{Year: 2024}); got != "稳步增长（定性目标）" {
		t.Errorf("qualitative target label = %q", got)
	}
	fai := models.Indicator{Code: "fixed_asset_investment", Unit: "CNY", DisplayUnit: "亿元",
		Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Value: 1e11, Qualifier: models.QualifierExact, Text: "千亿元"}}
	if got := plainTargetLabel(fai, models.Progress{Year: 2024, Target: 1e11}); got != "1000亿元" {
		t.Errorf("fixed-asset investment target label = %q, want 1000亿元 (no 左右)", got)
	}
}
