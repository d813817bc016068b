package main

import (
	"testing"

	"github.com/greenmetrics/greenmetrics/models"
)

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
