package ingest

import (
	"strings"
	"testing"

	"github.com/greenmetrics/greenmetrics/config"
)

// TestDistrictNameAsEntity: a department that writes its district's name
// in the entity column of a district-wide figure means the district's own
// figure; other names stay rejected with a message naming the district.
func TestDistrictNameAsEntity(t *testing.T) {
	scope := config.Default().Scope
	tests := []struct {
		entity   string
		accepted int
		rule     string
	}{
		{"通州区", 1, ""},
		{"Tongzhou", 1, ""},
		{" 通州 ", 1, ""},
		{"朝阳区", 0, RuleUnexpectedEntity},
	}
	for _, tc := range tests {
		t.Run(tc.entity, func(t *testing.T) {
			p, sink := newTestPipeline(t, Options{Scope: scope})
			res, err := process(t, p, "in.csv", "time,indicator,entity,value,unit\n2024-05,prefab_building_started_area,"+tc.entity+",12,万平方米\n")
			if err != nil {
				t.Fatal(err)
			}
			checkCounts(t, res)
			if res.Accepted != tc.accepted {
				t.Fatalf("accepted %d, want %d (%+v)", res.Accepted, tc.accepted, res.Rejected)
			}
			if tc.accepted == 1 && sink.obs[0].Entity != "" {
				t.Errorf("stored entity %q, want the district's own (empty)", sink.obs[0].Entity)
			}
			if tc.rule != "" {
				if res.RejectedByRule[tc.rule] != 1 || !strings.Contains(res.Rejected[0].Message, "通州区") {
					t.Errorf("rejections %+v, want one %s naming 通州区", res.Rejected, tc.rule)
				}
			}
		})
	}
}
