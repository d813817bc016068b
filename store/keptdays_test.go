package store_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// rollupRig is one InfluxDB database seen by a store without rollups
// (the reference: every day aggregated from the hours) and by stores with
// rollups through a proxy that counts the queries of hours and can run a
// hook once an aggregation of hours has been answered.
type rollupRig struct {
	t      *testing.T
	srv    influxtest.Server
	raw    *store.Store
	proxy  string
	hourly atomic.Int64 // queries of the figure measurement
	mu     sync.Mutex
	after  func() // run once after the next aggregation of hours
}

func newRollupRig(t *testing.T) *rollupRig {
	r := &rollupRig{t: t, srv: influxtest.New(t)}
	r.raw = r.open(r.srv.URL, false)
	t.Cleanup(r.raw.Close)
	target, err := url.Parse(r.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.Contains(req.URL.Query().Get("q"), `"figure"`) {
			r.hourly.Add(1)
		}
		rp.ServeHTTP(w, req)
		if q := req.URL.Query().Get("q"); strings.Contains(q, `"figure"`) && strings.Contains(q, "time(1d)") {
			r.mu.Lock()
			hook := r.after
			r.after = nil
			r.mu.Unlock()
			if hook != nil {
				hook()
			}
		}
	}))
	t.Cleanup(ps.Close)
	r.proxy = ps.URL
	return r
}

func (r *rollupRig) open(u string, rollups bool) *store.Store {
	s, err := store.New(store.Config{URL: u, Bucket: r.srv.Bucket(), Org: "greenmetrics", Timeout: 10 * time.Second, Rollups: rollups})
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

// rolled runs f with a new store with rollups (a new process), and closes
// it, which waits for the rollups it writes back.
func (r *rollupRig) rolled(f func(s *store.Store)) {
	s := r.open(r.proxy, true)
	defer s.Close()
	f(s)
}

// deliver stores observations as the spool's Sender does: the figures,
// then their marks.
func (r *rollupRig) deliver(obs ...models.Observation) {
	r.t.Helper()
	var lines []string
	for _, o := range obs {
		lines = append(lines, string(store.AppendObservation(nil, o)))
	}
	ctx := context.Background()
	if err := r.raw.WriteLines(ctx, lines...); err != nil {
		r.t.Fatal(err)
	}
	if err := r.raw.WriteLines(ctx, store.MarkLines(lines)...); err != nil {
		r.t.Fatal(err)
	}
}

// days renders DailyAggregates' answer for comparison.
func days(t *testing.T, s *store.Store, agg models.Aggregation, start, end time.Time) []string {
	t.Helper()
	ds, err := s.DailyAggregates(context.Background(), "pm25", agg, start, end)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%s %s %v hours=%d negative=%d provider=%q", d.Entity, d.Time.In(models.Shanghai).Format(time.RFC3339), d.Value, d.Hours, d.Negative, d.Provider)
	}
	return out
}

// same checks that s answers as the raw aggregation does, for every
// aggregation and for a span cut mid-day at both ends.
func (r *rollupRig) same(step string, s *store.Store) {
	r.t.Helper()
	spans := [][2]time.Time{{may, august}, {may.AddDate(0, 0, 2).Add(5 * time.Hour), june.AddDate(0, 1, 19).Add(7*time.Hour + time.Second)}}
	for _, agg := range []models.Aggregation{models.AggregateMean, models.AggregateSum, models.AggregateLast} {
		for _, sp := range spans {
			want := days(r.t, r.raw, agg, sp[0], sp[1])
			got := days(r.t, s, agg, sp[0], sp[1])
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				r.t.Errorf("%s: %s over %s – %s with rollups:\n%s\nwant (from the hours):\n%s", step, agg,
					sp[0].Format(time.RFC3339), sp[1].Format(time.RFC3339), strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	}
}

// may and august bound the three whole months of TestKeptDaysExact.
var may, august = june.AddDate(0, -1, 0), june.AddDate(0, 2, 0)

// TestKeptDaysExact: with rollups, DailyAggregates answers exactly as the
// aggregation of the hours, before and after every kind of change the
// write path can make, and reads the kept months (no aggregation of hours)
// once they are current, also from a new Store.
func TestKeptDaysExact(t *testing.T) {
	r := newRollupRig(t)
	hour := func(entity string, day, h int, v float64, provider string) models.Observation {
		return models.Observation{Time: june.AddDate(0, 0, day).Add(time.Duration(h) * time.Hour), Indicator: "pm25",
			Entity: entity, Value: v, Provider: provider}
	}
	// History written before marks existed: straight to InfluxDB.
	var old []string
	for day := -32; day < 63; day++ {
		for h := 0; h < 24; h += 7 {
			for i, e := range []string{"A", "a,b=c d", ""} {
				p := "cnemc"
				if day == 3 && e == "A" {
					p = models.ProviderDemo
				}
				v := float64(day*100+h+i) + 0.25
				if day == 20 && h == 7 {
					v = -2 // an instrument's offset: a negative hour, kept as stored
				}
				old = append(old, string(store.AppendObservation(nil, hour(e, day, h, v, p))))
			}
		}
	}
	old = append(old, string(store.AppendObservation(nil, models.Observation{Time: june.Add(time.Hour), Indicator: "no2", Entity: "A", Value: 9, Provider: "cnemc"})))
	if err := r.raw.WriteLines(context.Background(), old...); err != nil {
		t.Fatal(err)
	}
	r.rolled(func(s *store.Store) { r.same("cold", s) })
	r.rolled(func(s *store.Store) { r.same("warm", s) })

	warm := func(step string) {
		t.Helper()
		r.rolled(func(s *store.Store) {
			r.hourly.Store(0)
			for _, agg := range []models.Aggregation{models.AggregateMean, models.AggregateSum, models.AggregateLast} {
				days(t, s, agg, may, august)
			}
			if n := r.hourly.Load(); n != 0 {
				t.Errorf("%s: %d queries of the hours over whole months with current kept figures; want 0", step, n)
			}
		})
	}
	warm("warm")

	r.deliver(hour("B", 2, 7, 40, "cnemc")) // a late hour of an old day, a new entity
	r.rolled(func(s *store.Store) { r.same("late hour", s) })
	r.deliver(hour("A", 5, 10, 1e-9, "cnemc")) // a revised hour: same time, new value
	r.rolled(func(s *store.Store) { r.same("revised hour", s) })
	r.deliver(hour("B", 40, 14, -1, "cnemc"), hour("B", 40, 15, -3, "cnemc")) // negative hours in July
	r.rolled(func(s *store.Store) {
		r.same("negative hours", s)
		if got := strings.Join(days(t, s, models.AggregateMean, july(), august), "\n"); !strings.Contains(got, "B 2024-07-11T00:00:00+08:00 -2 hours=2 negative=2") {
			t.Errorf("negative hours: July 11th of B is not a day of two negative hours:\n%s", got)
		}
	})
	r.deliver(hour("A", 3, 0, 7, "cnemc"), hour("A", 3, 7, 8, "cnemc"), hour("A", 3, 14, 9, "cnemc"),
		hour("A", 3, 21, 10, "cnemc")) // the demo day replaced by real data
	r.rolled(func(s *store.Store) {
		r.same("demo replaced", s)
		for _, d := range days(t, s, models.AggregateMean, may, august) {
			if strings.Contains(d, "demo") {
				t.Errorf("demo replaced: %s still demo", d)
			}
		}
	})

	// A write lands after the marks were read and the hours aggregated,
	// before the rollup is written: the rollup written misses it, but is
	// stamped with the mark read before, so the next read recomputes it.
	r.deliver(hour("A", 6, 1, 5, "cnemc"))
	r.mu.Lock()
	r.after = func() { r.deliver(hour("A", 6, 2, 500, "cnemc")) }
	r.mu.Unlock()
	r.rolled(func(s *store.Store) { days(t, s, models.AggregateMean, may, august) })
	r.mu.Lock()
	fired := r.after == nil
	r.mu.Unlock()
	if !fired {
		t.Fatal("the write between the aggregation and the rollup write did not happen")
	}
	r.rolled(func(s *store.Store) { r.same("write during the rollup", s) })
	warm("after the interleaved write")

	// Two runs writing back at once: a row of an older computation lands
	// after the stamp of a newer one. Its mark gives it away.
	stale := fmt.Sprintf(`%s,aggregate=mean,entity=A,indicator=pm25 days="7:12345:1",mark="0000000000000000" %d`,
		store.MeasurementRollupMonth, june.Unix())
	if err := r.raw.WriteLines(context.Background(), stale); err != nil {
		t.Fatal(err)
	}
	r.rolled(func(s *store.Store) { r.same("a row of an older computation", s) })

	// A row whose days cannot be read, with the current mark of its
	// month (copied from a current row): the month is aggregated again.
	series, err := r.raw.Query(context.Background(), `SELECT "mark" FROM "rollup_month" WHERE "aggregate" = 'mean' AND "entity" = 'A' AND time = $t`,
		map[string]any{"t": july().UTC().Format(time.RFC3339)})
	if err != nil || len(series) != 1 || len(series[0].Values) != 1 {
		t.Fatalf("reading July's kept row of A: %v %v", series, err)
	}
	garbled := fmt.Sprintf(`%s,aggregate=mean,entity=A,indicator=pm25 days="1:x:24",mark=%q %d`,
		store.MeasurementRollupMonth, series[0].Values[0][1], july().Unix())
	if err := r.raw.WriteLines(context.Background(), garbled); err != nil {
		t.Fatal(err)
	}
	r.rolled(func(s *store.Store) { r.same("a row that cannot be read", s) })

	// A write around greenmetrics leaves no mark: unsupported, and
	// InvalidateKept is the way back.
	if err := r.raw.WriteLines(context.Background(), string(store.AppendObservation(nil, hour("A", 4, 3, 1000, "cnemc")))); err != nil {
		t.Fatal(err)
	}
	r.rolled(func(s *store.Store) {
		got, want := days(t, s, models.AggregateMean, may, august), days(t, r.raw, models.AggregateMean, may, august)
		if strings.Join(got, "\n") == strings.Join(want, "\n") {
			t.Error("an unmarked write changed the rollups' answer: they were not read")
		}
		n, err := s.InvalidateKept(context.Background())
		if err != nil || n != 3 {
			t.Fatalf("InvalidateKept = %d, %v; want 3 months (May, June, July) marked", n, err)
		}
	})
	r.rolled(func(s *store.Store) { r.same("invalidated", s) })
	warm("after invalidation")
}

// july is the start of July 2024 in Shanghai.
func july() time.Time { return june.AddDate(0, 1, 0) }

// TestMarkLines: one mark per indicator and Shanghai month of the figure
// lines, escaped tags kept, other measurements and unreadable lines
// ignored, one nonce per call and a new one each call.
func TestMarkLines(t *testing.T) {
	lines := []string{
		`figure,entity=A,indicator=pm25 provider="x",value=1 1717171200`, // 2024-06-01 00:00 +08
		`figure,entity=B,indicator=pm25 provider="x",value=1 1719763200`, // 2024-07-01 00:00 +08
		`figure,entity=B,indicator=pm25 provider="x",value=1 1719763199`, // 2024-06-30 23:59:59 +08
		`figure,entity=a\,b\=c\ d,indicator=so2 provider="x y",value=1 1717257600`,
		`figure,indicator=gdp provider="tjj",value=1 1717171199`, // 2024-05-31 23:59:59 +08
		`derived,indicator=pm25 provider="derived",value=1 1717171200`,
		`figure,entity=A provider="x",value=1 1717171200`,
		`garbage`,
	}
	marks := store.MarkLines(lines)
	var shapes []string
	nonces := map[string]bool{}
	for _, m := range marks {
		i := strings.Index(m, `nonce="`)
		if i < 0 {
			t.Fatalf("mark %q has no nonce", m)
		}
		nonces[m[i+7:i+23]] = true
		shapes = append(shapes, m[:i]+m[i+24:])
	}
	sort.Strings(shapes)
	want := []string{"rollup_mark,indicator=gdp  1714492800", "rollup_mark,indicator=pm25  1717171200", "rollup_mark,indicator=pm25  1719763200",
		"rollup_mark,indicator=so2  1717171200"}
	if strings.Join(shapes, "\n") != strings.Join(want, "\n") || len(nonces) != 1 {
		t.Errorf("MarkLines = %q; want %q with one nonce", marks, want)
	}
	again := store.MarkLines(lines[:1])
	for n := range nonces {
		if strings.Contains(again[0], n) {
			t.Errorf("two calls gave the same nonce %s", n)
		}
	}
}

// TestDailyAggregatesOfMatchesOneByOne: several series read at once —
// two aggregates of one indicator, another indicator, one without data —
// answer as each read alone from the hours, cold and warm, and the warm
// read aggregates no hours of whole months.
func TestDailyAggregatesOfMatchesOneByOne(t *testing.T) {
	r := newRollupRig(t)
	var lines []string
	for day := -20; day < 45; day++ {
		for h := 0; h < 24; h += 6 {
			entity := "A"
			if (day+h)%2 != 0 {
				entity = "B"
			}
			for i, ind := range []string{"pm25", "no2"} {
				o := models.Observation{Time: june.AddDate(0, 0, day).Add(time.Duration(h) * time.Hour), Indicator: ind,
					Entity: entity, Value: float64(day*10+h+i) - 3, Provider: "cnemc"}
				lines = append(lines, string(store.AppendObservation(nil, o)))
			}
		}
	}
	if err := r.raw.WriteLines(context.Background(), lines...); err != nil {
		t.Fatal(err)
	}
	qs := []models.DailyQuery{{Indicator: "pm25", Aggregation: models.AggregateMean}, {Indicator: "pm25", Aggregation: models.AggregateSum},
		{Indicator: "no2", Aggregation: models.AggregateLast}, {Indicator: "absent", Aggregation: models.AggregateMean}}
	start, end := june.AddDate(0, 0, -17).Add(3*time.Hour), june.AddDate(0, 1, 12)
	render := func(days []models.DailyFigure) string {
		var b strings.Builder
		for _, d := range days {
			fmt.Fprintf(&b, "%s %s %s %v %d %d %s\n", d.Indicator, d.Entity, d.Time.Format(time.RFC3339), d.Value, d.Hours, d.Negative, d.Provider)
		}
		return b.String()
	}
	for _, step := range []string{"cold", "warm"} {
		r.rolled(func(s *store.Store) {
			r.hourly.Store(0)
			got, err := s.DailyAggregatesOf(context.Background(), qs, start, end)
			if err != nil {
				t.Fatal(err)
			}
			if step == "warm" {
				// Only the cut months at the span's ends (May and July)
				// are aggregated: three queries each.
				if n := r.hourly.Load(); n != int64(len(qs)*2*4) {
					t.Errorf("warm: %d queries of the hours; want %d (the two cut months of each series)", n, len(qs)*2*4)
				}
			}
			for i, q := range qs {
				want, err := r.raw.DailyAggregates(context.Background(), q.Indicator, q.Aggregation, start, end)
				if err != nil {
					t.Fatal(err)
				}
				if render(got[i]) != render(want) {
					t.Errorf("%s %s/%s: batched\n%s\nwant (one by one, from the hours)\n%s", step, q.Indicator, q.Aggregation, render(got[i]), render(want))
				}
			}
		})
	}
}
