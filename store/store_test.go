package store_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

func newStore(t *testing.T) *store.Store {
	t.Helper()
	srv := influxtest.New(t)
	s, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Org: "greenmetrics", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func writeObservations(t *testing.T, s *store.Store, obs ...models.Observation) {
	t.Helper()
	lines := make([]string, len(obs))
	for i, o := range obs {
		if err := o.Validate(); err != nil {
			t.Fatalf("Validate(%+v) = %v", o, err)
		}
		lines[i] = string(store.AppendObservation(nil, o))
	}
	if err := s.WriteLines(context.Background(), lines...); err != nil {
		t.Fatalf("WriteLines: %v", err)
	}
}

var june = time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai)

func TestRoundTripAwkwardTagValues(t *testing.T) {
	s := newStore(t)
	entities := []string{
		"北京市/新八里桥",
		"Section with spaces",
		"a,b=c d",
		`quote"d`,
		"x' OR '1'='1",
	}
	var obs []models.Observation
	for i, e := range entities {
		obs = append(obs, models.Observation{Time: june, Indicator: "nh3n", Entity: e, Value: 0.1 + float64(i), Provider: "测试 source,1"})
	}
	writeObservations(t, s, obs...)
	for i, e := range entities {
		got, err := s.Observations(context.Background(), models.FigureQuery{Indicator: "nh3n", Entity: e, Start: june.AddDate(0, -1, 0)})
		if err != nil {
			t.Fatalf("Observations(entity %q): %v", e, err)
		}
		if len(got) != 1 {
			t.Fatalf("Observations(entity %q) returned %d points, want 1: %+v", e, len(got), got)
		}
		if g := got[0]; g.Entity != e || g.Value != obs[i].Value || !g.Time.Equal(june) || g.Provider != "测试 source,1" {
			t.Errorf("Observations(entity %q) = %+v, want %+v", e, g, obs[i])
		}
	}
}

func TestBackslashRejectedBeforeWriting(t *testing.T) {
	for _, e := range []string{`trailing\`, `back\slash`} {
		o := models.Observation{Time: june, Indicator: "nh3n", Entity: e, Value: 1}
		if err := o.Validate(); !errors.Is(err, models.ErrBadTagValue) {
			t.Errorf("Validate(entity %q) = %v, want ErrBadTagValue", e, err)
		}
	}
}

func TestInjectionInEntityIsData(t *testing.T) {
	s := newStore(t)
	writeObservations(t, s,
		models.Observation{Time: june, Indicator: "tp", Entity: "A", Value: 1},
		models.Observation{Time: june, Indicator: "tp", Entity: "B", Value: 2},
	)
	for _, attack := range []string{`A' OR entity='B`, `A" OR "entity"='B`, `'; DROP DATABASE x; --`, `A\' OR 1=1`} {
		got, err := s.Observations(context.Background(), models.FigureQuery{Indicator: "tp", Entity: attack, Start: june.AddDate(-1, 0, 0)})
		if err != nil {
			t.Fatalf("Observations(entity %q): %v", attack, err)
		}
		if len(got) != 0 {
			t.Errorf("Observations(entity %q) = %v, want no points: the entity must be matched literally", attack, got)
		}
	}
	all, err := s.Observations(context.Background(), models.FigureQuery{Indicator: "tp", Start: june.AddDate(-1, 0, 0)})
	if err != nil || len(all) != 2 {
		t.Fatalf("after injection attempts: %d points, err %v; want both points intact", len(all), err)
	}
}

func TestRewriteIsIdempotent(t *testing.T) {
	s := newStore(t)
	o := models.Observation{Time: june, Indicator: "green_credit_balance", Value: 3.0e10, Provider: "demo"}
	writeObservations(t, s, o)
	writeObservations(t, s, o)
	o.Value = 3.1e10 // a corrected figure for the same period replaces the old one
	writeObservations(t, s, o)
	got, err := s.Observations(context.Background(), models.FigureQuery{Indicator: o.Indicator, Start: june.AddDate(-1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Value != 3.1e10 {
		t.Fatalf("after three writes of one observation: %+v, want one point with the last value 3.1e10", got)
	}
}

func TestReadByTimeRangeAndEntity(t *testing.T) {
	s := newStore(t)
	var obs []models.Observation
	for m := 0; m < 12; m++ {
		for _, e := range []string{"东店", "新八里桥"} {
			obs = append(obs, models.Observation{Time: time.Date(2024, time.Month(m+1), 1, 0, 0, 0, 0, models.Shanghai), Indicator: "codmn", Entity: e, Value: float64(m)})
		}
	}
	writeObservations(t, s, obs...)
	tests := []struct {
		name   string
		filter models.FigureQuery
		want   int
	}{
		{"whole year, both sections", models.FigureQuery{Indicator: "codmn", Start: time.Date(2024, 1, 1, 0, 0, 0, 0, models.Shanghai), End: time.Date(2025, 1, 1, 0, 0, 0, 0, models.Shanghai)}, 24},
		{"Q2 of one section", models.FigureQuery{Indicator: "codmn", Entity: "新八里桥", Start: time.Date(2024, 4, 1, 0, 0, 0, 0, models.Shanghai), End: time.Date(2024, 7, 1, 0, 0, 0, 0, models.Shanghai)}, 3},
		{"end is exclusive at a Shanghai month start", models.FigureQuery{Indicator: "codmn", Entity: "东店", Start: time.Date(2024, 1, 1, 0, 0, 0, 0, models.Shanghai), End: time.Date(2024, 2, 1, 0, 0, 0, 0, models.Shanghai)}, 1},
		{"other indicator", models.FigureQuery{Indicator: "nh3n", Start: time.Date(2024, 1, 1, 0, 0, 0, 0, models.Shanghai)}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Observations(context.Background(), tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Errorf("Observations(%+v) returned %d points, want %d", tc.filter, len(got), tc.want)
			}
		})
	}
}

func TestNonFiniteRejectedBeforeWriting(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		o := models.Observation{Time: june, Indicator: "pm25", Value: v}
		if err := o.Validate(); !errors.Is(err, models.ErrNonFinite) {
			t.Errorf("Validate(value %v) = %v, want ErrNonFinite", v, err)
		}
		p := store.Point{Measurement: "progress", Fields: map[string]any{"ratio": v}, Time: june}
		if _, err := store.EncodePoint(p); !errors.Is(err, models.ErrNonFinite) {
			t.Errorf("EncodePoint(field %v) = %v, want ErrNonFinite", v, err)
		}
	}
}

func TestWriteErrorsAreClassified(t *testing.T) {
	tests := []struct {
		status     int
		retryAfter string
		retryable  bool
		wait       time.Duration
	}{
		{http.StatusTooManyRequests, "7", true, 7 * time.Second},
		{http.StatusServiceUnavailable, "", true, 0},
		{http.StatusInternalServerError, "", true, 0},
		{http.StatusBadRequest, "", false, 0},
		{http.StatusUnauthorized, "", false, 0},
		{http.StatusNotFound, "", false, 0},
	}
	for _, tc := range tests {
		fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.retryAfter != "" {
				w.Header().Set("Retry-After", tc.retryAfter)
			}
			http.Error(w, `{"code":"x","message":"injected fault"}`, tc.status)
		}))
		s, err := store.New(store.Config{URL: fake.URL, Bucket: "db/rp", Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		err = s.WriteLines(context.Background(), "m v=1 1")
		var we *store.WriteError
		if !errors.As(err, &we) {
			t.Fatalf("HTTP %d: WriteLines error %v is not a *WriteError", tc.status, err)
		}
		if we.StatusCode != tc.status || we.Retryable() != tc.retryable || we.Wait() != tc.wait {
			t.Errorf("HTTP %d: got status %d retryable %v wait %v; want %d %v %v", tc.status, we.StatusCode, we.Retryable(), we.Wait(), tc.status, tc.retryable, tc.wait)
		}
		s.Close()
		fake.Close()
	}
	s, _ := store.New(store.Config{URL: "http://127.0.0.1:1", Bucket: "db/rp", Timeout: time.Second})
	err := s.WriteLines(context.Background(), "m v=1 1")
	var we *store.WriteError
	if !errors.As(err, &we) || !we.Retryable() || !we.Unreachable() {
		t.Errorf("connection refused: %v; want a retryable unreachable *WriteError", err)
	}
}

// TestUnreachableQuery: a read that cannot reach InfluxDB says so through
// an Unreachable method (what the analysis engine asks, knowing nothing of
// store), with the message it always had; an HTTP answer, even an error,
// is not unreachable.
func TestUnreachableQuery(t *testing.T) {
	type unreachable interface{ Unreachable() bool }
	s, _ := store.New(store.Config{URL: "http://127.0.0.1:1", Bucket: "db/rp", Timeout: time.Second})
	_, err := s.Observations(context.Background(), models.FigureQuery{Indicator: "gdp"})
	var u unreachable
	if !errors.As(err, &u) || !u.Unreachable() || !strings.Contains(err.Error(), "reading gdp from figure: influxql: ") {
		t.Errorf("connection refused: %v; want an unreachable error naming the read", err)
	}
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "injected fault", http.StatusInternalServerError)
	}))
	defer fake.Close()
	s, _ = store.New(store.Config{URL: fake.URL, Bucket: "db/rp", Timeout: time.Second})
	_, err = s.Observations(context.Background(), models.FigureQuery{Indicator: "gdp"})
	if err == nil || errors.As(err, &u) {
		t.Errorf("HTTP 500: %v; want an error that is not unreachable", err)
	}
}

func TestBadLineIsPermanent(t *testing.T) {
	s := newStore(t)
	err := s.WriteLines(context.Background(), "figure,indicator=x provider=\"a\",value=1 1", "figure,indicator=x provider=\"a\",value=\"text\" 2")
	var we *store.WriteError
	if !errors.As(err, &we) || we.Retryable() || we.StatusCode != http.StatusBadRequest {
		t.Fatalf("field type conflict: %v; want a non-retryable HTTP 400", err)
	}
}

// TestDailyAggregates checks the day boundaries (Asia/Shanghai), the three
// aggregations, the hours behind each day and the demo marking against a
// real InfluxDB.
func TestDailyAggregates(t *testing.T) {
	s := newStore(t)
	hour := func(day, h int, v float64, provider string) models.Observation {
		return models.Observation{Time: june.AddDate(0, 0, day).Add(time.Duration(h) * time.Hour), Indicator: "pm25",
			Entity: "BJ-Dongsi", Value: v, Provider: provider}
	}
	writeObservations(t, s,
		hour(0, 0, 10, models.ProviderDemo), hour(0, 1, 20, "cnemc"), hour(0, 23, 60, "cnemc"),
		hour(1, 0, 5, "cnemc"),
	)
	for _, tc := range []struct {
		agg  models.Aggregation
		want []float64
	}{
		{models.AggregateMean, []float64{30, 5}},
		{models.AggregateSum, []float64{90, 5}},
		{models.AggregateLast, []float64{60, 5}},
	} {
		days, err := s.DailyAggregates(context.Background(), "pm25", tc.agg, june, june.AddDate(0, 0, 2))
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 2 {
			t.Fatalf("%s: %d days %+v, want 2", tc.agg, len(days), days)
		}
		for i, d := range days {
			if !d.Time.Equal(june.AddDate(0, 0, i)) || d.Value != tc.want[i] || d.Entity != "BJ-Dongsi" {
				t.Errorf("%s: day %d = %v %s %v, want %v BJ-Dongsi %v", tc.agg, i, d.Time, d.Entity, d.Value, june.AddDate(0, 0, i), tc.want[i])
			}
		}
		if days[0].Hours != 3 || days[1].Hours != 1 {
			t.Errorf("%s: hours %d, %d; want 3, 1", tc.agg, days[0].Hours, days[1].Hours)
		}
		if days[0].Provider != models.ProviderDemo || days[1].Provider != "" {
			t.Errorf("%s: providers %q, %q; want demo (its first hour is) and none", tc.agg, days[0].Provider, days[1].Provider)
		}
	}
}

// TestObservationsOfMatchesOneByOne: the batched read answers for each
// indicator exactly as Observations does — also with derived figures
// (a reported one wins), an entity, awkward names and the span's ends.
func TestObservationsOfMatchesOneByOne(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var lines []string
	for i, ind := range []string{"gdp", "green_credit", "a,b c", "water_class"} {
		for d := range 5 {
			for _, e := range []string{"", "Dongsi", `x' OR 1=1`} {
				o := models.Observation{Time: june.AddDate(0, d, 0), Indicator: ind, Entity: e, Value: float64(i*100 + d), Provider: "tjj"}
				lines = append(lines, string(store.AppendObservation(nil, o)))
			}
		}
	}
	for _, d := range []int{1, 6} { // one where a reported figure exists, one where none does
		p := store.Point{Measurement: store.MeasurementDerived, Time: june.AddDate(0, d, 0),
			Tags:   map[string]string{store.TagIndicator: "water_class", store.TagEntity: "Dongsi"},
			Fields: map[string]any{store.FieldValue: float64(900 + d), store.FieldProvider: models.ProviderDerived}}
		l, err := store.EncodePoint(p)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if err := s.WriteLines(ctx, lines...); err != nil {
		t.Fatal(err)
	}
	inds := []string{"gdp", "green_credit", "a,b c", "water_class", "absent"}
	for _, q := range []models.FigureQuery{
		{Start: june.AddDate(0, 1, 0), End: june.AddDate(0, 7, 0), WithDerived: true},
		{Start: june, End: june.AddDate(0, 3, 0)},
		{Start: june, Entity: `x' OR 1=1`},
	} {
		got, err := s.ObservationsOf(ctx, inds, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, ind := range inds {
			one := q
			one.Indicator = ind
			want, err := s.Observations(ctx, one)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got[ind]) != fmt.Sprint(want) {
				t.Errorf("%+v %s: batched %v; one by one %v", q, ind, got[ind], want)
			}
		}
	}
}

// TestHasFigures: a month with a reported figure has figures, one with
// only a derived figure or none has not, and a database InfluxDB does not
// have yet has none (serve checks the last month a moment before
// --create-db makes it): no error, so no report of an empty month.
func TestHasFigures(t *testing.T) {
	srv := influxtest.New(t)
	s, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	writeObservations(t, s, models.Observation{Time: june.Add(time.Hour), Indicator: "gdp", Value: 1, Provider: "tjj"})
	derived, err := store.EncodePoint(store.Point{Measurement: store.MeasurementDerived, Time: june.AddDate(0, 1, 0),
		Tags: map[string]string{store.TagIndicator: "water_class"}, Fields: map[string]any{store.FieldValue: 3.0, store.FieldProvider: models.ProviderDerived}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteLines(ctx, derived); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		start time.Time
		want  bool
	}{{"June: a reported figure", june, true}, {"July: only a derived one", june.AddDate(0, 1, 0), false}, {"August: none", june.AddDate(0, 2, 0), false}} {
		got, err := s.HasFigures(ctx, tc.start, tc.start.AddDate(0, 1, 0))
		if err != nil || got != tc.want {
			t.Errorf("%s: HasFigures = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	missing, err := store.New(store.Config{URL: srv.URL, Bucket: "no_such_database/autogen", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer missing.Close()
	if _, err := missing.Query(ctx, "SELECT * FROM figure", nil); !errors.Is(err, store.ErrDatabaseNotFound) {
		t.Errorf("a query of a missing database: %v; want ErrDatabaseNotFound", err)
	}
	if got, err := missing.HasFigures(ctx, june, june.AddDate(0, 1, 0)); got || err != nil {
		t.Errorf("HasFigures of a missing database = %v, %v; want false, no error", got, err)
	}
}
