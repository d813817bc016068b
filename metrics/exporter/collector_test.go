package exporter_test

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/metrics/exporter"
	"github.com/greenmetrics/greenmetrics/models"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixedTime is the "now" of the fixture: 2024-07-15 10:00 in Beijing.
var fixedTime = time.Date(2024, 7, 15, 10, 0, 0, 0, models.Shanghai)

func month(m time.Month) time.Time { return time.Date(2024, m, 1, 0, 0, 0, 0, models.Shanghai) }

// fixtureCatalog is a small catalogue covering a count, an area, an
// emission, a concentration in µg/m³, one in mg/L per section and an
// energy in kWh (all exported in the catalogue's unit).
func fixtureCatalog() []models.Indicator {
	return []models.Indicator{
		{Code: "public_kindergartens_opened", NameZh: "新开公办幼儿园", NameEn: "Public kindergartens opened", Domain: models.DomainSocial,
			Unit: "count", DisplayUnit: "所", Kind: models.KindFlow, Direction: models.DirectionHigher, Aggregation: models.AggregateSum, Frequency: models.FrequencyMonthly},
		{Code: "canal_business_district_completed_area", NameZh: "运河商务区累计完工面积", NameEn: "Canal Business District floor area completed, cumulative", Domain: models.DomainUrban,
			Unit: "m2", DisplayUnit: "万平方米", Kind: models.KindCumulative, Direction: models.DirectionHigher, Aggregation: models.AggregateLast, Frequency: models.FrequencyMonthly},
		{Code: "co2_emissions", NameZh: "二氧化碳排放量", NameEn: "CO2 emissions", Domain: models.DomainCarbon,
			Unit: "tCO2", DisplayUnit: "万吨二氧化碳", Kind: models.KindFlow, Direction: models.DirectionLower, Aggregation: models.AggregateSum, Frequency: models.FrequencyMonthly},
		{Code: "pm25", NameZh: "细颗粒物(PM2.5)浓度", NameEn: "PM2.5 concentration", Domain: models.DomainAir,
			Unit: "ug/m3", DisplayUnit: "微克/立方米", Kind: models.KindLevel, Direction: models.DirectionLower, Aggregation: models.AggregateMean, Frequency: models.FrequencyHourly, Entity: "station"},
		{Code: "codmn", NameZh: "高锰酸盐指数", NameEn: "Permanganate index (CODMn)", Domain: models.DomainWater,
			Unit: "mg/L", DisplayUnit: "mg/L", Kind: models.KindLevel, Direction: models.DirectionLower, Aggregation: models.AggregateMean, Frequency: models.FrequencyMonthly, Entity: "section"},
		{Code: "electricity_consumption", NameZh: "全社会用电量", NameEn: "Electricity consumption", Domain: models.DomainEnergy,
			Unit: "kWh", DisplayUnit: "亿千瓦时", Kind: models.KindFlow, Direction: models.DirectionLower, Aggregation: models.AggregateSum, Frequency: models.FrequencyAnnual},
	}
}

// fixtureSnapshot is a mid-July snapshot: kindergartens behind schedule and
// projected to miss, the canal district ahead, CO₂ without a target, water
// sections one of which misses its target class.
func fixtureSnapshot() *metrics.Snapshot {
	nan := math.NaN()
	return &metrics.Snapshot{
		GeneratedAt: fixedTime,
		Year:        2024,
		Indicators:  fixtureCatalog(),
		Progress: map[string]models.Progress{
			"public_kindergartens_opened": {Indicator: "public_kindergartens_opened", Year: 2024, AsOf: fixedTime,
				Actual: 1, Latest: 1, LatestTime: month(time.June), Target: 6, Completion: 1.0 / 6, TimeProgress: 0.5, Status: models.StatusBehind, Observations: 6},
			"canal_business_district_completed_area": {Indicator: "canal_business_district_completed_area", Year: 2024, AsOf: fixedTime,
				Actual: 4_850_000, Latest: 4_850_000, LatestTime: month(time.June), Target: 5_000_000, Completion: 0.97, TimeProgress: 0.5, Status: models.StatusAhead, Observations: 6},
			"co2_emissions": {Indicator: "co2_emissions", Year: 2024, AsOf: fixedTime,
				Actual: 2_400_000, Latest: 410_000, LatestTime: month(time.June), Target: nan, Completion: nan, TimeProgress: 0.5, Status: models.StatusNoTarget, Observations: 6},
		},
		Forecasts: map[string]models.Forecast{
			"public_kindergartens_opened": {Indicator: "public_kindergartens_opened", Year: 2024, AsOf: fixedTime,
				Projected: 2.5, Lower: 1, Upper: 4, Level: 0.9, ProjectedCompletion: 2.5 / 6, ProbabilityMeet: 0.02, Method: "linear"},
			"canal_business_district_completed_area": {Indicator: "canal_business_district_completed_area", Year: 2024, AsOf: fixedTime,
				Projected: 5_150_000, Lower: 5_000_000, Upper: 5_300_000, Level: 0.9, ProjectedCompletion: 1.03, ProbabilityMeet: 0.95, Method: "linear"},
		},
		Trends: []models.TrendSummary{
			{Indicator: "co2_emissions", Method: "mann-kendall", Direction: "decreasing", P: 0.003, SlopePerYear: -50000, N: 60},
			{Indicator: "codmn", Entity: "北关闸", Method: "seasonal-kendall", Direction: "no trend", P: 0.41, N: 48},
		},
		Latest: []models.Observation{
			{Time: month(time.June), Indicator: "public_kindergartens_opened", Value: 0, Provider: "report"},
			{Time: month(time.June), Indicator: "canal_business_district_completed_area", Value: 4_850_000, Provider: "report"},
			{Time: month(time.June), Indicator: "co2_emissions", Value: 410_000, Provider: "report"},
			{Time: month(time.May), Indicator: "co2_emissions", Value: 400_000, Provider: "legacy"},
			{Time: fixedTime.Add(-time.Hour), Indicator: "pm25", Entity: "永乐店", Value: 35, Provider: "cnemc"},
			{Time: fixedTime.Add(-2 * time.Hour), Indicator: "pm25", Entity: "通州监测站", Value: 41, Provider: "cnemc"},
			{Time: month(time.June), Indicator: "codmn", Entity: "北关闸", Value: 5.2, Provider: "cnemc"},
			{Time: month(time.June), Indicator: "codmn", Entity: "榆林庄", Value: 6.4, Provider: "cnemc"},
			{Time: month(time.January), Indicator: "electricity_consumption", Value: 1.2e10, Provider: "report"},
			{Time: month(time.June), Indicator: "not_in_catalogue", Value: 1, Provider: "report"},
		},
		Water: metrics.WaterStanding{
			From: month(time.January), To: month(time.July),
			Sections: []metrics.SectionStanding{
				{Name: "北关闸", WaterBody: "river", Class: 3, ClassName: "Ⅲ类", TargetClass: 4, Attained: true, Samples: 6, LastSample: month(time.June)},
				{Name: "榆林庄", WaterBody: "river", Class: 5, ClassName: "Ⅴ类", TargetClass: 4, Attained: false,
					MainPollutants: []string{"codmn", "tp", "nh3n"}, Samples: 6, LastSample: month(time.June)},
				{Name: "港沟河口", WaterBody: "river", Class: 0, ClassName: "未知", Samples: 0},
			},
			District: metrics.DistrictStanding{Sections: 2, IVOrBetter: 1, IIIOrBetter: 1, GoodRatio: 0.5, InferiorVRatio: 0, AttainmentRatio: 0.5},
		},
	}
}

func fixtureOptions() exporter.Options {
	return exporter.Options{
		Entities:         []string{"北关闸", "榆林庄", "通州监测站"},
		AnalysisInterval: 15 * time.Minute,
	}
}

func newCollector(t *testing.T, snap *metrics.Snapshot, opts exporter.Options) (*exporter.Collector, *metrics.State) {
	t.Helper()
	var st metrics.State
	if snap != nil {
		st.Publish(snap)
	}
	c, err := exporter.New(&st, fixtureCatalog(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, &st
}

// goldenCases are the snapshots with a golden exposition in testdata.
var goldenCases = []struct {
	name string
	snap func() *metrics.Snapshot
}{
	{"snapshot", fixtureSnapshot},
	{"before_first_analysis", func() *metrics.Snapshot { return nil }},
}

func TestCollectMatchesGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newCollector(t, tc.snap(), fixtureOptions())
			path := filepath.Join("testdata", tc.name+".prom")
			if *update {
				writeGolden(t, c, path)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading golden (run go test -update to create it): %v", err)
			}
			if err := testutil.CollectAndCompare(c, bytes.NewReader(want)); err != nil {
				t.Errorf("exposition differs from %s (go test -update rewrites it):\n%v", path, err)
			}
		})
	}
}

func writeGolden(t *testing.T, c prometheus.Collector, path string) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatalf("encoding %s: %v", mf.GetName(), err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCollectAndLintClean(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newCollector(t, tc.snap(), fixtureOptions())
			problems, err := testutil.CollectAndLint(c)
			if err != nil {
				t.Fatalf("CollectAndLint: %v", err)
			}
			for _, p := range problems {
				t.Errorf("lint: %s: %s", p.Metric, p.Text)
			}
		})
	}
}

// TestPromtoolAcceptsGolden runs the real linter of Prometheus 2.42 over the
// golden files, which catches what client_golang's copy of promlint may not.
func TestPromtoolAcceptsGolden(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatalf("promtool not found on PATH (install Debian package prometheus: scripts/setup.sh): %v", err)
	}
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			golden, err := os.ReadFile(filepath.Join("testdata", tc.name+".prom"))
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(promtool, "check", "metrics")
			cmd.Stdin = bytes.NewReader(golden)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("promtool check metrics < %s.prom: %v\n%s", tc.name, err, out)
			}
		})
	}
}

// TestDescribeCoversCollect registers on a pedantic registry, which fails
// Gather when a collected metric's Desc was not described or its labels
// do not match.
func TestDescribeCoversCollect(t *testing.T) {
	c, _ := newCollector(t, fixtureSnapshot(), fixtureOptions())
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatalf("Register: %v", err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if m.TimestampMs != nil {
				t.Errorf("%s carries a timestamp; Prometheus would drop back-dated samples", mf.GetName())
			}
		}
	}
}

func TestEntityCap(t *testing.T) {
	snap := &metrics.Snapshot{GeneratedAt: fixedTime, Year: 2024}
	for _, e := range []string{"a", "b", "c", "d", "configured"} {
		snap.Latest = append(snap.Latest, models.Observation{Time: fixedTime, Indicator: "pm25", Entity: e, Value: 10})
	}
	snap.Latest = append(snap.Latest, models.Observation{Time: fixedTime.Add(time.Hour), Indicator: "pm25", Value: 12})
	c, _ := newCollector(t, snap, exporter.Options{Entities: []string{"configured"}, MaxEntities: 3})
	const want = `
# HELP greenmetrics_indicator_entities_omitted Entities of each indicator whose values are not exported because the per-indicator cap was reached (only present when above 0). From the latest analysis snapshot (recomputed every analysis interval, not per scrape).
# TYPE greenmetrics_indicator_entities_omitted gauge
greenmetrics_indicator_entities_omitted{indicator="pm25"} 3
# HELP greenmetrics_indicator_value_ug_per_cubic_meter Newest observation of each indicator measured in micrograms per cubic metre (µg/m³, air quality), per entity (water section, station; empty for district-wide figures), with the entity's level (district for the district's own figures; reference series such as country or province are context and must not be summed with them). From the latest analysis snapshot (recomputed every analysis interval, not per scrape).
# TYPE greenmetrics_indicator_value_ug_per_cubic_meter gauge
greenmetrics_indicator_value_ug_per_cubic_meter{entity="",indicator="pm25",level="district"} 12
greenmetrics_indicator_value_ug_per_cubic_meter{entity="a",indicator="pm25",level="station"} 10
greenmetrics_indicator_value_ug_per_cubic_meter{entity="configured",indicator="pm25",level="station"} 10
`
	err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"greenmetrics_indicator_entities_omitted", "greenmetrics_indicator_value_ug_per_cubic_meter")
	if err != nil {
		t.Error(err)
	}
}

// TestValueLevels: per-entity values carry their entity's level, so a
// dashboard can keep the district's figures apart from overlapping
// reference series instead of summing China and its provinces.
func TestValueLevels(t *testing.T) {
	snap := &metrics.Snapshot{GeneratedAt: fixedTime, Year: 2024,
		Scope: config.Scope{District: "通州区", Levels: map[string]string{"China": "country"}}}
	for _, e := range []string{"China", "CN-BJ", "通州区"} {
		snap.Latest = append(snap.Latest, models.Observation{Time: fixedTime, Indicator: "co2_total_ceads", Entity: e, Value: 1e6})
	}
	ceads := models.Indicator{Code: "co2_total_ceads", NameZh: "二氧化碳排放总量（CEADs）", NameEn: "Total CO2 emissions (CEADs)", Domain: models.DomainCarbon,
		Unit: "tCO2", DisplayUnit: "万吨二氧化碳", Kind: models.KindFlow, Direction: models.DirectionLower, Aggregation: models.AggregateSum,
		Frequency: models.FrequencyAnnual, Entity: "region"}
	var st metrics.State
	st.Publish(snap)
	c, err := exporter.New(&st, append(fixtureCatalog(), ceads), exporter.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "greenmetrics_indicator_value_") {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			got[labels["entity"]] = labels["level"]
		}
	}
	for entity, want := range map[string]string{"China": "country", "CN-BJ": "province", "通州区": "district"} {
		if got[entity] != want {
			t.Errorf("level of %s = %q; want %q (all: %v)", entity, got[entity], want, got)
		}
	}
}

// TestFreshnessCountsOmittedEntities: an entity cut by the cap still proves
// the indicator is being reported.
func TestFreshnessCountsOmittedEntities(t *testing.T) {
	snap := &metrics.Snapshot{GeneratedAt: fixedTime, Year: 2024, Latest: []models.Observation{
		{Time: fixedTime.Add(-48 * time.Hour), Indicator: "pm25", Entity: "a", Value: 1},
		{Time: fixedTime, Indicator: "pm25", Entity: "z", Value: 1},
	}}
	c, _ := newCollector(t, snap, exporter.Options{MaxEntities: 1})
	want := `
# HELP greenmetrics_indicator_last_observation_timestamp_seconds Unix time of the newest stored observation of each indicator (over all entities and sources), stamped at the start of its period. From the latest analysis snapshot (recomputed every analysis interval, not per scrape).
# TYPE greenmetrics_indicator_last_observation_timestamp_seconds gauge
greenmetrics_indicator_last_observation_timestamp_seconds{indicator="pm25"} 1.7210088e+09
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "greenmetrics_indicator_last_observation_timestamp_seconds"); err != nil {
		t.Error(err)
	}
}

// TestNewSnapshotReplacesMetrics: a scrape after Publish shows the new
// snapshot, and scrapes of one snapshot agree.
func TestNewSnapshotReplacesMetrics(t *testing.T) {
	c, st := newCollector(t, fixtureSnapshot(), fixtureOptions())
	if got, want := testutil.ToFloat64(onlyFamily(c, "greenmetrics_snapshot_target_year")), 2024.0; got != want {
		t.Fatalf("target year = %v; want %v", got, want)
	}
	next := fixtureSnapshot()
	next.Year = 2025
	st.Publish(next)
	if got, want := testutil.ToFloat64(onlyFamily(c, "greenmetrics_snapshot_target_year")), 2025.0; got != want {
		t.Fatalf("target year after Publish = %v; want %v", got, want)
	}
}

// onlyFamily narrows c to one metric family, for testutil.ToFloat64.
func onlyFamily(c prometheus.Collector, name string) prometheus.Collector {
	return filtered{c, name}
}

type filtered struct {
	prometheus.Collector
	name string
}

func (f filtered) Collect(ch chan<- prometheus.Metric) {
	all := make(chan prometheus.Metric)
	go func() { f.Collector.Collect(all); close(all) }()
	for m := range all {
		if strings.Contains(m.Desc().String(), `fqName: "`+f.name+`"`) {
			ch <- m
		}
	}
}

// TestConcurrentScrapesAndPublishes is for -race: the engine publishes while
// Prometheus scrapes.
func TestConcurrentScrapesAndPublishes(t *testing.T) {
	c, st := newCollector(t, fixtureSnapshot(), fixtureOptions())
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if _, err := reg.Gather(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range 50 {
		s := fixtureSnapshot()
		s.Year = 2024 + i
		st.Publish(s)
	}
	wg.Wait()
}

func TestNewRejectsUnknownUnit(t *testing.T) {
	cat := []models.Indicator{{Code: "x", Unit: "furlongs"}}
	_, err := exporter.New(&metrics.State{}, cat, exporter.Options{})
	if err == nil || !strings.Contains(err.Error(), `"furlongs"`) {
		t.Fatalf("New(unit furlongs) = %v; want an error naming the unit", err)
	}
}

// TestDefaultCatalogHasFamilies: every unit of the embedded catalogue has a
// value family, so serve starts with the shipped catalogue.
func TestDefaultCatalogHasFamilies(t *testing.T) {
	cat, err := config.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	c, err := exporter.New(&metrics.State{}, cat.Indicators(), exporter.Options{})
	if err != nil {
		t.Fatalf("New(default catalogue) = %v", err)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	if n := testutil.CollectAndCount(c, "greenmetrics_indicator_info"); n != len(cat.Indicators()) {
		t.Errorf("indicator_info series = %d; want one per indicator (%d)", n, len(cat.Indicators()))
	}
}

func TestReportingInterval(t *testing.T) {
	tests := []struct {
		f    models.Frequency
		want time.Duration
	}{
		{models.FrequencyHourly, time.Hour},
		{models.FrequencyDaily, 24 * time.Hour},
		{models.FrequencyMonthly, 31 * 24 * time.Hour},
		{models.FrequencyQuarterly, 92 * 24 * time.Hour},
		{models.FrequencyAnnual, 366 * 24 * time.Hour},
		{"fortnightly", 0},
	}
	for _, tt := range tests {
		if got := exporter.ReportingInterval(tt.f); got != tt.want {
			t.Errorf("ReportingInterval(%q) = %v; want %v", tt.f, got, tt.want)
		}
	}
}

func TestOptionsFrom(t *testing.T) {
	a := config.Analysis{Interval: time.Minute, DueLag: map[models.Frequency]models.Lag{models.FrequencyMonthly: {Days: 20}}}
	w := config.Water{Sections: []config.WaterSection{{Name: "北关闸"}, {Name: "榆林庄"}}}
	got := exporter.OptionsFrom(a, w)
	if got.DueLag == nil || got.DueLag(models.Indicator{Frequency: models.FrequencyMonthly}) != (models.Lag{Days: 20}) ||
		got.AnalysisInterval != time.Minute ||
		len(got.Entities) != 2 || got.Entities[0] != "北关闸" || got.Entities[1] != "榆林庄" {
		t.Errorf("OptionsFrom(%+v, %+v) = %+v", a, w, got)
	}
}

// TestDocsListEveryFamily keeps docs/metrics.md in step with the code: every
// family the collector describes is named there (per-unit families by their
// unit suffix in the unit table).
func TestDocsListEveryFamily(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := newCollector(t, nil, exporter.Options{})
	ch := make(chan *prometheus.Desc)
	go func() { c.Describe(ch); close(ch) }()
	perUnit := regexp.MustCompile(`^greenmetrics_indicator_(value|actual|target|projected)_(.+)$`)
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range ch {
		name := fqName.FindStringSubmatch(d.String())[1]
		want := "`" + name + "`"
		if m := perUnit.FindStringSubmatch(name); m != nil && !bytes.Contains(doc, []byte(want)) {
			want = "`" + m[2] + "`"
		}
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("docs/metrics.md does not mention %s (looked for %s)", name, want)
		}
	}
}

// TestNextDue: the due date follows the newest figure's period and the
// lag, names the provider of the newest figure, and leaves the engine's
// own figures out.
func TestNextDue(t *testing.T) {
	snap := fixtureSnapshot()
	snap.Latest = append(snap.Latest,
		models.Observation{Time: month(time.July), Indicator: "public_kindergartens_opened", Value: 1, Provider: models.ProviderDerived})
	opts := fixtureOptions()
	opts.DueLag = func(ind models.Indicator) models.Lag {
		if ind.Code == "electricity_consumption" {
			return models.Lag{Months: 11}
		}
		return models.DefaultLag(ind.Frequency)
	}
	c, _ := newCollector(t, snap, opts)
	sh := func(y int, m time.Month, d int) float64 {
		return float64(time.Date(y, m, d, 0, 0, 0, 0, models.Shanghai).Unix())
	}
	want := map[string]struct {
		provider string
		due      float64
	}{
		// June's figure stored: July's is due by 15 August.
		"public_kindergartens_opened": {"report", sh(2024, 8, 16)},
		"co2_emissions":               {"report", sh(2024, 8, 16)},
		// 2024's annual figure stored: 2025's is due 11 months after 2025.
		"electricity_consumption": {"report", sh(2026, 12, 1)},
		"codmn":                   {"cnemc", sh(2024, 8, 16)},
	}
	got := map[string]bool{}
	for _, m := range collect(t, c, "greenmetrics_indicator_next_due_timestamp_seconds") {
		code, provider := m.labels["indicator"], m.labels["provider"]
		got[code] = true
		w, ok := want[code]
		if !ok {
			continue
		}
		if provider != w.provider || m.value != w.due {
			t.Errorf("%s: provider %q due %v; want %q %v", code, provider,
				time.Unix(int64(m.value), 0).In(models.Shanghai), w.provider, time.Unix(int64(w.due), 0).In(models.Shanghai))
		}
	}
	for code := range want {
		if !got[code] {
			t.Errorf("%s: no next-due series", code)
		}
	}
}

// sample is one exposed series: its labels and value.
type sample struct {
	labels map[string]string
	value  float64
}

var sampleLine = regexp.MustCompile(`^\w+\{(.*)\} (\S+)$`)
var labelPair = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)

// collect gathers the family name of c from its text exposition.
func collect(t *testing.T, c prometheus.Collector, name string) []sample {
	t.Helper()
	text, err := testutil.CollectAndFormat(c, expfmt.TypeTextPlain, name)
	if err != nil {
		t.Fatal(err)
	}
	var out []sample
	for _, line := range strings.Split(string(text), "\n") {
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s := sample{labels: map[string]string{}}
		for _, p := range labelPair.FindAllStringSubmatch(m[1], -1) {
			s.labels[p[1]] = p[2]
		}
		fmt.Sscan(m[2], &s.value)
		out = append(out, s)
	}
	return out
}

func TestDisplayScale(t *testing.T) {
	tests := []struct {
		unit, display string
		want          float64
	}{
		{"CNY", "亿元", 1e8},
		{"CNY", "万亿元", 1e12},
		{"m2", "万平方米", 1e4},
		{"tCO2", "万吨二氧化碳", 1e4},
		{"kWh", "亿千瓦时", 1e8},
		{"count", "所", 1},
		{"ug/m3", "微克/立方米", 1},
	}
	for _, tt := range tests {
		if got := exporter.DisplayScale(models.Indicator{Unit: tt.unit, DisplayUnit: tt.display}); math.Abs(got-tt.want) > 1e-9*tt.want {
			t.Errorf("DisplayScale(%s in %s) = %v; want %v", tt.unit, tt.display, got, tt.want)
		}
	}
}
