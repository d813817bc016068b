package present

import (
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"github.com/greenmetrics/greenmetrics/models"
)

// TestHistoryRevisions: a revision of the value shows old and new value; a
// write of the same value by another provider, which the ledger records as
// a revision too, says that the value did not change.
func TestHistoryRevisions(t *testing.T) {
	ind := models.Indicator{Code: "prefab_building_started_area", NameZh: "新开工装配式建筑面积",
		Frequency: models.FrequencyMonthly, Unit: "m2", DisplayUnit: "万平方米"}
	june := time.Date(2024, time.June, 1, 0, 0, 0, 0, models.Shanghai)
	accepted := func(h int) time.Time { return time.Date(2026, time.December, 3, h, 0, 0, 0, models.Shanghai) }
	entry := func(h int, v float64, provider string, prev *ledger.Previous) ledger.Entry {
		return ledger.Entry{Accepted: accepted(h), Indicator: ind.Code, Frequency: models.FrequencyMonthly, Period: june, Label: "2024-06",
			Value: v, Provider: provider, Origin: provider + ".csv:2", Previous: prev}
	}
	tests := []struct {
		name    string
		entries []ledger.Entry
		want    []string
		notWant []string
	}{
		{
			name: "same value, other provider",
			entries: []ledger.Entry{
				entry(9, 125000, "http", nil),
				entry(10, 125000, "tjj", &ledger.Previous{Value: 125000, Provider: "http", Origin: "http.csv:2", Accepted: accepted(9)}),
			},
			want:    []string{"数值未变，报送方变更 (http → tjj)", "2 条记录 entries, 1 次修订 revisions (其中 1 次数值未变，仅报送方变更 value unchanged, provider changed)\n"},
			notWant: []string{"修订 12.5万平方米 (http) → 12.5万平方米"},
		},
		{
			name: "new value",
			entries: []ledger.Entry{
				entry(9, 125000, "tjj", nil),
				entry(10, 130000, "zjw", &ledger.Previous{Value: 125000, Provider: "tjj", Origin: "tjj.csv:2", Accepted: accepted(9)}),
			},
			want:    []string{"修订 12.5万平方米 (tjj) → 13万平方米", "2 条记录 entries, 1 次修订 revisions\n"},
			notWant: []string{"数值未变"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := History(&b, ind, tt.entries, "ledger"); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("history lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("history has %q:\n%s", w, out)
				}
			}
		})
	}
}
