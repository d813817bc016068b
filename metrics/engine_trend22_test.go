package metrics

import (
	"math"
	"testing"

	"github.com/greenmetrics/greenmetrics/models"
)

// TestTrendOfCarries22 checks the engine's trend results carry 22号's
// verdict beside Mann–Kendall's: ten annual values with r_s = .56364 are a
// significant increase by the W_p table (.564), not by the t-test (.632).
func TestTrendOfCarries22(t *testing.T) {
	ind := models.Indicator{Code: "codmn", Frequency: models.FrequencyAnnual}
	var periods []models.PeriodValue
	for i, v := range []float64{7, 2, 3, 4, 5, 6, 1, 8, 9, 10} {
		periods = append(periods, models.PeriodValue{Period: models.PeriodOf(models.FrequencyAnnual, at(2014+i, 1, 1)), Value: v})
	}
	ts, ok := trendOf(ind, "S1", periods, 0.05)
	if !ok || ts.Spearman22 != "increasing" || ts.Wp != 0.564 || math.Abs(ts.Rs-(1-6*72.0/990)) > 1e-12 {
		t.Errorf("trendOf = %+v; want 22号 increasing at W_p .564", ts)
	}
	ts, ok = trendOf(ind, "S1", periods[:4], 0.05)
	if !ok || ts.Spearman22 != "" || !math.IsNaN(ts.Wp) {
		t.Errorf("four values: %+v; want no 22号 verdict", ts)
	}
}
