package exporter_test

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/proto"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/metrics/exporter"
	"github.com/greenmetrics/greenmetrics/models"
)

// largeEntities is ten times the entities the default caps export: 1 000
// water sections and 1 000 air stations.
const largeEntities = 1000

// sectionItems are what every section of the large snapshot measures: the
// five items of the demo configuration's sections.
var sectionItems = map[string]bool{"ph": true, "do": true, "codmn": true, "nh3n": true, "tp": true}

// largeSnapshot is a snapshot of the default catalogue with a progress,
// forecast and district figure per indicator, n stations measuring every
// per-station indicator (the six air pollutants) and n water sections
// measuring the five sectionItems, each with its trend, and the n sections
// classed.
func largeSnapshot(tb testing.TB, n int) (*metrics.Snapshot, []models.Indicator) {
	tb.Helper()
	cat, err := config.DefaultCatalog()
	if err != nil {
		tb.Fatal(err)
	}
	inds := cat.Indicators()
	s := &metrics.Snapshot{
		GeneratedAt: fixedTime, Year: 2024, Indicators: inds,
		Progress:  map[string]models.Progress{},
		Forecasts: map[string]models.Forecast{},
		Water:     metrics.WaterStanding{From: month(time.January), To: month(time.July)},
	}
	stations, sections := make([]string, n), make([]string, n)
	for i := range n {
		stations[i] = fmt.Sprintf("站点%04d", i)
		sections[i] = fmt.Sprintf("断面%04d", i)
		s.Water.Sections = append(s.Water.Sections, metrics.SectionStanding{
			Name: sections[i], WaterBody: "river", Class: 1 + i%6, TargetClass: 4, Attained: i%6 < 4,
			MainPollutants: []string{"codmn", "tp", "nh3n"}, Samples: 6, LastSample: month(time.June)})
	}
	s.Water.District = metrics.DistrictStanding{Sections: n, GoodRatio: 0.5, InferiorVRatio: 0.1, AttainmentRatio: 0.6}
	for k, ind := range inds {
		v := float64(k + 1)
		s.Progress[ind.Code] = models.Progress{Indicator: ind.Code, Year: 2024, AsOf: fixedTime, Actual: v, Latest: v,
			LatestTime: month(time.June), Target: 2 * v, Completion: 0.5, TimeProgress: 0.5, Status: models.StatusAhead, Observations: 6}
		s.Forecasts[ind.Code] = models.Forecast{Indicator: ind.Code, Year: 2024, AsOf: fixedTime,
			Projected: 2 * v, Lower: v, Upper: 3 * v, Level: 0.9, ProjectedCompletion: 1, ProbabilityMeet: 0.5, Method: "linear"}
		s.Latest = append(s.Latest, models.Observation{Time: month(time.June), Indicator: ind.Code, Value: v, Provider: "report"})
		var entities []string
		switch ind.Entity {
		case "station":
			entities = stations
		case "section":
			if sectionItems[ind.Code] {
				entities = sections
			}
		}
		for i, e := range entities {
			s.Latest = append(s.Latest, models.Observation{Time: month(time.June), Indicator: ind.Code, Entity: e, Value: v + float64(i), Provider: "cnemc"})
			s.Trends = append(s.Trends, models.TrendSummary{Indicator: ind.Code, Entity: e, Method: "mann-kendall", Direction: "no trend", P: 0.4, N: 48})
		}
	}
	return s, inds
}

// largeHandler serves /metrics as `greenmetrics serve` does (the process,
// Go and build metrics beside the collector) over a large snapshot, with
// the sections configured (OptionsFrom) and the caps at their defaults, or
// with the caps raised so that every entity is exported.
func largeHandler(tb testing.TB, uncapped bool) (http.Handler, *exporter.Collector, *metrics.State) {
	snap, inds := largeSnapshot(tb, largeEntities)
	var st metrics.State
	st.Publish(snap)
	opts := exporter.Options{AnalysisInterval: 15 * time.Minute}
	if uncapped {
		opts.MaxEntities, opts.MaxSections = largeEntities, largeEntities
	}
	for _, sec := range snap.Water.Sections {
		opts.Entities = append(opts.Entities, sec.Name)
	}
	c, err := exporter.New(&st, inds, opts)
	if err != nil {
		tb.Fatal(err)
	}
	reg := exporter.NewRegistry("bench", nil, exporter.ProviderLabels{})
	return exporter.Handler(reg, c), c, &st
}

// scrape GETs /metrics from h and returns the body's size.
func scrape(tb testing.TB, h http.Handler) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET /metrics = %d: %.300s", rec.Code, rec.Body.String())
	}
	return rec.Body.Len()
}

// TestScrapeDoesNotRecompute scrapes a large snapshot several times: the
// snapshot is turned into metrics once, and again only after the engine
// publishes a new one.
func TestScrapeDoesNotRecompute(t *testing.T) {
	h, c, st := largeHandler(t, false)
	for range 4 {
		scrape(t, h)
	}
	if got := c.Builds(); got != 1 {
		t.Fatalf("%d builds after 4 scrapes of one snapshot; want 1", got)
	}
	next, _ := largeSnapshot(t, 10)
	st.Publish(next)
	scrape(t, h)
	scrape(t, h)
	if got := c.Builds(); got != 2 {
		t.Fatalf("%d builds after a new snapshot and 2 scrapes; want 2", got)
	}
}

// BenchmarkScrape times a full GET /metrics through promhttp's handler
// (gathering every collector and encoding the text format) of a snapshot
// with 1 000 water sections and 1 000 stations, all exported. The snapshot
// is turned into metrics before the clock starts, as the first scrape
// after an analysis does.
func BenchmarkScrape(b *testing.B) {
	for _, uncapped := range []bool{false, true} {
		name := "serve-options"
		if uncapped {
			name = "uncapped"
		}
		b.Run(name, func(b *testing.B) {
			h, _, _ := largeHandler(b, uncapped)
			size := scrape(b, h)
			b.ReportAllocs()
			for b.Loop() {
				scrape(b, h)
			}
			b.ReportMetric(float64(size), "bytes/scrape")
		})
	}
}

// BenchmarkScrapeFirst is BenchmarkScrape with the snapshot built into
// metrics in every iteration: the one scrape per analysis that pays for it.
func BenchmarkScrapeFirst(b *testing.B) {
	h, _, st := largeHandler(b, false)
	snap := st.Current()
	b.ReportAllocs()
	for b.Loop() {
		copied := *snap
		st.Publish(&copied)
		scrape(b, h)
	}
}

// gatherExposition GETs /metrics from h with the given request headers and
// returns the families whose name starts with greenmetrics_, decoded.
func gatherExposition(t *testing.T, h http.Handler, header http.Header) map[string]*dto.MetricFamily {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header = header
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d: %.300s", rec.Code, rec.Body.String())
	}
	var body io.Reader = rec.Body
	if rec.Header().Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		body = gz
	}
	format := expfmt.ResponseFormat(rec.Header())
	dec := expfmt.NewDecoder(body, format)
	out := map[string]*dto.MetricFamily{}
	for {
		mf := &dto.MetricFamily{}
		err := dec.Decode(mf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("decode %s: %v", format, err)
		}
		if _, dup := out[mf.GetName()]; dup {
			t.Fatalf("family %s twice in one exposition", mf.GetName())
		}
		if strings.HasPrefix(mf.GetName(), "greenmetrics_") {
			out[mf.GetName()] = mf
		}
	}
	return out
}

// TestHandlerMatchesRegisteredCollector checks that the pre-encoded
// exposition says what promhttp says with the collector registered, in the
// text and protobuf formats and gzip-compressed.
func TestHandlerMatchesRegisteredCollector(t *testing.T) {
	snap := fixtureSnapshot()
	cached, _ := newCollector(t, snap, fixtureOptions())
	fast := exporter.Handler(exporter.NewRegistry("test", nil, exporter.ProviderLabels{}), cached)
	registered, _ := newCollector(t, snap, fixtureOptions())
	reg := exporter.NewRegistry("test", nil, exporter.ProviderLabels{})
	reg.MustRegister(registered)
	plain := exporter.Handler(reg)
	for name, header := range map[string]http.Header{
		"text":     {},
		"protobuf": {"Accept": {"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"}},
		"gzip":     {"Accept-Encoding": {"gzip"}},
	} {
		t.Run(name, func(t *testing.T) {
			want := gatherExposition(t, plain, header)
			for range 2 { // the second scrape is served from the encoded bytes
				got := gatherExposition(t, fast, header)
				if len(got) != len(want) || len(got) < 20 {
					t.Fatalf("%d greenmetrics families; promhttp with the collector registered gives %d", len(got), len(want))
				}
				for fam, mf := range want {
					if !proto.Equal(got[fam], mf) {
						t.Fatalf("family %s differs:\n got %v\nwant %v", fam, got[fam], mf)
					}
				}
			}
		})
	}
}

// TestConcurrentHandlerScrapesAndPublishes is for -race: scrapes through
// the pre-encoding handler while the engine publishes.
func TestConcurrentHandlerScrapesAndPublishes(t *testing.T) {
	c, st := newCollector(t, fixtureSnapshot(), fixtureOptions())
	h := exporter.Handler(exporter.NewRegistry("test", nil, exporter.ProviderLabels{}), c)
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 30 {
				scrape(t, h)
			}
		}()
	}
	for i := range 30 {
		s := fixtureSnapshot()
		s.Year = 2024 + i
		st.Publish(s)
	}
	for range 4 {
		<-done
	}
}
