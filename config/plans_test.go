package config_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

var updateTemplates = flag.Bool("update-templates", false, "rewrite config/plans/template.csv and template.xlsx")

func catalog(t *testing.T) *config.Catalog {
	t.Helper()
	cat, err := config.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func seedPlan(t *testing.T) models.Plan {
	t.Helper()
	plans, err := config.EmbeddedPlans(catalog(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		if p.ID == "2024-tongzhou-gwr" {
			return p
		}
	}
	t.Fatal("no embedded 2024-tongzhou-gwr plan")
	return models.Plan{}
}

// TestSeedPlanQuotesAndNumbersMatchTheSeed checks every target and baseline
// of the embedded 2024 plan against the published report: the quote is in
// the report and the text, read as a quantity, is the stored value.
func TestSeedPlanQuotesAndNumbersMatchTheSeed(t *testing.T) {
	seed := seedText(t)
	cat := catalog(t)
	plan := seedPlan(t)
	if plan.Name != "2024年通州区政府工作报告" || plan.Demo {
		t.Errorf("seed plan = %q demo %v", plan.Name, plan.Demo)
	}
	checked := 0
	check := func(code, which string, f *models.Figure) {
		ind, ok := cat.Lookup(code)
		if !ok {
			t.Errorf("%s: not in the catalogue", code)
			return
		}
		checked++
		if !strings.Contains(seed, f.Quote) {
			t.Errorf("%s %s: quote %q is not in the seed report", code, which, f.Quote)
		}
		checkFigureText(t, ind, which, f)
	}
	for _, b := range plan.Baselines {
		if b.Year != 2023 {
			t.Errorf("%s baseline year %d, want 2023", b.Indicator, b.Year)
		}
		f := b.Figure()
		check(b.Indicator, "baseline", &f)
	}
	for _, tg := range plan.Targets {
		if tg.Year != 2024 || tg.MultiYear() {
			t.Errorf("%s target for %d–%d, want 2024", tg.Indicator, tg.From, tg.To)
		}
		if tg.Kind == models.TargetMunicipal {
			if tg.Qualifier != models.QualifierMunicipal || !strings.Contains(tg.Quote, "完成市级下达的任务") || !strings.Contains(seed, tg.Quote) {
				t.Errorf("%s: municipal target must quote 完成市级下达的任务 with qualifier municipal, got %+v", tg.Indicator, tg)
			}
			continue
		}
		if tg.Kind == models.TargetQualitative {
			// No number to parse: the text is the target as written, in its quote.
			if tg.Value != 0 || tg.Text == "" || !strings.Contains(tg.Quote, tg.Text) || !strings.Contains(seed, tg.Quote) {
				t.Errorf("%s: a qualitative target needs its text inside a quote from the seed and no value, got %+v", tg.Indicator, tg)
			}
			if _, ok := cat.Lookup(tg.Indicator); !ok {
				t.Errorf("%s: not in the catalogue", tg.Indicator)
			}
			checked++
			continue
		}
		f := &models.Figure{Year: tg.Year, Value: tg.Value, Qualifier: tg.Qualifier, Text: tg.Text, Quote: tg.Quote}
		which := "target"
		if tg.Kind == models.TargetGrowth {
			which = "growth target"
		}
		check(tg.Indicator, which, f)
	}
	if checked < 55 {
		t.Errorf("only %d figures checked against the seed; the plan lost its baselines or targets", checked)
	}
}

// TestSeedPlanHoldsTheReportTargets pins targets and baselines in base
// units, as the catalogue held them before plans were data.
func TestSeedPlanHoldsTheReportTargets(t *testing.T) {
	set, err := config.LoadPlans("", catalog(t))
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	wants := []struct {
		code             string
		baseline, target float64
	}{
		{"carbon_eval_pilot_co2_reduction", 6000, nan},
		{"green_credit_balance", 3.0e10, nan},
		{"prefab_building_started_area", 1_351_000, nan},
		{"gdp_growth", 0.05, 0.05},
		{"general_budget_revenue", 9.411e9, 0.04},
		{"fixed_asset_investment", nan, 1e11},
		{"urban_rural_employment", 22_000, 15_000},
		{"urban_registered_unemployment_rate", 0.0386, 0.05},
		{"rural_sewage_stations_built", nan, 64},
		{"basic_farmland_area", nan, 192_800 * 10000.0 / 15},
		{"canal_business_district_completed_area", 4_700_000, 5_000_000},
	}
	for _, w := range wants {
		b, hasB := set.Baseline(w.code, 2023)
		if !math.IsNaN(w.baseline) && (!hasB || !close(b.Figure.Value, w.baseline)) {
			t.Errorf("%s baseline = %+v, want %v", w.code, b.Figure, w.baseline)
		}
		tg, hasT := set.TargetFor(w.code, 2024)
		if !math.IsNaN(w.target) && (!hasT || !close(tg.Target.Value, w.target)) {
			t.Errorf("%s target = %+v, want %v", w.code, tg.Target, w.target)
		}
		if hasT && !strings.HasPrefix(tg.Origin.Where(), "config/plans/2024-tongzhou-gwr.yaml (embedded):") {
			t.Errorf("%s origin %q", w.code, tg.Origin.Where())
		}
	}
	for _, code := range []string{"energy_intensity", "air_pollutant_emissions", "water_pollutant_emissions"} {
		tg, ok := set.TargetFor(code, 2024)
		if !ok || tg.Target.Kind != models.TargetMunicipal {
			t.Errorf("%s target must be set by the municipality, got %+v", code, tg)
		}
	}
	if got := len(set.InForce(2025)); got != 0 {
		t.Errorf("embedded plans set %d targets for 2025, want none", got)
	}
}

func TestPlanErrorsNameFileLineAndRule(t *testing.T) {
	cat := catalog(t)
	tests := []struct {
		file string
		want []string
		is   error
	}{
		{"bad.yaml", []string{
			"bad.yaml:5: target no_such_indicator: indicator \"no_such_indicator\": unknown indicator (not in the catalogue)",
			"bad.yaml:6: target prefab_building_started_area: unit: \"亿元\" (CNY) to \"m2\" (m2): units measure different quantities",
			"bad.yaml:8: target rural_sewage_stations_built 2025: two targets for one indicator and year in the same plan (first at line 7)",
			"bad.yaml:9: target gdp_growth: kind \"soaring\": value not allowed",
		}, config.ErrPlanUnknownIndicator},
		{"bad.csv", []string{
			"bad.csv:2: target no_such_indicator: indicator \"no_such_indicator\": unknown indicator",
			"bad.csv:3: target energy_intensity: value \"abc\": not a number",
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			_, err := config.ReadPlanFile(filepath.Join("testdata", "plans", tc.file), cat)
			if err == nil {
				t.Fatal("no error")
			}
			msg := strings.ReplaceAll(err.Error(), filepath.Join("testdata", "plans")+"/", "")
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("got\n%s\nwant it to contain %q", msg, w)
				}
			}
			if got := strings.Count(msg, "\n") + 1; got != len(tc.want) {
				t.Errorf("reported %d problems, want %d:\n%s", got, len(tc.want), msg)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v) = false", tc.is)
			}
		})
	}
}

// TestPlanPrecedence: a later single-year plan overrides a five-year
// plan's path for its year; the same sort of target from two plans issued
// the same day is a conflict named by both places.
func TestPlanPrecedence(t *testing.T) {
	cat := catalog(t)
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("fyp.yaml", `id: 14th-fyp
name: 通州区“十四五”规划
issued: "2021-03-01"
targets:
  - {indicator: rural_sewage_stations_built, from: 2021, to: 2025, kind: absolute, value: 300, unit: 座, qualifier: at_least}
`)
	write("gwr2025.yaml", `id: 2025-gwr
name: 2025年政府工作报告
issued: "2025-01-08"
targets:
  - {indicator: rural_sewage_stations_built, year: 2025, kind: absolute, value: 70, qualifier: exact}
`)
	set, err := config.LoadPlans(dir, cat)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		year  int
		value float64
		plan  string
	}{{2023, 300, "14th-fyp"}, {2024, 64, "2024-tongzhou-gwr"}, {2025, 70, "2025-gwr"}}
	for _, c := range cases {
		f, ok := set.TargetFor("rural_sewage_stations_built", c.year)
		if !ok || f.Target.Value != c.value || f.Origin.PlanID != c.plan {
			t.Errorf("%d: %+v, want %v from %s", c.year, f, c.value, c.plan)
		}
	}
	if f, _ := set.TargetFor("rural_sewage_stations_built", 2025); len(f.Overrides) != 1 || f.Overrides[0].PlanID != "14th-fyp" {
		t.Errorf("2025 overrides %+v, want the five-year plan", f.Overrides)
	}
	// An illustrative demo plan issued later never outranks a real one.
	write("demo-2025.yaml", `id: demo-2025
name: 2025年演示目标（示意，非政府文件）
issued: "2025-06-01"
demo: true
targets:
  - {indicator: rural_sewage_stations_built, year: 2025, kind: absolute, value: 99, qualifier: exact}
`)
	if set, err = config.LoadPlans(dir, cat); err != nil {
		t.Fatal(err)
	}
	if f, _ := set.TargetFor("rural_sewage_stations_built", 2025); f.Origin.PlanID != "2025-gwr" || f.Origin.Demo {
		t.Errorf("2025 with a later demo plan: %+v, want the real 2025-gwr", f)
	}
	if err := os.Remove(filepath.Join(dir, "demo-2025.yaml")); err != nil {
		t.Fatal(err)
	}
	write("gwr2025b.yaml", `id: 2025-gwr-b
name: 同日发布的另一计划
issued: "2025-01-08"
targets:
  - {indicator: rural_sewage_stations_built, year: 2025, kind: absolute, value: 71, qualifier: exact}
`)
	_, err = config.LoadPlans(dir, cat)
	if err == nil || !errors.Is(err, models.ErrPlanConflict) {
		t.Fatalf("LoadPlans = %v, want a conflict", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "gwr2025b.yaml:5: rural_sewage_stations_built 2025:") || !strings.Contains(msg, "gwr2025.yaml:5") {
		t.Errorf("conflict message %q names not both places", msg)
	}
}

// TestPlanSpreadsheetRoundTrips writes the seed plan as xlsx and CSV and
// reads it back equal.
func TestPlanSpreadsheetRoundTrips(t *testing.T) {
	cat := catalog(t)
	plan := seedPlan(t)
	plan.Targets = append(plan.Targets, models.PlanTarget{Indicator: "carbon_intensity", From: 2021, To: 2025,
		Kind: models.TargetReduction, Value: 0.135, Unit: "ratio", Qualifier: models.QualifierAtLeast,
		BaseYear: 2020, BaseValue: ptr(0.25), Path: models.PathGeometric, ConstantPrices: true, Text: "下降13.5%"})
	for _, format := range []string{"xlsx", "csv"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			var err error
			var back models.Plan
			if format == "xlsx" {
				if err = config.WritePlanXLSX(&buf, &plan); err == nil {
					back, err = config.ParsePlanXLSX("p.xlsx", buf.Bytes(), cat)
				}
			} else {
				if err = config.WritePlanCSV(&buf, &plan); err == nil {
					back, err = config.ParsePlanCSV("p.csv", buf.Bytes(), cat)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := planDiff(plan, back); d != "" {
				t.Error(d)
			}
		})
	}
}

func ptr(v float64) *float64 { return &v }

// planDiff compares plans apart from where they were read (File, Line).
func planDiff(a, b models.Plan) string {
	a.File, b.File = "", ""
	strip := func(p *models.Plan) {
		p.Targets = append([]models.PlanTarget(nil), p.Targets...)
		for i := range p.Targets {
			p.Targets[i].Line = 0
		}
		p.Baselines = append([]models.PlanFigure(nil), p.Baselines...)
		for i := range p.Baselines {
			p.Baselines[i].Line = 0
		}
	}
	strip(&a)
	strip(&b)
	if reflect.DeepEqual(a, b) {
		return ""
	}
	if len(a.Targets) != len(b.Targets) {
		return "targets differ in number"
	}
	for i := range a.Targets {
		if !reflect.DeepEqual(a.Targets[i], b.Targets[i]) {
			return "target differs:\n" + strings.TrimSpace(formatAny(a.Targets[i])) + "\n" + formatAny(b.Targets[i])
		}
	}
	return "plans differ:\n" + formatAny(a) + "\n" + formatAny(b)
}

func formatAny(v any) string { return fmt.Sprintf("%+v", v) }

// TestPlanTemplatesAreGenerated: the shipped templates are what the code
// writes for an empty plan (go test ./config -run Templates
// -update-templates rewrites them), and they read back as a plan file.
func TestPlanTemplatesAreGenerated(t *testing.T) {
	var csvBuf, xlsxBuf bytes.Buffer
	if err := config.WritePlanCSV(&csvBuf, &models.Plan{}); err != nil {
		t.Fatal(err)
	}
	if err := config.WritePlanXLSX(&xlsxBuf, &models.Plan{}); err != nil {
		t.Fatal(err)
	}
	csvPath, xlsxPath := filepath.Join("plans", "template.csv"), filepath.Join("plans", "template.xlsx")
	if *updateTemplates {
		if err := os.WriteFile(csvPath, csvBuf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(xlsxPath, xlsxBuf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shipped, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shipped, csvBuf.Bytes()) {
		t.Errorf("%s is not what WritePlanCSV writes; run go test ./config -run Templates -update-templates", csvPath)
	}
	cat := catalog(t)
	for _, path := range []string{csvPath, xlsxPath} {
		_, err := config.ReadPlanFile(path, cat)
		// An empty template has no plan id yet: that, and only that, is
		// what it lacks.
		if err == nil || !errors.Is(err, models.ErrPlanID) || strings.Count(err.Error(), "\n") != 0 {
			t.Errorf("%s: %v, want only the missing plan id", path, err)
		}
	}
}

// TestEmbeddedPlansWithOwnCatalogue: a catalogue of one's own that leaves
// out indicators of the seed's plan loads; those targets are not in force
// and EmbeddedPlanGaps names them. The embedded catalogue has no gap.
func TestEmbeddedPlansWithOwnCatalogue(t *testing.T) {
	if gaps := config.EmbeddedPlanGaps(catalog(t)); len(gaps) != 0 {
		t.Errorf("embedded catalogue lacks plan indicators %v", gaps)
	}
	own, err := config.ParseCatalog("own.yaml", []byte("indicators:\n  - {code: rural_sewage_stations_built, name_zh: 农村污水处理站建设, name_en: R, domain: water, unit: count, kind: flow, direction: higher, aggregation: sum, frequency: monthly}\n"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := config.LoadPlans("", own)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(set.InForce(2024)); got != 1 {
		t.Errorf("%d targets in force, want the one indicator the catalogue has", got)
	}
	if gaps := config.EmbeddedPlanGaps(own); len(gaps) < 40 || gaps[0] > gaps[1] {
		t.Errorf("gaps %v", gaps)
	}
}

// FuzzParsePlan: whatever the bytes, the YAML and CSV plan parsers either
// refuse them or return targets that validate, are in the indicator's
// unit, and resolve into a plan set.
func FuzzParsePlan(f *testing.F) {
	for _, name := range []string{"bad.yaml", "bad.csv"} {
		b, _ := os.ReadFile(filepath.Join("testdata", "plans", name))
		f.Add(b)
	}
	b, _ := os.ReadFile(filepath.Join("plans", "2024-tongzhou-gwr.yaml"))
	f.Add(b)
	f.Add([]byte("plan_id,plan_name,issued,demo,source,record,indicator,year,from,to,kind,value,unit,qualifier,base_year,base_value,path,constant_prices,text,quote\nx,X,2025-01-01,,,target,gdp_growth,2025,,,absolute,5,%,approx,,,,,,\n"))
	cat, err := config.DefaultCatalog()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func(string, []byte, *config.Catalog) (models.Plan, error){config.ParsePlanYAML, config.ParsePlanCSV} {
			p, err := parse("fuzz", data, cat)
			if err != nil {
				continue
			}
			for _, tg := range p.Targets {
				if err := tg.Validate(); err != nil {
					t.Fatalf("accepted an invalid target %+v: %v", tg, err)
				}
				ind, ok := cat.Lookup(tg.Indicator)
				if !ok || (tg.Unit != ind.Unit && tg.Unit != "ratio") {
					t.Fatalf("accepted target %+v in unit %q for %s", tg, tg.Unit, tg.Indicator)
				}
			}
			models.NewPlanSet([]models.Plan{p})
		}
	})
}

// TestSeedPlanComparesLikeWithLike pins the plan's reading of the seed
// where a figure could be misread (issue 15): a target without 左右 is not
// approximate, a realised rate is not a bound, a baseline that counts
// something else than its target sits on its own indicator, and every
// clause of the 2024 main targets has a target — the income one without a
// number.
func TestSeedPlanComparesLikeWithLike(t *testing.T) {
	seed := seedText(t)
	set, err := config.LoadPlans("", catalog(t))
	if err != nil {
		t.Fatal(err)
	}
	if tg, _ := set.TargetFor("fixed_asset_investment", 2024); tg.Target.Qualifier != models.QualifierExact || strings.Contains(tg.Target.Quote, "左右") {
		t.Errorf("fixed_asset_investment target %+v: 固定资产投资千亿元 has no 左右", tg.Target)
	}
	if b, _ := set.Baseline("urban_registered_unemployment_rate", 2023); b.Figure.Qualifier != models.QualifierExact {
		t.Errorf("3.86%% is the realised 2023 rate, got qualifier %s", b.Figure.Qualifier)
	}
	for _, c := range []struct{ target, baseline, baselineText string }{
		{"elderly_care_stations_built", "elderly_care_facilities_opened", "11家养老服务驿站、养老照料中心建成投用"},
		{"operating_land_parcels_supplied", "operating_land_parcels_traded", "12宗经营性用地入市交易"},
		{"overhead_lines_underground", "overhead_lines_underground_completed", "18条道路架空线入地"},
	} {
		if b, ok := set.Baseline(c.target, 2023); ok {
			t.Errorf("%s carries the baseline %q, which counts something else than its target", c.target, b.Figure.Quote)
		}
		if b, ok := set.Baseline(c.baseline, 2023); !ok || !strings.Contains(b.Figure.Quote, c.baselineText) {
			t.Errorf("%s: baseline %+v, want the figure of %q", c.baseline, b.Figure, c.baselineText)
		}
	}
	// 加快/推进 commitments are levels (projects under way), 完成 ones flows.
	cat := catalog(t)
	for code, kind := range map[string]models.Kind{
		"overhead_lines_underground": models.KindLevel, "affordable_housing_projects": models.KindLevel,
		"community_home_centers": models.KindLevel, "back_alley_improvement": models.KindFlow,
		"old_residential_renovation": models.KindFlow,
	} {
		if ind, _ := cat.Lookup(code); ind.Kind != kind {
			t.Errorf("%s is %s, want %s", code, ind.Kind, kind)
		}
	}
	main := regexp.MustCompile(`2024年经济社会发展的主要目标是：([^。]*)。`).FindStringSubmatch(seed)
	if main == nil {
		t.Fatal("the seed's main-targets sentence is missing")
	}
	for _, clause := range strings.Split(main[1], "；") {
		found := false
		for _, tg := range set.InForce(2024) {
			if q := tg.Target.Quote; q != "" && (strings.Contains(clause, q) || strings.Contains(q, clause)) {
				found = true
			}
		}
		if !found {
			t.Errorf("main target %q has no target in the plan", clause)
		}
	}
	if tg, ok := set.TargetFor("disposable_income_per_capita_growth", 2024); !ok || tg.Target.Kind != models.TargetQualitative || tg.Resolved().HasValue() || tg.Target.Text != "稳步增长" {
		t.Errorf("income target %+v, want the qualitative 稳步增长", tg.Target)
	}
}

// TestQualitativeTargetNeedsTextAndNoValue: a qualitative target with a
// number, or without its words, is refused with file and line.
func TestQualitativeTargetNeedsTextAndNoValue(t *testing.T) {
	dir := t.TempDir()
	body := `id: q
name: 定性目标
issued: "2025-01-08"
targets:
  - {indicator: disposable_income_per_capita_growth, year: 2025, kind: qualitative, qualifier: exact, value: 0.05, text: 稳步增长}
  - {indicator: disposable_income_per_capita_growth, year: 2026, kind: qualitative, qualifier: exact}
`
	if err := os.WriteFile(filepath.Join(dir, "q.yaml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := config.ReadPlanFile(filepath.Join(dir, "q.yaml"), catalog(t))
	if err == nil || !errors.Is(err, config.ErrPlanQualitative) {
		t.Fatalf("err = %v, want ErrPlanQualitative", err)
	}
	for _, want := range []string{"q.yaml:5:", "q.yaml:6:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v does not name %s", err, want)
		}
	}
}
