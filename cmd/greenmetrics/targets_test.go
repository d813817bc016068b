package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTargetsListsPlansWithOrigins: `targets` lists each target in force
// with its plan and FILE:LINE, a later single-year plan over a five-year
// one, a demo plan marked 演示 (and never over a real plan), and says so
// for a year no plan covers.
func TestTargetsListsPlansWithOrigins(t *testing.T) {
	t.Setenv("GREENMETRICS_PLANS_DIR", "")
	dir := t.TempDir()
	for name, body := range map[string]string{
		"fyp.yaml": "id: fyp\nname: 十四五规划（测试）\nissued: \"2021-03-01\"\ntargets:\n" +
			"  - {indicator: pm25_annual_mean, from: 2021, to: 2025, kind: reduction, value: 20, unit: \"%\", qualifier: at_least, text: 下降20%}\n" +
			"  - {indicator: rural_sewage_stations_built, from: 2021, to: 2025, kind: absolute, value: 300, qualifier: at_least}\n",
		"2025.csv": "plan_id,plan_name,issued,demo,source,record,indicator,year,from,to,kind,value,unit,qualifier,base_year,base_value,path,constant_prices,text,quote\n" +
			"gwr-2025,2025年计划,2025-01-08,false,,target,rural_sewage_stations_built,2025,,,absolute,70,座,exact,,,,,70座,\n",
		"demo.yaml": "id: demo-2026\nname: 2026年示意目标\nissued: \"2026-01-05\"\ndemo: true\ntargets:\n" +
			"  - {indicator: rural_sewage_stations_built, year: 2026, kind: absolute, value: 71, qualifier: exact}\n" +
			"  - {indicator: rural_sewage_stations_built, year: 2025, kind: absolute, value: 72, qualifier: exact}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := writeTemp(t, "greenmetrics.yaml", "plans_dir: "+dir+"\n")
	tests := []struct {
		args []string
		want []string
		not  []string
	}{
		{[]string{"--year", "2025"}, []string{
			"2025  pm25_annual_mean", "下降20%", "2021–2025", filepath.Join(dir, "fyp.yaml") + ":5",
			"2025  rural_sewage_stations_built", "70座", "2025年计划", filepath.Join(dir, "2025.csv") + ":2", "fyp", "demo-2026",
		}, []string{"未设定目标", "72座", "2025年计划（演示）"}},
		{[]string{"--year", "2026"}, []string{"2026  rural_sewage_stations_built", "71座", "2026年示意目标（演示）"}, nil},
		{[]string{"--year", "2024"}, []string{"2024  rural_sewage_stations_built", "64座", "config/plans/2024-tongzhou-gwr.yaml (embedded):"}, nil},
		{[]string{"--year", "2030"}, []string{"2030年：未设定目标 — no plan sets a target for 2030 (plans cover 2021–2026)"}, nil},
	}
	for _, tc := range tests {
		out, err := runCLI(t, append([]string{"targets", "--config", cfg}, tc.args...)...)
		if err != nil {
			t.Fatalf("targets %v: %v", tc.args, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("targets %v lacks %q:\n%s", tc.args, w, out)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(out, n) {
				t.Errorf("targets %v has %q:\n%s", tc.args, n, out)
			}
		}
	}
}

// TestCheckReportsPlanProblems: check names each problem of a plan by
// file, line and rule.
func TestCheckReportsPlanProblems(t *testing.T) {
	t.Setenv("GREENMETRICS_INGEST_TOKENS", "")
	t.Setenv("GREENMETRICS_PLANS_DIR", "")
	dir := t.TempDir()
	body := "id: bad\nname: 有错的计划\nissued: \"2025-01-08\"\ntargets:\n" +
		"  - {indicator: nope, year: 2025, kind: absolute, value: 1, qualifier: exact}\n" +
		"  - {indicator: rural_sewage_stations_built, year: 2025, kind: absolute, value: 1, unit: 亿元, qualifier: exact}\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeTemp(t, "greenmetrics.yaml", "plans_dir: "+dir+"\n")
	out, err := runCLI(t, "check", "--config", cfg)
	if err == nil || err.Error() != "2 problems found" {
		t.Errorf("check error = %v, want 2 problems found", err)
	}
	for _, w := range []string{
		filepath.Join(dir, "bad.yaml") + `:5: target nope: indicator "nope": unknown indicator (not in the catalogue)`,
		filepath.Join(dir, "bad.yaml") + `:6: target rural_sewage_stations_built: unit: "亿元" (CNY) to "count" (count): units measure different quantities`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("check output lacks %q:\n%s", w, out)
		}
	}
}

// TestTargetsTemplate writes the spreadsheet template a bureau fills in.
func TestTargetsTemplate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "2026.csv")
	if _, err := runCLI(t, "targets", "--template", path); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := os.ReadFile(filepath.Join("..", "..", "config", "plans", "template.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(shipped) {
		t.Errorf("--template wrote %q, want the shipped template %q", got, shipped)
	}
}
