package report

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// closedYear is the fixture's 2024 as seen after the year: every target
// with its final result, one of them still pending.
func closedYear() Input {
	dec := Month{Year: 2024, Month: time.December}
	snap := fixtureSnapshot(dec)
	for code, p := range snap.Progress {
		p.Final = code != "pm25_annual_mean" // its December figure is missing
		if p.Final {
			if p.Status == models.StatusAhead || p.Status == models.StatusBehind {
				p.Status = models.StatusMissed
			}
			p.Result = models.ResultOf(p.Status)
		}
		snap.Progress[code] = p
	}
	return Input{Snapshot: snap}
}

// TestJanuaryReportStatesPriorYearFinalResults: January's report carries
// 2024's 全年完成情况 — 完成 or 未完成 per target, 待定 while a year's last
// figure is missing — in its summary, JSON, Markdown (golden) and HTML.
func TestJanuaryReportStatesPriorYearFinalResults(t *testing.T) {
	jan := Month{Year: 2025, Month: time.January}
	rep, err := Build(context.Background(), Input{
		Month: jan, Lang: LangZh, Snapshot: fixtureSnapshot(jan), Final: closedYear().Snapshot,
		RejectDir: fixtureRejects(t), Now: func() time.Time { return jan.End().Add(56 * time.Hour) },
	})
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Final
	if f == nil || f.Year != 2024 {
		t.Fatalf("final results = %+v, want 2024's", f)
	}
	want := map[string]models.FinalResult{
		"rural_sewage_stations_built":        models.ResultNotCompleted, // 2+… a month: 36 of 64
		"prefab_building_started_area":       models.ResultCompleted,
		"urban_registered_unemployment_rate": models.ResultCompleted,
		"energy_intensity":                   models.ResultMunicipal,
		"pm25_annual_mean":                   "",
	}
	got := map[string]models.FinalResult{}
	for _, r := range f.Rows {
		got[r.Code] = r.Result
	}
	for code, w := range want {
		if g, ok := got[code]; !ok || g != w {
			t.Errorf("%s: result %q (listed %v), want %q", code, g, ok, w)
		}
	}
	if _, ok := got["carbon_eval_pilot_co2_reduction"]; ok {
		t.Error("an indicator without a 2024 target is listed in the final results")
	}
	if f.Pending != 1 || f.Completed+f.NotCompleted+f.Pending != len(f.Rows)-1 { // the municipal one counts in none
		t.Errorf("counts completed %d not %d pending %d of %d rows", f.Completed, f.NotCompleted, f.Pending, len(f.Rows))
	}
	last := rep.Summary[len(rep.Summary)-1]
	if !strings.HasPrefix(last, "2024年全年完成情况：完成") || !strings.Contains(last, "待定1项") {
		t.Errorf("summary ends %q", last)
	}
	var md, html, js bytes.Buffer
	if err := WriteMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&html, rep); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	start := strings.Index(md.String(), "## 2024年全年完成情况")
	if start < 0 {
		t.Fatalf("markdown has no final results:\n%s", md.String())
	}
	section := md.String()[start:]
	section = section[:strings.Index(section[3:], "\n## ")+4]
	compareGolden(t, filepath.Join("testdata", "final-2024.md"), []byte(section))
	for _, w := range []string{`id="sec-final"`, "2024年全年完成情况", "未完成", "待定（全年数据未齐）"} {
		if !strings.Contains(html.String(), w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	if !strings.Contains(js.String(), `"final_results": {`) || !strings.Contains(js.String(), `"result": "not_completed"`) {
		t.Errorf("JSON lacks the final results")
	}
}

// TestMonthsWithoutFinalResults: a report without a closed year's
// snapshot has no final results section.
func TestMonthsWithoutFinalResults(t *testing.T) {
	rep := buildFixture(t, Month{Year: 2024, Month: time.May}, LangZh)
	if rep.Final != nil {
		t.Errorf("May's report has final results %+v", rep.Final)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "全年完成情况") {
		t.Error("May's Markdown states final results")
	}
}

// TestDemoPlanTargetsAreMarked: a target from a demo plan carries 演示 in
// the report's table, in Chinese and English.
func TestDemoPlanTargetsAreMarked(t *testing.T) {
	m := Month{Year: 2024, Month: time.May}
	for _, lang := range []Lang{LangZh, LangEn} {
		snap := fixtureSnapshot(m)
		for i, ind := range snap.Indicators {
			if ind.Code == "rural_sewage_stations_built" {
				tg := *ind.Target
				tg.Plan = models.Origin{PlanID: "demo-2024", PlanName: "演示计划", Demo: true}
				snap.Indicators[i].Target = &tg
			}
		}
		rep, err := Build(context.Background(), Input{Month: m, Lang: lang, Snapshot: snap, RejectDir: fixtureRejects(t),
			Now: func() time.Time { return m.End() }})
		if err != nil {
			t.Fatal(err)
		}
		row := findRow(t, rep, "rural_sewage_stations_built")
		cells := rowCells(row, lang)
		want := map[Lang]string{LangZh: "64座（演示）", LangEn: "64 (demo)"}[lang]
		if !row.TargetDemo || row.TargetPlan != "演示计划" || cells.Target != want {
			t.Errorf("%s: target cell %q (demo %v, plan %q), want %q", lang, cells.Target, row.TargetDemo, row.TargetPlan, want)
		}
		if other := findRow(t, rep, "prefab_building_started_area"); other.TargetDemo || strings.Contains(rowCells(other, lang).Target, "演示") {
			t.Errorf("%s: a real plan's target is marked demo", lang)
		}
	}
}
