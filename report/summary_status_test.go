package report

import (
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// statusRows is one district row per status a target can have, named by
// the kind of indicator that has it: amounts complete, levels and ratios
// meet.
func statusRows() []Row {
	rows := []struct {
		name string
		st   models.Status
	}{
		{"农村污水处理站建设", models.StatusCompleted},
		{"固定资产投资", models.StatusBasicallyCompleted},
		{"新增普惠托位", models.StatusAhead},
		{"老旧小区改造", models.StatusBehind},
		{"绿色信贷余额", models.StatusPaceUnknown},
		{"PM2.5年均浓度", models.StatusMet},
		{"地区生产总值增速", models.StatusBasicallyMet},
		{"集团化办学覆盖率", models.StatusNotMet},
		{"排放总量", models.StatusMissed},
		{"能耗强度", models.StatusMunicipal},
		{"增加学前学位", models.StatusNoData},
		{"碳配额成交价", models.StatusNoTarget},
	}
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = Row{Name: r.name, Status: r.st, Target: NaN(), ProbabilityMeet: NaN(), MoM: NaN(), YoY: NaN()}
		if r.st == models.StatusNoData {
			out[i].TargetText = "1080个"
		}
	}
	return out
}

// TestSummaryStatusLinesGolden pins the summary's opening paragraph over
// every status, in both languages, the final-results sentence of a closed
// year, and the fixture's May 2024 summary (testdata/summary-status.golden;
// go test ./report -run TestSummaryStatusLinesGolden -update rewrites it).
// 已完成 counts only amounts done; a level meeting its target is 达标.
func TestSummaryStatusLinesGolden(t *testing.T) {
	var lines []string
	for _, lang := range []Lang{LangZh, LangEn} {
		r := &Report{Month: Month{2024, time.June}, Year: 2024, TimeProgress: Num(0.5), Lang: lang,
			Sections: []Section{{ID: "all", Rows: statusRows()}}}
		r.Counts = countStatuses(r.Sections)
		lines = append(lines, summarize(r, lang)[0])
		fr := &FinalResults{Year: 2024, Completed: 5, BasicallyCompleted: 1, NotCompleted: 2, Pending: 1}
		lines = append(lines, finalSummary(fr, lang))
		lines = append(lines, buildFixture(t, Month{2024, time.May}, lang).Summary...)
	}
	compareGolden(t, "testdata/summary-status.golden", []byte(strings.Join(lines, "\n")+"\n"))

	r := &Report{Sections: []Section{{Rows: statusRows()}}}
	c := countStatuses(r.Sections)
	if c.Completed != 1 || c.Met != 1 || c.WithTarget != 10 || c.NoTarget != 1 || c.Municipal != 1 {
		t.Errorf("counts %+v: want 1 completed, 1 met, 10 with a target", c)
	}
}
