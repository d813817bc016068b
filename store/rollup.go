package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Rollups of hourly station data to Shanghai days, computed by InfluxDB at
// read time (GROUP BY time(1d) … tz('Asia/Shanghai')): the analysis reads
// one row per station, pollutant and day instead of 24. These are asked at
// each call; keptdays.go keeps DailyAggregates' answers of whole months,
// with marks that say when they went stale.

// DaySums rolls the hours of f up to days: per indicator, entity and
// Shanghai day, the sum and count of the non-negative values. A day with
// no such value has no models.DaySum.
func (s *Store) DaySums(ctx context.Context, f models.DayFilter) ([]models.DaySum, error) {
	value := QuoteIdent(FieldValue)
	where, params, err := dayWhere(f)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(`SELECT sum(%s), count(%s) FROM %s WHERE %s AND %s >= 0 GROUP BY time(1d), %s, %s fill(none) tz('Asia/Shanghai')`,
		value, value, QuoteIdent(MeasurementFigure), where, value, QuoteIdent(TagEntity), QuoteIdent(TagIndicator))
	series, err := s.Query(ctx, q, params)
	if err != nil {
		return nil, fmt.Errorf("rolling up hours to days: %w", err)
	}
	var out []models.DaySum
	for _, sr := range series {
		for _, row := range sr.Values {
			if len(row) < 3 {
				continue
			}
			ts, ok1 := Float(row[0])
			sum, ok2 := Float(row[1])
			n, ok3 := Float(row[2])
			if !ok1 || !ok2 || !ok3 || n == 0 {
				continue
			}
			out = append(out, models.DaySum{Indicator: sr.Tags[TagIndicator], Entity: sr.Tags[TagEntity],
				Date: time.Unix(int64(ts), 0).In(models.Shanghai), Sum: sum, Hours: int(n)})
		}
	}
	return out, nil
}

// UnusualDays lists the days of f that a sum cannot stand for: those with
// a negative hour (which still makes the day a day with data) or an hour
// of demo data (which marks what is derived from it). The caller reads
// their hours.
func (s *Store) UnusualDays(ctx context.Context, f models.DayFilter) ([]models.DayKey, error) {
	value, provider := QuoteIdent(FieldValue), QuoteIdent(FieldProvider)
	where, params, err := dayWhere(f)
	if err != nil {
		return nil, err
	}
	params["demo"], params["derived_demo"] = models.ProviderDemo, models.ProviderDerivedFromDemo
	q := fmt.Sprintf(`SELECT count(%s) FROM %s WHERE %s AND (%s < 0 OR %s = $demo OR %s = $derived_demo) GROUP BY time(1d), %s, %s fill(none) tz('Asia/Shanghai')`,
		value, QuoteIdent(MeasurementFigure), where, value, provider, provider, QuoteIdent(TagEntity), QuoteIdent(TagIndicator))
	series, err := s.Query(ctx, q, params)
	if err != nil {
		return nil, fmt.Errorf("finding days with demo or negative hours: %w", err)
	}
	var out []models.DayKey
	for _, sr := range series {
		for _, row := range sr.Values {
			if len(row) < 2 {
				continue
			}
			ts, ok1 := Float(row[0])
			if n, ok2 := Float(row[1]); !ok1 || !ok2 || n == 0 {
				continue
			}
			out = append(out, models.DayKey{Indicator: sr.Tags[TagIndicator], Entity: sr.Tags[TagEntity], Date: time.Unix(int64(ts), 0).In(models.Shanghai)})
		}
	}
	return out, nil
}

// Hours reads the raw hourly figures of one indicator at the entities of
// f (its Indicators ignored) in one query, ordered by entity and time.
func (s *Store) Hours(ctx context.Context, indicator string, f models.DayFilter) ([]models.Observation, error) {
	f.Indicators = []string{indicator}
	where, params, err := dayWhere(f)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s GROUP BY %s`,
		QuoteIdent(FieldValue), QuoteIdent(FieldProvider), QuoteIdent(MeasurementFigure), where, QuoteIdent(TagEntity))
	series, err := s.Query(ctx, q, params)
	if err != nil {
		return nil, fmt.Errorf("reading hourly %s: %w", indicator, err)
	}
	out := observationsFromSeries(indicator, series)
	sortFigures(out)
	return out, nil
}

// dayWhere is the condition of f, every name a bound parameter.
func dayWhere(f models.DayFilter) (string, map[string]any, error) {
	if len(f.Indicators) == 0 || len(f.Entities) == 0 {
		return "", nil, fmt.Errorf("rolling up hours: %w", models.ErrNoIndicator)
	}
	params := map[string]any{
		"start": f.Start.UTC().Format(time.RFC3339),
		"end":   f.End.UTC().Format(time.RFC3339),
	}
	where := strings.Join([]string{anyOf(params, TagIndicator, "i", f.Indicators), anyOf(params, TagEntity, "e", f.Entities),
		"time >= $start", "time < $end"}, " AND ")
	return where, params, nil
}

// anyOf is the condition that tag is one of values, each a parameter of
// params named prefix and its index.
func anyOf(params map[string]any, tag, prefix string, values []string) string {
	terms := make([]string, len(values))
	for i, v := range values {
		name := fmt.Sprintf("%s%d", prefix, i)
		params[name] = v
		terms[i] = fmt.Sprintf("%s = $%s", QuoteIdent(tag), name)
	}
	return "(" + strings.Join(terms, " OR ") + ")"
}

// daysWithDemo runs the daily aggregate query q of indicator over [start,
// end), marks the days with a demo hour and counts each day's negative
// hours (models.DailyFigure.Negative). InfluxDB answers one query on one
// core, so the two halves of the span (split at a Shanghai midnight, so no
// day is cut), the demo days and the negative hours are asked at once.
func (s *Store) daysWithDemo(ctx context.Context, q, indicator string, start, end time.Time) ([]models.DailyFigure, error) {
	spans := [][2]time.Time{{start, end}}
	if mid := localMidnight(start.Add(end.Sub(start) / 2)); mid.After(start) && mid.Before(end) {
		spans = [][2]time.Time{{start, mid}, {mid, end}}
	}
	parts := make([][]Series, len(spans))
	errs := make([]error, len(spans)+2)
	var demo, negative map[dayKey]int
	var wg sync.WaitGroup
	for i, sp := range spans {
		wg.Go(func() {
			parts[i], errs[i] = s.Query(ctx, q, map[string]any{
				"indicator": indicator,
				"start":     sp[0].UTC().Format(time.RFC3339),
				"end":       sp[1].UTC().Format(time.RFC3339),
			})
		})
	}
	provider := QuoteIdent(FieldProvider)
	wg.Go(func() {
		demo, errs[len(spans)] = s.countDays(ctx, indicator, start, end, fmt.Sprintf("(%s = $demo OR %s = $derived_demo)", provider, provider))
	})
	wg.Go(func() {
		negative, errs[len(spans)+1] = s.countDays(ctx, indicator, start, end, QuoteIdent(FieldValue)+" < 0")
	})
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var days []models.DailyFigure
	for _, series := range parts {
		days = append(days, dailyFromSeries(indicator, series)...)
	}
	sortDaily(days)
	for i := range days {
		k := dayKey{days[i].Entity, days[i].Time.Unix()}
		if demo[k] > 0 {
			days[i].Provider = models.ProviderDemo
		}
		days[i].Negative = negative[k]
	}
	return days, nil
}

// localMidnight is the start of t's day in Asia/Shanghai.
func localMidnight(t time.Time) time.Time {
	t = t.In(models.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, models.Shanghai)
}

// dayKey is one entity's Shanghai day, by its start.
type dayKey struct {
	entity string
	t      int64
}

// countDays counts, per entity and Shanghai day, the hours of indicator
// in [start, end) meeting cond (which may use $demo and $derived_demo).
func (s *Store) countDays(ctx context.Context, indicator string, start, end time.Time, cond string) (map[dayKey]int, error) {
	q := fmt.Sprintf(`SELECT count(%s) FROM %s WHERE %s = $indicator AND %s AND time >= $start AND time < $end `+
		`GROUP BY time(1d), %s fill(none) tz('Asia/Shanghai')`,
		QuoteIdent(FieldValue), QuoteIdent(MeasurementFigure), QuoteIdent(TagIndicator), cond, QuoteIdent(TagEntity))
	series, err := s.Query(ctx, q, map[string]any{
		"indicator":    indicator,
		"demo":         models.ProviderDemo,
		"derived_demo": models.ProviderDerivedFromDemo,
		"start":        start.UTC().Format(time.RFC3339),
		"end":          end.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return nil, fmt.Errorf("counting the hours of %s where %s: %w", indicator, cond, err)
	}
	counts := map[dayKey]int{}
	for _, sr := range series {
		for _, row := range sr.Values {
			if len(row) < 2 {
				continue
			}
			ts, ok1 := Float(row[0])
			if n, ok2 := Float(row[1]); ok1 && ok2 && n > 0 {
				counts[dayKey{sr.Tags[TagEntity], int64(ts)}] = int(n)
			}
		}
	}
	return counts, nil
}
