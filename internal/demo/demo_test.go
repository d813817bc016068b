package demo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/water"
)

func demoData(t *testing.T, opts Options) []models.Observation {
	t.Helper()
	if opts.Plans == nil {
		opts.Plans = demoPlanSet(t, 2035)
	}
	obs, err := Observations(testCatalog(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

// demoPlanSet is what the demo command puts in force: the embedded plans
// and the demo's illustrative plans up to lastYear.
func demoPlanSet(t *testing.T, lastYear int) *models.PlanSet {
	t.Helper()
	cat := testCatalog(t)
	plans, err := config.EmbeddedPlans(cat)
	if err != nil {
		t.Fatal(err)
	}
	seed, conflicts := models.NewPlanSet(plans)
	if len(conflicts) > 0 {
		t.Fatal(conflicts)
	}
	set, conflicts := models.NewPlanSet(append(plans, Plans(cat, seed, lastYear)...))
	if len(conflicts) > 0 {
		t.Fatal(conflicts)
	}
	return set
}

func TestDemoIsDeterministic(t *testing.T) {
	a, b := demoData(t, Options{}), demoData(t, Options{})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with the same seed differ")
	}
	if c := demoData(t, Options{Seed: 7}); reflect.DeepEqual(a, c) {
		t.Error("another seed gives the same data")
	}
	if _, err := Observations(testCatalog(t), Options{Today: time.Date(2024, 1, 31, 0, 0, 0, 0, models.Shanghai)}); err == nil {
		t.Error("a day before February 2024 (no month of 2024 complete) was accepted")
	}
}

// TestDemo2023MatchesTheBaselines checks the demo against the report: 2023
// flows sum to the baseline (135.1万平方米 of prefab floor area in 12 months),
// stocks and cumulatives end at it, year-end ratios equal it.
func TestDemo2023MatchesTheBaselines(t *testing.T) {
	cat := testCatalog(t)
	plans := demoPlanSet(t, 2035)
	obs := demoData(t, Options{Plans: plans})
	sum, last, n := map[string]float64{}, map[string]float64{}, map[string]int{}
	var lastTime = map[string]time.Time{}
	for _, o := range obs {
		if o.Entity != "" || o.Time.Year() != 2023 {
			continue
		}
		sum[o.Indicator] += o.Value
		n[o.Indicator]++
		if !o.Time.Before(lastTime[o.Indicator]) {
			last[o.Indicator], lastTime[o.Indicator] = o.Value, o.Time
		}
	}
	checked := 0
	for _, ind := range cat.Indicators() {
		baseline, ok := plans.Baseline(ind.Code, 2023)
		if ind.Entity != "" || !ok {
			continue
		}
		if n[ind.Code] == 0 {
			if isDerived(ind.Code) {
				continue
			}
			t.Errorf("%s: no 2023 demo data", ind.Code)
			continue
		}
		periods, _ := periods(ind.Frequency)
		if n[ind.Code] != periods {
			t.Errorf("%s: %d observations in 2023, want %d (%s)", ind.Code, n[ind.Code], periods, ind.Frequency)
		}
		got := last[ind.Code]
		if ind.Kind == models.KindFlow {
			got = sum[ind.Code]
		}
		if got != baseline.Figure.Value {
			t.Errorf("%s (%s): 2023 demo figure %v, want the baseline %v", ind.Code, ind.Kind, got, baseline.Figure.Value)
		}
		checked++
	}
	if checked < 25 {
		t.Errorf("checked only %d baselines", checked)
	}
	if sum["prefab_building_started_area"] != 1351000 {
		t.Errorf("prefab area 2023 = %v, want 1351000", sum["prefab_building_started_area"])
	}
}

// isDerived names the indicators the analysis computes from other data, so
// the demo leaves them alone.
func isDerived(code string) bool {
	switch code {
	case "sections_iv_or_better", "sections_iii_or_better", "water_good_ratio", "water_inferior_v_ratio":
		return true
	}
	return false
}

// TestDemo2024HeadsTowardTheTargets measures 2024 completion against 序时进度
// (months elapsed / 12) for flows with an absolute target: some must be
// ahead, at least one clearly behind.
func TestDemo2024HeadsTowardTheTargets(t *testing.T) {
	cat := testCatalog(t)
	asOf := time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai)
	obs := demoData(t, Options{Today: asOf.AddDate(0, 1, 0)})
	ytd := map[string]float64{}
	for _, o := range obs {
		if o.Time.Year() == 2024 && o.Entity == "" {
			if o.Time.After(asOf) {
				t.Errorf("%s at %v, after the as-of month", o.Indicator, o.Time)
			}
			ytd[o.Indicator] += o.Value
		}
	}
	progress := 6.0 / 12
	ahead, behind := 0, map[string]float64{}
	plans := demoPlanSet(t, 2035)
	for _, ind := range plans.Apply(cat.Indicators(), 2024) {
		if ind.Target == nil || ind.Kind != models.KindFlow || ind.Target.Kind != models.TargetAbsolute || ind.Frequency != models.FrequencyMonthly {
			continue
		}
		c := ytd[ind.Code] / ind.Target.Value
		switch {
		case c >= progress:
			ahead++
		case c < 0.6*progress:
			behind[ind.Code] = c
		}
	}
	if ahead < 3 || behind["rural_sewage_stations_built"] == 0 || behind["elderly_care_stations_built"] == 0 {
		t.Errorf("%d ahead of schedule, clearly behind: %v; want ≥ 3 ahead and rural sewage and elderly care behind", ahead, behind)
	}
}

// TestDemoWaterReproducesTheReport evaluates the demo sections with
// models/water: 2023 annual mean classes must give "8个全部达到Ⅳ类以上，其中4个实现Ⅲ类".
func TestDemoWaterReproducesTheReport(t *testing.T) {
	obs := demoData(t, Options{})
	samples := map[string]map[time.Time]map[string]float64{}
	for _, o := range obs {
		if o.Entity == "" {
			continue
		}
		if samples[o.Entity] == nil {
			samples[o.Entity] = map[time.Time]map[string]float64{}
		}
		if samples[o.Entity][o.Time] == nil {
			samples[o.Entity][o.Time] = map[string]float64{}
		}
		samples[o.Entity][o.Time][o.Indicator] = o.Value
	}
	year := water.PeriodOf(water.Year, time.Date(2023, 6, 1, 0, 0, 0, 0, models.Shanghai))
	var results []water.Result
	for _, s := range Sections() {
		var ss []water.Sample
		for at, values := range samples[s.Name] {
			ss = append(ss, water.Sample{Section: s.Name, Time: at, Values: values})
		}
		sc := water.SectionConfig{Name: s.Name, WaterBody: water.River, TargetClass: water.Class(s.Target), Items: Items}
		r, err := sc.EvaluatePeriod(year, ss)
		if err != nil {
			t.Fatal(err)
		}
		if r.Samples != 12 || int(r.Class) != s.Class {
			t.Errorf("%s: 2023 class %s from %d samples, want %d from 12", s.Name, r.Class, r.Samples, s.Class)
		}
		results = append(results, r)
	}
	sum, err := water.Summarize(results)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sections != 8 || sum.IVOrBetter != 8 || sum.IIIOrBetter != 4 {
		t.Errorf("summary = %+v, want 8 sections, 8 at Ⅳ or better, 4 at Ⅲ", sum)
	}
}

// TestDemoGoesThroughThePipeline feeds the demo as canonical CSV: every
// observation must be accepted as it is.
func TestDemoGoesThroughThePipeline(t *testing.T) {
	cat := testCatalog(t)
	for _, today := range []time.Time{
		time.Date(2025, 1, 1, 0, 0, 0, 0, models.Shanghai),
		time.Date(2026, 7, 15, 0, 0, 0, 0, models.Shanghai),
	} {
		t.Run(today.Format("2006-01-02"), func(t *testing.T) {
			obs := demoData(t, Options{Today: today})
			var buf bytes.Buffer
			if err := WriteCanonicalCSV(&buf, cat, obs); err != nil {
				t.Fatal(err)
			}
			sink := &memSink{}
			p, err := ingest.NewPipeline(cat, nil, sink, ingest.Options{Now: func() time.Time { return today.Add(10 * time.Hour) }})
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Process(context.Background(), ingest.Input{Name: "demo.csv", Reader: &buf, Provider: models.ProviderDemo})
			if err != nil {
				t.Fatal(err)
			}
			if res.RejectedCount() != 0 || res.Duplicates != 0 || len(sink.obs) != len(obs) {
				t.Fatalf("accepted %d of %d, rejected %v", len(sink.obs), len(obs), res.Rejected[:min(5, len(res.Rejected))])
			}
			for _, o := range sink.obs {
				if o.Provider != models.ProviderDemo {
					t.Fatalf("source %q, want demo", o.Provider)
				}
			}
		})
	}
}

func TestDeployConfigSections(t *testing.T) {
	cfg, err := config.Load(filepath.Join(repoRoot(t), "deploy", "greenmetrics.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := Sections()
	if len(cfg.Water.Sections) != len(want) {
		t.Fatalf("config has %d sections, want %d", len(cfg.Water.Sections), len(want))
	}
	for i, s := range cfg.Water.Sections {
		w := want[i]
		if s.Name != w.Name || s.TargetClass != w.Target || s.WaterBody != w.WaterBody || s.Level != w.Level || !reflect.DeepEqual(s.Items, Items) {
			t.Errorf("section %d = %+v, want %+v with items %v", i, s, w, Items)
		}
	}
	if cfg.Ingest.DropDir == "" || len(cfg.Ingest.MappingFiles) == 0 {
		t.Errorf("ingest = %+v: want a drop_dir and the refdata mapping file", cfg.Ingest)
	}
}

// TestDemoRunsToToday: on a day in the middle of a later year every
// indicator the demo writes has its latest due figure — monthly the month
// before, quarterly and annual the last complete quarter and year, hourly
// and daily figures of the day before — so none is stale.
func TestDemoRunsToToday(t *testing.T) {
	cat := testCatalog(t)
	today := time.Date(2026, 7, 15, 0, 0, 0, 0, models.Shanghai)
	last := map[string]time.Time{}
	for _, o := range demoData(t, Options{Today: today}) {
		if !o.Time.Before(today) {
			t.Fatalf("%s %s at %v: on or after today", o.Indicator, o.Entity, o.Time)
		}
		if o.Time.After(last[o.Indicator]) {
			last[o.Indicator] = o.Time
		}
	}
	// The indicators the reference files of make run's demo fill
	// (deploy/mappings/refdata.yaml): their files end years ago, so the
	// demo's own entities must carry them to today.
	for _, code := range []string{"ph", "do", "turb", "wq_class_official", "nh3n", "tp", "water_temp", "codmn", "tn", "cond",
		"co2_power", "co2_industry", "co2_ground_transport", "co2_total_ceads", "pm25", "pm10", "so2", "no2", "co", "o3",
		"carbon_price", "carbon_price_low", "carbon_price_high", "carbon_price_eua",
		"green_loan_balance", "green_loan_growth_yoy", "green_loan_growth_ytd", "green_loan_balance_power_heat_gas_water", "green_loan_balance_transport"} {
		if last[code].IsZero() {
			t.Errorf("%s: no demo figure; its reference series would be stale", code)
		}
	}
	if len(last) < 60 {
		t.Errorf("the demo writes %d indicators, want the district figures and the reference series (≥ 60)", len(last))
	}
	for code, at := range last {
		ind, _ := cat.Lookup(code)
		var due time.Time
		switch ind.Frequency {
		case models.FrequencyHourly, models.FrequencyDaily:
			due = today.AddDate(0, 0, -1)
		default:
			due = models.PeriodOf(ind.Frequency, models.PeriodOf(ind.Frequency, today).Start.Add(-time.Second)).Start
		}
		if at.Before(due) {
			t.Errorf("%s (%s): latest figure %v, want one at or after %v", code, ind.Frequency, at, due)
		}
	}
}

// TestDemoHoursRunToTheClock: with the clock late on Today, the hourly
// series run to its last complete hour, so no automatic station is
// overdue that evening (monitoring data are due a day after each hour);
// nothing is stamped at or after the clock's hour, and a clock on another
// day leaves them ending the day before.
func TestDemoHoursRunToTheClock(t *testing.T) {
	cat := testCatalog(t)
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, models.Shanghai)
	now := today.Add(23*time.Hour + 56*time.Minute)
	tests := []struct {
		name string
		now  time.Time
		end  time.Time // hourly figures stamped before it, and within 4 h of it
	}{
		{"the clock on today", now, now.Truncate(time.Hour)},
		{"no clock", time.Time{}, today},
		{"a clock on a later day", now.AddDate(0, 0, 3), today},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			last := map[string]time.Time{}
			for _, o := range demoData(t, Options{Today: today, Now: tt.now}) {
				if ind, _ := cat.Lookup(o.Indicator); ind.Frequency != models.FrequencyHourly {
					continue
				}
				if !o.Time.Before(tt.end) {
					t.Fatalf("%s %s at %v: at or after %v", o.Indicator, o.Entity, o.Time, tt.end)
				}
				if o.Time.After(last[o.Indicator]) {
					last[o.Indicator] = o.Time
				}
			}
			for _, code := range []string{"pm25", "o3", "nh3n", "wq_class_official", "water_temp"} {
				if at := last[code]; at.Before(tt.end.Add(-4 * time.Hour)) {
					t.Errorf("%s: latest hour %v, want within 4 h before %v", code, at, tt.end)
				}
				if tt.name == "the clock on today" {
					ind, _ := cat.Lookup(code)
					if due := models.NextDue(ind.Frequency, last[code], ind.DueLag, now); due.Overdue {
						t.Errorf("%s: overdue at %v (due %v) with the demo just loaded", code, now, due.Date)
					}
				}
			}
		})
	}
}

// TestDemoExtendsWithoutRevising: a month later the demo holds every
// figure of the earlier one unchanged (hourly figures that left the recent
// window aside), so loading it over the earlier revises nothing.
func TestDemoExtendsWithoutRevising(t *testing.T) {
	first := time.Date(2026, 7, 15, 0, 0, 0, 0, models.Shanghai)
	later := first.AddDate(0, 1, 0)
	type key struct {
		code, entity string
		at           time.Time
	}
	next := map[key]float64{}
	for _, o := range demoData(t, Options{Today: later}) {
		next[key{o.Indicator, o.Entity, o.Time}] = o.Value
	}
	cat := testCatalog(t)
	checked := 0
	for _, o := range demoData(t, Options{Today: first}) {
		ind, _ := cat.Lookup(o.Indicator)
		if (ind.Frequency == models.FrequencyHourly || ind.Frequency == models.FrequencyDaily) && o.Entity != "" && !isDemoSection(o.Entity) {
			continue // reference windows move on
		}
		if ind.Frequency == models.FrequencyHourly && o.Time.Before(later.AddDate(0, 0, -recentHourlyDays)) && o.Time.Hour() != 9 {
			continue // 4-hourly section readings that left the window
		}
		v, ok := next[key{o.Indicator, o.Entity, o.Time}]
		if !ok || v != o.Value {
			t.Fatalf("%s %s %v: %v a month later (present %v), was %v", o.Indicator, o.Entity, o.Time, v, ok, o.Value)
		}
		checked++
	}
	if checked < 2000 {
		t.Errorf("compared %d figures", checked)
	}
}

func isDemoSection(name string) bool {
	for _, s := range Sections() {
		if s.Name == name {
			return true
		}
	}
	return false
}

// TestDemoBehindInEveryYear: the two indicators meant to lag are clearly
// behind 序时进度 against each year's target (the 2024 plan's, then the
// illustrative ones), and most are on or ahead of it.
func TestDemoBehindInEveryYear(t *testing.T) {
	cat := testCatalog(t)
	plans := demoPlanSet(t, 2035)
	for _, today := range []time.Time{
		time.Date(2025, 7, 1, 0, 0, 0, 0, models.Shanghai),
		time.Date(2026, 7, 15, 0, 0, 0, 0, models.Shanghai),
	} {
		year := today.Year()
		ytd := map[string]float64{}
		for _, o := range demoData(t, Options{Today: today}) {
			if o.Time.Year() == year && o.Entity == "" {
				ytd[o.Indicator] += o.Value
			}
		}
		progress := 6.0 / 12
		ahead, behind := 0, map[string]float64{}
		for _, ind := range plans.Apply(cat.Indicators(), year) {
			tg := ind.Target
			if tg == nil || ind.Kind != models.KindFlow || tg.Kind != models.TargetAbsolute || ind.Frequency != models.FrequencyMonthly {
				continue
			}
			if !tg.Plan.Demo || !strings.Contains(tg.Plan.PlanName, "演示") {
				t.Errorf("%s %d: target %q of plan %+v is not marked demo", ind.Code, year, tg.Text, tg.Plan)
			}
			switch c := ytd[ind.Code] / tg.Value; {
			case c >= progress:
				ahead++
			case c < 0.6*progress:
				behind[ind.Code] = c
			}
		}
		if ahead < 3 || behind["rural_sewage_stations_built"] == 0 || behind["elderly_care_stations_built"] == 0 {
			t.Errorf("%d: %d ahead of schedule, clearly behind: %v; want ≥ 3 ahead and rural sewage and elderly care behind", year, ahead, behind)
		}
	}
}

// TestDemoSizeStaysSmall: years of monthly figures and a recent window of
// hourly ones keep the demo a few tens of thousands of rows, whatever the
// date, so make run's load time does not grow with the calendar.
func TestDemoSizeStaysSmall(t *testing.T) {
	for _, today := range []time.Time{
		time.Date(2024, 7, 1, 0, 0, 0, 0, models.Shanghai),
		time.Date(2026, 12, 3, 0, 0, 0, 0, models.Shanghai),
		time.Date(2030, 12, 3, 0, 0, 0, 0, models.Shanghai),
	} {
		if n := len(demoData(t, Options{Today: today})); n > 40000 {
			t.Errorf("%s: %d observations, want at most 40000", today.Format("2006-01-02"), n)
		}
	}
}

// TestDemoPlansRoundTrip: the illustrative plans the demo writes are read
// back by config's plan loader unchanged, marked demo and 演示, and follow
// the rule (the same count again; a cumulative total one step further).
func TestDemoPlansRoundTrip(t *testing.T) {
	cat := testCatalog(t)
	set := demoPlanSet(t, 2027)
	plans := Plans(cat, set, 2027)
	if len(plans) != 3 || plans[0].ID != "demo-2025" || plans[2].ID != "demo-2027" {
		t.Fatalf("demo plans %v, want demo-2025 … demo-2027", plans)
	}
	for _, p := range plans {
		var buf bytes.Buffer
		if err := WritePlanYAML(&buf, p); err != nil {
			t.Fatal(err)
		}
		back, err := config.ParsePlanYAML(p.ID+".yaml", buf.Bytes(), cat)
		if err != nil {
			t.Fatalf("%s: %v\n%s", p.ID, err, buf.String())
		}
		if !back.Demo || !strings.Contains(back.Name, "演示") || len(back.Targets) != len(p.Targets) || len(p.Targets) < 20 {
			t.Fatalf("%s read back as %+v", p.ID, back)
		}
		for i, bt := range back.Targets {
			pt := p.Targets[i]
			bt.Line = 0
			if !reflect.DeepEqual(bt, pt) {
				t.Errorf("%s target %d: read back %+v, wrote %+v", p.ID, i, bt, pt)
			}
		}
	}
	want := map[string]float64{"rural_sewage_stations_built": 64, "elderly_care_stations_built": 10, "canal_business_district_completed_area": 5.9e6}
	for _, tg := range plans[2].Targets {
		if w, ok := want[tg.Indicator]; ok && tg.Value != w {
			t.Errorf("2027 %s = %v, want %v", tg.Indicator, tg.Value, w)
		}
		delete(want, tg.Indicator)
	}
	if len(want) > 0 {
		t.Errorf("2027 plan lacks %v", want)
	}
}

func testCatalog(t testing.TB) *config.Catalog {
	t.Helper()
	catOnce.Do(func() { catShared, catErr = config.SeedCatalog() })
	if catErr != nil {
		t.Fatal(catErr)
	}
	return catShared
}

var (
	catOnce   sync.Once
	catShared *config.Catalog
	catErr    error
)

// memSink keeps what the pipeline delivers, in memory.
type memSink struct {
	mu  sync.Mutex
	obs []models.Observation
}

func (s *memSink) Append(_ context.Context, obs []models.Observation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.obs = append(s.obs, obs...)
	return nil
}

// repoRoot is the directory of go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("repository root not found at %s", dir)
	}
	return dir
}
