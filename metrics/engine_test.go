package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/analysis"
	"github.com/greenmetrics/greenmetrics/store"
)

// memStore is an in-memory Reader that keeps the store's contract:
// Observations returns one figure per entity and time (the latest written
// wins, whatever its provider), derived figures only WithDerived and only
// where no reported figure of that entity and time exists; Query answers
// the one statement the engine sends (daily aggregates of an hourly
// series, with their count and first and last provider) as InfluxDB does,
// with Shanghai day buckets.
type memStore struct {
	mu    sync.Mutex
	obs   []models.Observation
	reads int
	fail  error
}

func (m *memStore) Observations(_ context.Context, f models.FigureQuery) ([]models.Observation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	if m.fail != nil {
		return nil, m.fail
	}
	type key struct {
		entity string
		t      int64
	}
	reported, derived := map[key]models.Observation{}, map[key]models.Observation{}
	for _, o := range m.obs {
		if o.Indicator != f.Indicator || o.Time.Before(f.Start) || !o.Time.Before(f.End) || (f.Entity != "" && o.Entity != f.Entity) {
			continue
		}
		if o.Provider == models.ProviderDerived {
			derived[key{o.Entity, o.Time.Unix()}] = o
		} else {
			reported[key{o.Entity, o.Time.Unix()}] = o
		}
	}
	var out, der []models.Observation
	for _, o := range reported {
		out = append(out, o)
	}
	if f.WithDerived {
		for _, o := range derived {
			der = append(der, o)
		}
	}
	out = models.PreferReported(out, der)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Entity != out[j].Entity {
			return out[i].Entity < out[j].Entity
		}
		return out[i].Time.Before(out[j].Time)
	})
	return out, nil
}

// DailyAggregates aggregates the stored hours per entity and Shanghai day
// as InfluxDB's GROUP BY time(1d) tz('Asia/Shanghai') does.
func (m *memStore) DailyAggregates(_ context.Context, indicator string, agg models.Aggregation, start, end time.Time) ([]models.DailyFigure, error) {
	obs, _ := m.Observations(context.Background(), models.FigureQuery{Indicator: indicator, Start: start, End: end})
	sort.Slice(obs, func(i, j int) bool { return obs[i].Time.Before(obs[j].Time) })
	days := map[string]map[int64][]models.Observation{}
	for _, o := range obs {
		t := o.Time.In(models.Shanghai)
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, models.Shanghai).Unix()
		if days[o.Entity] == nil {
			days[o.Entity] = map[int64][]models.Observation{}
		}
		days[o.Entity][day] = append(days[o.Entity][day], o)
	}
	var out []models.DailyFigure
	// Entities in order, as InfluxDB returns the series of a GROUP BY.
	for _, entity := range slices.Sorted(maps.Keys(days)) {
		byDay := days[entity]
		for _, k := range slices.Sorted(maps.Keys(byDay)) {
			day := byDay[k]
			var total float64
			for _, o := range day {
				total += o.Value
			}
			v := day[len(day)-1].Value
			switch agg {
			case models.AggregateSum:
				v = total
			case models.AggregateLast:
			default:
				v = total / float64(len(day))
			}
			d := models.DailyFigure{Observation: models.Observation{Time: time.Unix(k, 0).In(models.Shanghai), Indicator: indicator, Entity: entity, Value: v}, Hours: len(day)}
			if day[0].Provider == models.ProviderDemo || day[len(day)-1].Provider == models.ProviderDemo {
				d.Provider = models.ProviderDemo
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// memWriter records the points the results are stored as (store owns
// them: store.ResultPoints) and fails the first failures writes with err.
type memWriter struct {
	mu       sync.Mutex
	points   []store.Point
	calls    int
	failures int
	err      error
}

func (w *memWriter) WriteResults(_ context.Context, r analysis.Results) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls++
	if w.calls <= w.failures {
		return w.err
	}
	points := store.ResultPoints(r)
	for _, p := range points {
		if _, err := store.EncodePoint(p); err != nil {
			return err
		}
	}
	w.points = append(w.points, points...)
	return nil
}

// waterSection is a synthetic assessed section: its monthly values of the
// five national items ("5+X" core) and its target class.
type waterSection struct {
	name   string
	target int
	odd    map[string]float64 // January, March, …
	even   map[string]float64 // February, April, …
}

var (
	classII  = map[string]float64{"ph": 7.5, "do": 6.5, "codmn": 3.5, "nh3n": 0.4, "tp": 0.08}
	classIII = map[string]float64{"ph": 7.6, "do": 5.5, "codmn": 5.0, "nh3n": 0.8, "tp": 0.15}
	classIV  = map[string]float64{"ph": 7.8, "do": 4.0, "codmn": 8.0, "nh3n": 1.2, "tp": 0.25}
	// Months alternate Ⅲ (NH3-N 0.8) and Ⅳ (1.2); the mean is exactly the
	// Ⅲ limit 1.0, still Ⅲ — if it is formed on the decimal values.
	alternating = map[string]float64{"ph": 7.6, "do": 5.5, "codmn": 5.0, "nh3n": 1.2, "tp": 0.15}
)

// testSections are eight sections, four at Ⅲ or better and all at Ⅳ or
// better over the year — the report's "8个国市控考核断面水质全部达到Ⅳ类以上，
// 其中4个实现Ⅲ类" — with one (S8) short of its Ⅲ target.
var testSections = []waterSection{
	{"S1", 3, classII, classII},
	{"S2", 3, classIII, alternating},
	{"S3", 4, classIII, classIII},
	{"S4", 4, classII, classII},
	{"S5", 4, classIV, classIV},
	{"S6", 4, classIV, classIV},
	{"S7", 4, classIV, classIV},
	{"S8", 3, classIV, classIV},
}

func waterConfig() config.Water {
	var w config.Water
	for _, s := range testSections {
		w.Sections = append(w.Sections, config.WaterSection{Name: s.name, WaterBody: "river", TargetClass: s.target,
			Items: []string{"ph", "do", "codmn", "nh3n", "tp"}, Level: "national"})
	}
	return w
}

// waterSamples are the sections' monthly samples, taken on the 10th.
func waterSamples(year int, months int) []models.Observation {
	var out []models.Observation
	for _, s := range testSections {
		for m := 1; m <= months; m++ {
			vals := s.odd
			if m%2 == 0 {
				vals = s.even
			}
			for code, v := range vals {
				out = append(out, models.Observation{Time: time.Date(year, time.Month(m), 10, 9, 0, 0, 0, models.Shanghai),
					Indicator: code, Entity: s.name, Value: v, Provider: "cnemc"})
			}
		}
	}
	return out
}

func testAnalysis() config.Analysis {
	return config.Analysis{Interval: time.Hour, Window: 5 * 365 * 24 * time.Hour, Alpha: 0.05, StaleGrace: time.Hour}
}

func testEngine(t *testing.T, r HistoryReader, w ResultWriter, st *State) *Engine {
	t.Helper()
	cat, err := config.SeedCatalog()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{Indicators: cat.Indicators(), Analysis: testAnalysis(), Water: waterConfig(),
		Reader: r, Writer: w, State: st, WriteRetryWait: time.Millisecond,
		Now: func() time.Time { return at(2024, 12, 20) }})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEngineWaterStandingsAndDerivedObservations(t *testing.T) {
	mem := &memStore{obs: waterSamples(2024, 12)}
	w := &memWriter{}
	var st State
	e := testEngine(t, mem, w, &st)
	snap, err := e.RunAt(context.Background(), at(2024, 12, 20), 2024)
	if err != nil {
		t.Fatalf("RunAt: %v", err)
	}
	if st.Current() != snap {
		t.Error("RunAt did not publish its snapshot")
	}
	d := snap.Water.District
	if d.Sections != 8 || d.IVOrBetter != 8 || d.IIIOrBetter != 4 || d.GoodRatio != 0.5 || d.InferiorVRatio != 0 || !approx(d.AttainmentRatio, 7.0/8) {
		t.Errorf("district = %+v; want 8 sections, 8 at Ⅳ or better, 4 at Ⅲ, 50%%, 0%%, attainment 7/8", d)
	}
	for _, s := range snap.Water.Sections {
		if s.Name == "S2" && (s.Class != 3 || s.Samples != 12) {
			t.Errorf("S2 = %+v; want class Ⅲ from the mean NH3-N 1.0 over 12 samples (months alternate Ⅲ and Ⅳ)", s)
		}
		if s.Name == "S8" && (s.Attained || len(s.MainPollutants) == 0) {
			t.Errorf("S8 = %+v; want not attained (Ⅳ against Ⅲ) with main pollutants", s)
		}
	}
	// Monthly derived figures: in even months S2 is Ⅳ, so only 3 sections
	// reach Ⅲ; the year-to-date progress uses the means (4).
	derived := map[string]float64{}
	for _, p := range w.points {
		if p.Measurement == store.MeasurementDerived && p.Tags[store.TagEntity] == "" {
			derived[p.Tags[store.TagIndicator]+"@"+p.Time.In(models.Shanghai).Format("2006-01")] = p.Fields[store.FieldValue].(float64)
		}
	}
	for key, want := range map[string]float64{
		"sections_iii_or_better@2024-01": 4, "sections_iii_or_better@2024-02": 3,
		"sections_iv_or_better@2024-02": 8, "assessed_sections@2024-12": 8,
		"water_good_ratio@2024-02": 0.375, "water_inferior_v_ratio@2024-03": 0, "water_attainment_ratio@2024-01": 7.0 / 8,
	} {
		if got, ok := derived[key]; !ok || !approx(got, want) {
			t.Errorf("derived %s = %v (present %v); want %v", key, got, ok, want)
		}
	}
	if p := snap.Progress["sections_iii_or_better"]; p.Actual != 4 || p.PeriodValue != 3 || p.Status != models.StatusNoTarget {
		t.Errorf("progress sections_iii_or_better = actual %v, 本月值 %v, %s; want 4 from year-to-date means, 3 in December, no_target", p.Actual, p.PeriodValue, p.Status)
	}
	if p := snap.Progress["water_good_ratio"]; p.Actual != 0.5 || p.PeriodValue != 0.375 || !approx(p.YoY, nan) || p.Status != models.StatusNoTarget {
		t.Errorf("progress water_good_ratio = %+v; want 0.5 year to date, 37.5%% in December, no 2023 month to compare, no target", p)
	}
	if _, err := json.Marshal(snap); err != nil {
		t.Errorf("json.Marshal(snapshot) = %v; a snapshot with NaN must still encode", err)
	}
}

func TestEngineProgressForecastTrend(t *testing.T) {
	obs := join(
		monthly("rural_sewage_stations_built", 2024, 1, repeat(5, 11)...),
		monthly("general_budget_revenue", 2022, 1, repeat(0.75e9, 12)...),
		monthly("general_budget_revenue", 2023, 1, repeat(0.8e9, 12)...),
		monthly("general_budget_revenue", 2024, 1, repeat(0.85e9, 11)...),
		monthly("urban_registered_unemployment_rate", 2023, 1, repeat(0.041, 12)...),
		monthly("urban_registered_unemployment_rate", 2024, 1, 0.040, 0.042, 0.041, 0.043, 0.042, 0.044, 0.043, 0.045, 0.044, 0.046, 0.045),
		[]models.Observation{{Time: at(2023, 1, 1), Indicator: "energy_intensity", Value: 0.32, Provider: "nbs"}},
	)
	e := testEngine(t, &memStore{obs: obs}, nil, nil)
	snap, err := e.RunAt(context.Background(), at(2024, 12, 20), 2024)
	if err != nil {
		t.Fatal(err)
	}
	sewage := snap.Progress["rural_sewage_stations_built"]
	if sewage.Actual != 55 || !approx(sewage.TimeProgress, 11.0/12) || sewage.Status != models.StatusBehind {
		t.Errorf("sewage = %v, 序时 %v, %s; want 55, 11/12, behind", sewage.Actual, sewage.TimeProgress, sewage.Status)
	}
	rev := snap.Progress["general_budget_revenue"]
	if !approx(rev.Target, 9.6e9*1.04) || rev.TargetBasis != BasisGrowthHistory {
		t.Errorf("revenue target = %v (%s); want 9.984e9 from the stored 2023 total", rev.Target, rev.TargetBasis)
	}
	if ei := snap.Progress["energy_intensity"]; ei.Status != models.StatusMunicipal || !math.IsNaN(ei.Target) {
		t.Errorf("energy_intensity = %s, target %v; want municipal, NaN", ei.Status, ei.Target)
	}
	if _, ok := snap.Progress["prefab_building_started_area"]; ok {
		t.Error("an indicator with neither data nor a target has a progress entry")
	}
	f, ok := snap.Forecasts["general_budget_revenue"]
	if !ok {
		t.Fatal("no forecast for general_budget_revenue")
	}
	// 11 observed months of 0.85e9 and a flat seasonal pace: about 10.2e9.
	if f.Projected < 10.1e9 || f.Projected > 10.3e9 || f.ProbabilityMeet < 0.9 || f.Lower > f.Projected || f.Upper < f.Projected {
		t.Errorf("forecast = %+v; want ≈1.02e10 inside its interval, likely to meet 9.984e9", f)
	}
	// A rate target (城镇登记失业率 5%以内) has no 完成率, projected or not:
	// only the chance of staying within it.
	if uf, ok := snap.Forecasts["urban_registered_unemployment_rate"]; !ok || !math.IsNaN(uf.ProjectedCompletion) || math.IsNaN(uf.ProbabilityMeet) {
		t.Errorf("unemployment forecast = %+v (found %v); want no projected completion and a probability", uf, ok)
	}
	var found bool
	for _, tr := range snap.Trends {
		if tr.Indicator == "general_budget_revenue" {
			found = true
			if tr.Method != MethodSeasonalMannKendall || tr.Direction != "increasing" || !approx(tr.SlopePerYear, 0.05e9) {
				t.Errorf("trend = %+v; want seasonal, increasing, 0.05e9 per year", tr)
			}
		}
	}
	if !found {
		t.Error("no trend for general_budget_revenue")
	}
}

func TestEngineWriteRetries(t *testing.T) {
	obs := monthly("rural_sewage_stations_built", 2024, 1, 5, 5)
	tests := []struct {
		name      string
		failures  int
		err       error
		wantCalls int
		wantErr   bool
	}{
		{"503 twice then success", 2, &store.WriteError{StatusCode: http.StatusServiceUnavailable}, 3, false},
		{"400 is not retried", 5, &store.WriteError{StatusCode: http.StatusBadRequest}, 1, true},
		{"retries run out", 10, &store.WriteError{StatusCode: 0, Err: errors.New("connection refused")}, 4, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &memWriter{failures: tc.failures, err: tc.err}
			var st State
			e := testEngine(t, &memStore{obs: obs}, w, &st)
			snap, err := e.RunAt(context.Background(), at(2024, 3, 5), 2024)
			if (err != nil) != tc.wantErr || w.calls != tc.wantCalls {
				t.Errorf("RunAt error = %v after %d calls; want error %v after %d", err, w.calls, tc.wantErr, tc.wantCalls)
			}
			if snap == nil || st.Current() != snap {
				t.Error("a write failure must still return and publish the snapshot")
			}
		})
	}
}

func TestEngineReadFailureKeepsPreviousSnapshot(t *testing.T) {
	mem := &memStore{obs: monthly("rural_sewage_stations_built", 2024, 1, 5)}
	var st State
	e := testEngine(t, mem, nil, &st)
	first, err := e.RunAt(context.Background(), at(2024, 3, 5), 2024)
	if err != nil {
		t.Fatal(err)
	}
	mem.fail = errors.New("influxdb down")
	if snap, err := e.RunAt(context.Background(), at(2024, 3, 5), 2024); err == nil || snap != nil {
		t.Errorf("RunAt with failing reads = %v, %v; want an error and no snapshot", snap, err)
	}
	if st.Current() != first {
		t.Error("a failed run replaced the published snapshot")
	}
}

// unreachableErr is a read error that says the history cannot be reached.
type unreachableErr struct{}

func (unreachableErr) Error() string     { return "dial tcp: connection refused" }
func (unreachableErr) Unreachable() bool { return true }

// TestEngineReadStopsWhenUnreachable: a run whose history cannot be reached
// stops at the first read that says so, with one error rather than one per
// indicator; any other read error leaves the other indicators to be read
// (and reported).
func TestEngineReadStopsWhenUnreachable(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		wantReads int
	}{
		{"unreachable", fmt.Errorf("reading: %w", unreachableErr{}), 1},
		{"other error", errors.New("influxql: HTTP 500"), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := &memStore{obs: monthly("rural_sewage_stations_built", 2024, 1, 5), fail: tc.err}
			cat, _ := config.SeedCatalog()
			e, err := New(Options{Indicators: cat.Indicators()[:3], Analysis: testAnalysis(), Reader: mem})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.RunAt(context.Background(), at(2024, 3, 5), 2024); err == nil || mem.reads != tc.wantReads {
				t.Errorf("RunAt = %v after %d reads; want an error after %d", err, mem.reads, tc.wantReads)
			}
		})
	}
}

func TestEngineRunStopsWithContext(t *testing.T) {
	mem := &memStore{obs: monthly("rural_sewage_stations_built", 2024, 1, 5)}
	var st State
	cat, _ := config.SeedCatalog()
	a := testAnalysis()
	a.Interval = 5 * time.Millisecond
	e, err := New(Options{Indicators: cat.Indicators()[:3], Analysis: a, Reader: mem, State: &st})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	deadline := time.After(5 * time.Second)
	for {
		mem.mu.Lock()
		reads := mem.reads
		mem.mu.Unlock()
		if reads >= 9 { // three runs of three indicators
			break
		}
		select {
		case <-deadline:
			t.Fatalf("Run did not repeat: %d reads", reads)
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v after cancel; want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if st.Current() == nil {
		t.Error("Run published no snapshot")
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	cat, _ := config.SeedCatalog()
	bad := waterConfig()
	bad.Sections[0].Items = []string{"chlorophyll"}
	tests := []struct {
		name string
		o    Options
	}{
		{"no reader", Options{Indicators: cat.Indicators(), Analysis: testAnalysis()}},
		{"no catalogue", Options{Reader: &memStore{}, Analysis: testAnalysis()}},
		{"zero interval", Options{Reader: &memStore{}, Indicators: cat.Indicators(), Analysis: config.Analysis{Window: time.Hour, Alpha: 0.05}}},
		{"unknown water item", Options{Reader: &memStore{}, Indicators: cat.Indicators(), Analysis: testAnalysis(), Water: bad}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.o); err == nil {
				t.Errorf("New(%s) succeeded; want an error", tc.name)
			}
		})
	}
}

func TestDistrictStandingJSON(t *testing.T) {
	d := DistrictStanding{Sections: 8, IVOrBetter: 8, IIIOrBetter: 4, GoodRatio: 0.5, InferiorVRatio: 0, AttainmentRatio: math.NaN()}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	rt := reflect.TypeOf(d)
	for i := range rt.NumField() {
		name, _, _ := jsonFieldName(rt.Field(i))
		if _, ok := m[name]; !ok {
			t.Errorf("json.Marshal(DistrictStanding) lacks %q: %s", name, b)
		}
	}
	if m["attainment_ratio"] != nil || m["good_ratio"] != 0.5 {
		t.Errorf("json.Marshal(DistrictStanding) = %s; want attainment_ratio null, good_ratio 0.5", b)
	}
	var back DistrictStanding
	if err := json.Unmarshal(b, &back); err != nil || !math.IsNaN(back.AttainmentRatio) || back.IIIOrBetter != 4 {
		t.Errorf("round trip = %+v, %v", back, err)
	}
}

func jsonFieldName(sf reflect.StructField) (string, bool, bool) {
	tag := sf.Tag.Get("json")
	for i := 0; i < len(tag); i++ {
		if tag[i] == ',' {
			return tag[:i], false, false
		}
	}
	return tag, false, false
}

func TestEngineCarbonAccounting(t *testing.T) {
	factors, err := config.DefaultFactors()
	if err != nil {
		t.Fatal(err)
	}
	gas := join(monthly("natural_gas_consumption", 2023, 1, repeat(1e4, 12)...),
		monthly("natural_gas_consumption", 2024, 1, append([]float64{1e4, 1e4, nan}, repeat(1e4, 8)...)...)) // no March 2024
	obs := join(
		monthly("electricity_consumption", 2023, 1, repeat(1e6, 23)...), // 1 000 MWh a month, 2023-01 … 2024-11
		gas,
		quarterly("gdp", 2023, 1, 2.5e9, 2.5e9, 2.5e9, 2.5e9),
		monthly("energy_consumption_total", 2023, 1, repeat(100, 12)...),
		[]models.Observation{{Time: at(2024, 1, 1), Indicator: "co2_emissions", Value: 600, Provider: "bureau"}},
	)
	cat, _ := config.SeedCatalog()
	w := &memWriter{}
	e, err := New(Options{Indicators: cat.Indicators(), Analysis: testAnalysis(), Reader: &memStore{obs: obs}, Writer: w,
		Factors: factors.Table, Selection: config.Default().Carbon.Selection()})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := e.RunAt(context.Background(), at(2024, 12, 20), 2024)
	if err != nil {
		t.Fatal(err)
	}
	// 1 000 MWh × Beijing 0.5554 (2023; the newest factor for 2024 too) + 10 000 Nm³ × 21.62/10⁴.
	const month = 1000*0.5554 + 21.62
	derived := map[string]float64{}
	carbonPts := map[string]store.Point{}
	for _, p := range w.points {
		key := p.Tags[store.TagIndicator] + "@" + p.Time.In(models.Shanghai).Format("2006-01")
		switch {
		case p.Measurement == store.MeasurementDerived:
			derived[key] = p.Fields[store.FieldValue].(float64)
		case p.Measurement == store.MeasurementCarbon:
			carbonPts[p.Tags["activity"]+"@"+p.Time.In(models.Shanghai).Format("2006-01")] = p
		}
	}
	for key, want := range map[string]float64{
		"co2_emissions@2023-01":    month,
		"co2_emissions@2024-02":    month,
		"carbon_intensity@2023-01": 12 * month / 1e6, // tCO2 per 10⁴ CNY of a 100亿元 GDP
		"energy_intensity@2023-01": 1200.0 / 1e6,
	} {
		if got, ok := derived[key]; !ok || !approx(got, want) {
			t.Errorf("derived %s = %v (present %v); want %v", key, got, ok, want)
		}
	}
	if _, ok := derived["co2_emissions@2024-03"]; ok {
		t.Error("March 2024 has no gas figure but got a co2_emissions total: it would be understated")
	}
	if _, ok := derived["carbon_intensity@2024-01"]; ok {
		t.Error("2024 is incomplete (no December, no GDP) but got a carbon intensity")
	}
	p, ok := carbonPts["electricity@2024-02"]
	if !ok || p.Fields["factor_id"] != "mee_nbs_2023_beijing" || p.Fields["factor_year"] != 2023.0 || !approx(p.Fields["emissions"].(float64), 555.4) {
		t.Errorf("carbon point electricity 2024-02 = %+v; want factor mee_nbs_2023_beijing of 2023, 555.4 tCO2", p)
	}
	// The bureau's reported January figure wins over the derived one.
	if got, want := snap.Progress["co2_emissions"].Actual, 600+9*month; !approx(got, want) {
		t.Errorf("co2_emissions 累计 = %v; want %v (reported January + 9 derived months)", got, want)
	}
}

// TestDerivedFromDemoStaysDemo: CO2 computed from the demo's electricity is
// derived and still demo (the report marks it 演示); from real activity
// data it is plainly derived; either goes to the derived measurement.
func TestDerivedFromDemoStaysDemo(t *testing.T) {
	factors, err := config.DefaultFactors()
	if err != nil {
		t.Fatal(err)
	}
	elec := monthly("electricity_consumption", 2024, 1, 1e6, 1e6)
	elec[1].Provider = models.ProviderDemo // February is the demo's
	cat, _ := config.SeedCatalog()
	w := &memWriter{}
	e, err := New(Options{Indicators: cat.Indicators(), Analysis: testAnalysis(), Reader: &memStore{obs: elec}, Writer: w,
		Factors: factors.Table, Selection: config.Default().Carbon.Selection()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.RunAt(context.Background(), at(2024, 3, 20), 2024); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range w.points {
		if p.Tags[store.TagIndicator] == "co2_emissions" && p.Fields[store.FieldProvider] != nil {
			if p.Measurement != store.MeasurementDerived {
				t.Errorf("co2_emissions written to %s, want %s", p.Measurement, store.MeasurementDerived)
			}
			got[p.Time.In(models.Shanghai).Format("2006-01")] = p.Fields[store.FieldProvider].(string)
		}
	}
	want := map[string]string{"2024-01": models.ProviderDerived, "2024-02": models.ProviderDerivedFromDemo}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("providers of derived co2_emissions = %v, want %v", got, want)
	}
}

// TestEngineCarbonLeavesPowerPlantGasToTheGrid: gas burnt for power is
// part of natural_gas_consumption; while electricity consumption is
// counted, its CO2 is in the grid factor, so the month counts only the
// final-use gas, and the carbon record says what was left out and why.
func TestEngineCarbonLeavesPowerPlantGasToTheGrid(t *testing.T) {
	factors, err := config.DefaultFactors()
	if err != nil {
		t.Fatal(err)
	}
	obs := join(
		monthly("electricity_consumption", 2024, 1, repeat(1e6, 3)...),  // 1 000 MWh
		monthly("natural_gas_consumption", 2024, 1, repeat(5e4, 3)...),  // 50 000 Nm³ in all …
		monthly("natural_gas_power_generation", 2024, 1, 3e4, 3e4, 6e4), // … 30 000 of them in a power plant; March's part exceeds the total
	)
	cat, _ := config.SeedCatalog()
	w := &memWriter{}
	e, err := New(Options{Indicators: cat.Indicators(), Analysis: testAnalysis(), Reader: &memStore{obs: obs}, Writer: w,
		Factors: factors.Table, Selection: config.Default().Carbon.Selection()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.RunAt(context.Background(), at(2024, 4, 20), 2024); err != nil {
		t.Fatal(err)
	}
	derived := map[string]float64{}
	var excluded []store.Point
	for _, p := range w.points {
		month := p.Time.In(models.Shanghai).Format("2006-01")
		switch {
		case p.Measurement == store.MeasurementDerived && p.Tags[store.TagIndicator] == "co2_emissions":
			derived[month] = p.Fields[store.FieldValue].(float64)
		case p.Measurement == store.MeasurementCarbon && p.Fields["excluded"] != nil:
			excluded = append(excluded, p)
		}
	}
	// 1 000 MWh × 0.5554 + (50 000 − 30 000) Nm³ × 21.62/10⁴; not + 30 000 Nm³ more.
	if got, want := derived["2024-01"], 1000*0.5554+2*21.62; !approx(got, want) {
		t.Errorf("co2_emissions 2024-01 = %v, want %v (power-plant gas counted once, in the grid factor)", got, want)
	}
	if _, ok := derived["2024-03"]; ok {
		t.Error("March's power-plant gas exceeds the total: the month must be skipped, not given a negative final use")
	}
	if len(excluded) != 2 || excluded[0].Tags["use"] != "power_generation" || excluded[0].Fields["amount"] != 3e4 ||
		!strings.Contains(excluded[0].Fields["excluded"].(string), "electricity consumption line already counts it") {
		t.Errorf("excluded carbon records = %+v, want January and February's 30 000 Nm³ with their reason", excluded)
	}
}

// TestEngineWaterNotesMeasuredItemsOutsideTheSet: COD 45 mg/L measured at a
// section that evaluates the five national items stays out of its class,
// and the standing says so, with the class it would give.
func TestEngineWaterNotesMeasuredItemsOutsideTheSet(t *testing.T) {
	obs := append(waterSamples(2024, 12), models.Observation{Time: time.Date(2024, 3, 10, 9, 0, 0, 0, models.Shanghai),
		Indicator: "cod", Entity: "S1", Value: 45, Provider: "cnemc"})
	e := testEngine(t, &memStore{obs: obs}, &memWriter{}, nil)
	snap, err := e.RunAt(context.Background(), at(2024, 12, 20), 2024)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snap.Water.Sections {
		switch {
		case s.Name == "S1":
			want := []string{"未纳入本断面评价项目、未参与定类的监测项目：化学需氧量45 mg/L（劣Ⅴ类，纳入评价则断面为劣Ⅴ类）"}
			if s.Class != 2 || !reflect.DeepEqual(s.Notes, want) {
				t.Errorf("S1 = class %d, notes %q; want Ⅱ with %q", s.Class, s.Notes, want)
			}
		case len(s.Notes) > 0:
			t.Errorf("%s has notes %q but measured nothing outside its items", s.Name, s.Notes)
		}
	}
}
