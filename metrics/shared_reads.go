package metrics

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// SharedReads wraps r for several runs over the same stored data, such as
// the monthly report's two analyses (the month's year and the closed prior
// year) at one as-of instant: a read the same as an earlier one is answered
// from memory instead of InfluxDB. It never expires, so it is for one job,
// not for a daemon's runs (which must see new data).
func SharedReads(r HistoryReader) HistoryReader {
	m := &sharedReads{r: r, obs: map[string][]models.Observation{}, batches: map[string]map[string][]models.Observation{},
		daily: map[string][]models.DailyFigure{}}
	if a, ok := r.(AirDayReader); ok {
		return &sharedAirReads{sharedReads: m, a: a, sums: map[string][]models.DaySum{}, unusual: map[string][]models.DayKey{},
			hours: map[string]hoursSpan{}}
	}
	return m
}

type sharedReads struct {
	r       HistoryReader
	mu      sync.Mutex
	obs     map[string][]models.Observation
	batches map[string]map[string][]models.Observation
	daily   map[string][]models.DailyFigure
}

// remember answers key from cache, or from read once (a failed read is
// not remembered); callers get a copy they may change.
func remember[T any](mu *sync.Mutex, cache map[string][]T, key string, read func() ([]T, error)) ([]T, error) {
	mu.Lock()
	got, ok := cache[key]
	mu.Unlock()
	if ok {
		return slices.Clone(got), nil
	}
	got, err := read()
	if err != nil {
		return nil, err
	}
	mu.Lock()
	cache[key] = got
	mu.Unlock()
	return slices.Clone(got), nil
}

func instant(t time.Time) int64 { return t.UnixNano() }

func (m *sharedReads) Observations(ctx context.Context, f models.FigureQuery) ([]models.Observation, error) {
	key := fmt.Sprintf("%q %q %d %d %t", f.Indicator, f.Entity, instant(f.Start), instant(f.End), f.WithDerived)
	return remember(&m.mu, m.obs, key, func() ([]models.Observation, error) { return m.r.Observations(ctx, f) })
}

// ObservationsOf shares a batched read (BatchReader) the same way; a
// reader that cannot batch is asked indicator by indicator.
func (m *sharedReads) ObservationsOf(ctx context.Context, indicators []string, f models.FigureQuery) (map[string][]models.Observation, error) {
	key := fmt.Sprintf("%q %q %d %d %t", indicators, f.Entity, instant(f.Start), instant(f.End), f.WithDerived)
	m.mu.Lock()
	got, ok := m.batches[key]
	m.mu.Unlock()
	if !ok {
		var err error
		if got, err = m.readBatch(ctx, indicators, f); err != nil {
			return nil, err
		}
		m.mu.Lock()
		m.batches[key] = got
		m.mu.Unlock()
	}
	out := make(map[string][]models.Observation, len(got))
	for ind, obs := range got {
		out[ind] = slices.Clone(obs)
	}
	return out, nil
}

func (m *sharedReads) readBatch(ctx context.Context, indicators []string, f models.FigureQuery) (map[string][]models.Observation, error) {
	if b, ok := m.r.(BatchReader); ok {
		return b.ObservationsOf(ctx, indicators, f)
	}
	out := make(map[string][]models.Observation, len(indicators))
	for _, ind := range indicators {
		q := f
		q.Indicator = ind
		obs, err := m.Observations(ctx, q)
		if err != nil {
			return nil, err
		}
		out[ind] = obs
	}
	return out, nil
}

// DailyAggregatesOf shares batched daily reads (DailyBatchReader) by
// series and span: each series' answer is remembered as DailyAggregates'
// is, and only the series not read yet are asked.
func (m *sharedReads) DailyAggregatesOf(ctx context.Context, qs []models.DailyQuery, start, end time.Time) ([][]models.DailyFigure, error) {
	out := make([][]models.DailyFigure, len(qs))
	key := func(q models.DailyQuery) string {
		return fmt.Sprintf("%q %q %d %d", q.Indicator, q.Aggregation, instant(start), instant(end))
	}
	var missing []models.DailyQuery
	var at []int
	m.mu.Lock()
	for i, q := range qs {
		if got, ok := m.daily[key(q)]; ok {
			out[i] = slices.Clone(got)
		} else {
			missing, at = append(missing, q), append(at, i)
		}
	}
	m.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	var got [][]models.DailyFigure
	if b, ok := m.r.(DailyBatchReader); ok {
		var err error
		if got, err = b.DailyAggregatesOf(ctx, missing, start, end); err != nil {
			return nil, err
		}
	} else {
		for _, q := range missing {
			days, err := m.r.DailyAggregates(ctx, q.Indicator, q.Aggregation, start, end)
			if err != nil {
				return nil, err
			}
			got = append(got, days)
		}
	}
	m.mu.Lock()
	for j, q := range missing {
		m.daily[key(q)] = got[j]
		out[at[j]] = slices.Clone(got[j])
	}
	m.mu.Unlock()
	return out, nil
}

func (m *sharedReads) DailyAggregates(ctx context.Context, indicator string, agg models.Aggregation, start, end time.Time) ([]models.DailyFigure, error) {
	key := fmt.Sprintf("%q %q %d %d", indicator, agg, instant(start), instant(end))
	return remember(&m.mu, m.daily, key, func() ([]models.DailyFigure, error) { return m.r.DailyAggregates(ctx, indicator, agg, start, end) })
}

// sharedAirReads also shares the stations' rollups (AirDayReader).
type sharedAirReads struct {
	*sharedReads
	a       AirDayReader
	sums    map[string][]models.DaySum
	unusual map[string][]models.DayKey
	hours   map[string]hoursSpan
}

func dayFilterKey(f models.DayFilter) string {
	return fmt.Sprintf("%q %q %d %d", f.Indicators, f.Entities, instant(f.Start), instant(f.End))
}

func (m *sharedAirReads) DaySums(ctx context.Context, f models.DayFilter) ([]models.DaySum, error) {
	return remember(&m.mu, m.sums, dayFilterKey(f), func() ([]models.DaySum, error) { return m.a.DaySums(ctx, f) })
}

func (m *sharedAirReads) UnusualDays(ctx context.Context, f models.DayFilter) ([]models.DayKey, error) {
	return remember(&m.mu, m.unusual, dayFilterKey(f), func() ([]models.DayKey, error) { return m.a.UnusualDays(ctx, f) })
}

// Hours shares the raw hours of an indicator at a set of stations across
// spans: the report's two analyses read O₃ over overlapping spans (the
// month's year and the closed prior year, each from the start of the year
// before), so a later read asks InfluxDB only for the part of its span not
// read yet. The hours of [start, end) are those of its parts, so the
// answer is the same as one read of the whole span.
func (m *sharedAirReads) Hours(ctx context.Context, indicator string, f models.DayFilter) ([]models.Observation, error) {
	key := fmt.Sprintf("%q %q", indicator, f.Entities)
	m.mu.Lock()
	have, ok := m.hours[key]
	m.mu.Unlock()
	if !ok || f.End.Before(have.start) || f.Start.After(have.end) {
		obs, err := m.a.Hours(ctx, indicator, f)
		if err != nil {
			return nil, err
		}
		have = hoursSpan{start: f.Start, end: f.End, obs: obs}
	} else {
		var parts [][]models.Observation
		if f.Start.Before(have.start) {
			before := f
			before.End = have.start
			obs, err := m.a.Hours(ctx, indicator, before)
			if err != nil {
				return nil, err
			}
			parts = append(parts, obs)
			have.start = f.Start
		}
		parts = append(parts, have.obs)
		if f.End.After(have.end) {
			after := f
			after.Start = have.end
			obs, err := m.a.Hours(ctx, indicator, after)
			if err != nil {
				return nil, err
			}
			parts = append(parts, obs)
			have.end = f.End
		}
		have.obs = slices.Concat(parts...)
		slices.SortStableFunc(have.obs, func(a, b models.Observation) int {
			if c := strings.Compare(a.Entity, b.Entity); c != 0 {
				return c
			}
			return a.Time.Compare(b.Time)
		})
	}
	m.mu.Lock()
	m.hours[key] = have
	m.mu.Unlock()
	out := make([]models.Observation, 0, len(have.obs))
	for _, o := range have.obs {
		if !o.Time.Before(f.Start) && o.Time.Before(f.End) {
			out = append(out, o)
		}
	}
	return out, nil
}

// hoursSpan is what was read of one indicator's hours at some stations:
// every hour of [start, end).
type hoursSpan struct {
	start, end time.Time
	obs        []models.Observation
}
