package report

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// fixtureRevisions are ledger entries around May 2024: two accepted in May
// (one of a per-entity figure), one in April that the May report leaves out.
func fixtureRevisions() []Revision {
	return []Revision{
		{Accepted: at(2024, time.May, 20, 15), Code: "prefab_building_started_area", Period: "2024-04",
			OldValue: 245300, NewValue: 122650, OldProvider: models.ProviderDemo, NewProvider: "zjw", Origin: "drop:zjw_2024-04.xlsx row 7"},
		{Accepted: at(2024, time.April, 3, 9), Code: "rural_sewage_stations_built", Period: "2024-03",
			OldValue: 3, NewValue: 4, OldProvider: "bureau", NewProvider: "bureau", Origin: "push api:bureau"},
		{Accepted: at(2024, time.May, 8, 10), Code: "green_loan_balance", Entity: "country", Period: "2024-Q1",
			OldValue: 3.3e13, NewValue: 3.377e13, OldProvider: "pboc", NewProvider: "pboc", Origin: "import pboc_2024q1.csv row 2"},
	}
}

func renderAll(t *testing.T, rep *Report) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, w := range map[string]func(*bytes.Buffer, *Report) error{
		"html": func(b *bytes.Buffer, r *Report) error { return WriteHTML(b, r) },
		"md":   func(b *bytes.Buffer, r *Report) error { return WriteMarkdown(b, r) },
		"csv":  func(b *bytes.Buffer, r *Report) error { return WriteCSV(b, r) },
		"json": func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) },
		"rev":  func(b *bytes.Buffer, r *Report) error { return WriteRevisionsCSV(b, r) },
	} {
		var buf bytes.Buffer
		if err := w(&buf, rep); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = buf.String()
	}
	return out
}

func TestRevisionsInEveryFormat(t *testing.T) {
	m := Month{2024, time.May}
	rep, err := Build(context.Background(), Input{Month: m, Lang: LangZh, Snapshot: fixtureSnapshot(m),
		Revisions: fixtureRevisions(), Now: func() time.Time { return m.End() }})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Summary, ""), "本月修订数据2项") {
		t.Errorf("summary does not mention the revisions: %v", rep.Summary)
	}
	revs := rep.Quality.Revisions
	if len(revs) != 2 || revs[0].Code != "green_loan_balance" || revs[1].Code != "prefab_building_started_area" {
		t.Fatalf("revisions = %+v; want May's two, oldest first", revs)
	}
	if revs[1].Name != "新开工装配式建筑面积" || revs[1].DisplayUnit != "万平方米" {
		t.Errorf("revision not named from the catalogue: %+v", revs[1])
	}
	out := renderAll(t, rep)
	for format, wants := range map[string][]string{
		"html": {`id="tbl-revisions"`, "本月修订数据", "新开工装配式建筑面积", "24.53万平方米", "12.26万平方米" /* 12.265 to two decimals, half to even */, "drop:zjw_2024-04.xlsx row 7", "2024-05-20 15:00", "共修订数据2项"},
		"md":   {"### 本月修订数据", "| 2024-05-20 15:00 | 新开工装配式建筑面积 | — | 2024-04 | 24.53万平方米 | 12.26万平方米 | 数值修订，报送方变更（demo → zjw） | demo | zjw | drop:zjw_2024-04.xlsx row 7 |"},
		"json": {`"revisions": [`, `"old_value": 245300`, `"new_provider": "zjw"`, `"origin": "drop:zjw_2024-04.xlsx row 7"`},
		"rev":  {"month,accepted,code,name,entity,period,unit,old_value,new_value,old_provider,new_provider,origin,value_changed,change", "2024-05,2024-05-20T15:00:00+08:00,prefab_building_started_area,新开工装配式建筑面积,,2024-04,m2,245300,122650,demo,zjw,drop:zjw_2024-04.xlsx row 7,true,数值修订，报送方变更（demo → zjw）"},
	} {
		for _, w := range wants {
			if !strings.Contains(out[format], w) {
				t.Errorf("%s lacks %q", format, w)
			}
		}
	}
	if strings.Contains(out["html"], "push api:bureau") || strings.Contains(out["rev"], "rural_sewage_stations_built") {
		t.Error("April's revision is listed in May's report")
	}
	// Without revisions every format says so rather than leaving a gap.
	plain := renderAll(t, buildFixture(t, m, LangZh))
	if !strings.Contains(plain["html"], "本月无修订数据。") || !strings.Contains(plain["md"], "本月无修订数据。") || !strings.Contains(plain["json"], `"revisions": []`) {
		t.Error("a month without revisions does not say so")
	}
	en, err := Build(context.Background(), Input{Month: m, Lang: LangEn, Snapshot: fixtureSnapshot(m), Revisions: fixtureRevisions(), Now: func() time.Time { return m.End() }})
	if err != nil {
		t.Fatal(err)
	}
	if html := renderAll(t, en)["html"]; !strings.Contains(html, "Revisions this month") || !strings.Contains(html, "Prefabricated floor area started") {
		t.Error("the English report does not list the revisions")
	}
}

// TestDemoFiguresMarked: a figure that still comes from the demo's data is
// marked 演示 in every format, and only that one.
func TestDemoFiguresMarked(t *testing.T) {
	m := Month{2024, time.May}
	h := fixtureHistory()
	for i, o := range h {
		if (o.Indicator == "prefab_building_started_area" && o.Time.Equal(at(2024, time.May, 1, 0))) || (o.Indicator == "pm25" && o.Entity == "永顺" && o.Time.Day() == 3) {
			h[i].Provider = models.ProviderDemo
		}
	}
	snap := fixtureSnapshot(m)
	snap.Series, snap.EntitySeries = fixtureSeries(h)
	rep, err := Build(context.Background(), Input{Month: m, Lang: LangZh, Snapshot: snap, Now: func() time.Time { return m.End() }})
	if err != nil {
		t.Fatal(err)
	}
	if r := findRow(t, rep, "prefab_building_started_area"); !r.Demo {
		t.Error("prefab row from a demo May figure is not marked")
	}
	if sum := strings.Join(rep.Summary, ""); !strings.Contains(sum, "新开工装配式建筑面积、永顺仍含演示数据") {
		t.Errorf("summary does not name the demo figures: %s", sum)
	}
	if r := findRow(t, rep, "carbon_eval_pilot_co2_reduction"); r.Demo {
		t.Error("a row of real data is marked demo")
	}
	var stations []string
	for _, s := range rep.Stations.Rows {
		if s.Demo {
			stations = append(stations, s.Station)
		}
	}
	if strings.Join(stations, ",") != "永顺" {
		t.Errorf("demo stations = %v; want 永顺", stations)
	}
	out := renderAll(t, rep)
	for format, wants := range map[string][]string{
		"html": {`新开工装配式建筑面积 <span class="demo">演示</span>`, `永顺 <span class="demo">演示</span>`, "标注“演示”的数值仍来自演示数据"},
		"md":   {"| 新开工装配式建筑面积（演示） |", "| 永顺（演示） |"},
		"csv":  {"2024-05-01T00:00:00+08:00,false,true,,,,,\n"},
	} {
		for _, w := range wants {
			if !strings.Contains(out[format], w) {
				t.Errorf("%s lacks %q", format, w)
			}
		}
	}
	var parsed Report
	if err := json.Unmarshal([]byte(out["json"]), &parsed); err != nil {
		t.Fatal(err)
	}
	if !findRow(t, &parsed, "prefab_building_started_area").Demo {
		t.Error("JSON row lacks demo: true")
	}
	if strings.Count(out["html"], `class="demo"`) != 2 {
		t.Errorf("HTML marks %d figures; want 2", strings.Count(out["html"], `class="demo"`))
	}
}

// TestReferenceRowsCarryTheirLevel: per-country series are labelled
// context rows (全国), not district figures.
func TestReferenceRowsCarryTheirLevel(t *testing.T) {
	rep := buildFixture(t, Month{2024, time.May}, LangZh)
	refs := rep.Sections[1].Reference
	if len(refs) != 1 || refs[0].Level != models.LevelCountry {
		t.Fatalf("reference rows = %+v; want green_loan_balance at country level", refs)
	}
	out := renderAll(t, rep)
	if !strings.Contains(out["html"], "<td>country</td><td>全国</td>") || !strings.Contains(out["md"], "| country | 全国 |") {
		t.Error("reference row does not show its level")
	}
	for _, s := range rep.Sections {
		for _, r := range s.Rows {
			if r.Code == "green_loan_balance" {
				t.Error("a national series is a district row")
			}
		}
	}
}

// TestProviderOnlyRevision: the same value written again by another
// provider is a revision of the ledger (who vouches for the figure
// changed), and every format says the value did not change rather than
// showing 12.5 → 12.5 as if it had.
func TestProviderOnlyRevision(t *testing.T) {
	m := Month{2024, time.May}
	revs := []Revision{
		{Accepted: at(2024, time.May, 12, 10), Code: "prefab_building_started_area", Period: "2024-04",
			OldValue: 125000, NewValue: 125000, OldProvider: "http", NewProvider: "tjj", Origin: "import:tjj_2024-04.csv row 2"},
		{Accepted: at(2024, time.May, 13, 10), Code: "prefab_building_started_area", Period: "2024-03",
			OldValue: 125000, NewValue: 131000, OldProvider: "tjj", NewProvider: "tjj", Origin: "import:tjj_2024-03.csv row 2"},
	}
	build := func(lang Lang) *Report {
		t.Helper()
		rep, err := Build(context.Background(), Input{Month: m, Lang: lang, Snapshot: fixtureSnapshot(m), Revisions: revs, Now: func() time.Time { return m.End() }})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	rep := build(LangZh)
	got := rep.Quality.Revisions
	if len(got) != 2 || got[0].ValueChanged || !got[1].ValueChanged {
		t.Fatalf("revisions = %+v; want the first with the value unchanged, the second changed", got)
	}
	if got[0].Change != "数值未变，报送方变更（http → tjj）" || got[1].Change != "数值修订" {
		t.Errorf("changes = %q, %q", got[0].Change, got[1].Change)
	}
	if sum := strings.Join(rep.Summary, ""); !strings.Contains(sum, "本月修订数据2项（其中1项数值未变，仅报送方变更；见数据质量部分）。") {
		t.Errorf("summary does not tell the provider-only revision apart: %s", sum)
	}
	out := renderAll(t, rep)
	for format, wants := range map[string][]string{
		"html": {"<th>修订内容</th>", "<td class=\"num\">12.5万平方米</td><td class=\"num\">12.5万平方米</td><td>数值未变，报送方变更（http → tjj）</td>",
			"<td>数值修订</td>", "其中1项数值未变，仅报送方变更"},
		"md":   {"| 修订内容 |", "| 12.5万平方米 | 12.5万平方米 | 数值未变，报送方变更（http → tjj） | http | tjj |", "其中1项数值未变，仅报送方变更"},
		"json": {`"value_changed": false`, `"change": "数值未变，报送方变更（http → tjj）"`, `"value_changed": true`},
		"rev":  {",125000,125000,http,tjj,import:tjj_2024-04.csv row 2,false,数值未变，报送方变更（http → tjj）\n", ",125000,131000,tjj,tjj,import:tjj_2024-03.csv row 2,true,数值修订\n"},
	} {
		for _, w := range wants {
			if !strings.Contains(out[format], w) {
				t.Errorf("%s lacks %q", format, w)
			}
		}
	}
	en := build(LangEn)
	if c := en.Quality.Revisions[0].Change; c != "value unchanged, provider changed (http → tjj)" {
		t.Errorf("English change = %q", c)
	}
	if sum := strings.Join(en.Summary, ""); !strings.Contains(sum, "2 figures were revised this month (see data quality; 1 of them only changed provider, not value).") {
		t.Errorf("English summary: %s", sum)
	}
}
