package metrics

import (
	"context"
	"fmt"
	"slices"
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
	m := &sharedReads{r: r, obs: map[string][]models.Observation{}, daily: map[string][]models.DailyFigure{}}
	if a, ok := r.(AirDayReader); ok {
		return &sharedAirReads{sharedReads: m, a: a, sums: map[string][]models.DaySum{}, unusual: map[string][]models.DayKey{}}
	}
	return m
}

type sharedReads struct {
	r     HistoryReader
	mu    sync.Mutex
	obs   map[string][]models.Observation
	daily map[string][]models.DailyFigure
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

func (m *sharedAirReads) Hours(ctx context.Context, indicator string, f models.DayFilter) ([]models.Observation, error) {
	key := "hours " + indicator + " " + dayFilterKey(f)
	return remember(&m.mu, m.obs, key, func() ([]models.Observation, error) { return m.a.Hours(ctx, indicator, f) })
}
