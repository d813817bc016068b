package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Observations reads the figures matching f, one per entity and period,
// ordered by entity and time; with f.WithDerived, the engine's derived
// figures where no reported one exists (models.PreferReported). Every value from outside the code is a bound
// parameter, so an entity name such as `x' OR 1=1` is data, never query.
func (s *Store) Observations(ctx context.Context, f models.FigureQuery) ([]models.Observation, error) {
	if f.Indicator == "" {
		return nil, fmt.Errorf("reading figures: %w", models.ErrNoIndicator)
	}
	out, err := s.readMeasurement(ctx, MeasurementFigure, f)
	if err != nil {
		return nil, err
	}
	if f.WithDerived {
		derived, err := s.readMeasurement(ctx, MeasurementDerived, f)
		if err != nil {
			return nil, err
		}
		out = models.PreferReported(out, derived)
	}
	sortFigures(out)
	return out, nil
}

// ObservationsOf reads the figures of several indicators at once, as
// Observations reads each of them with f (f.Indicator ignored): by
// indicator, one per entity and period, ordered by entity and time. One
// query per measurement whatever the number of indicators: InfluxDB opens
// every shard of the span for each query, so a hundred indicators read one
// by one cost a hundred times that.
func (s *Store) ObservationsOf(ctx context.Context, indicators []string, f models.FigureQuery) (map[string][]models.Observation, error) {
	if len(indicators) == 0 {
		return nil, fmt.Errorf("reading figures: %w", models.ErrNoIndicator)
	}
	out, err := s.readMeasurementOf(ctx, MeasurementFigure, indicators, f)
	if err != nil {
		return nil, err
	}
	if f.WithDerived {
		derived, err := s.readMeasurementOf(ctx, MeasurementDerived, indicators, f)
		if err != nil {
			return nil, err
		}
		for ind, d := range derived {
			out[ind] = models.PreferReported(out[ind], d)
		}
	}
	for _, obs := range out {
		sortFigures(obs)
	}
	return out, nil
}

func (s *Store) readMeasurementOf(ctx context.Context, measurement string, indicators []string, f models.FigureQuery) (map[string][]models.Observation, error) {
	stored, err := s.storedIndicators(ctx, measurement)
	if err != nil {
		return nil, err
	}
	indicators = slices.DeleteFunc(slices.Clone(indicators), func(ind string) bool { return !stored[ind] })
	if len(indicators) == 0 {
		return map[string][]models.Observation{}, nil
	}
	end := f.End
	if end.IsZero() {
		end = time.Now().AddDate(1, 0, 0)
	}
	params := map[string]any{
		"start": f.Start.UTC().Format(time.RFC3339Nano),
		"end":   end.UTC().Format(time.RFC3339Nano),
	}
	where := []string{anyOf(params, TagIndicator, "i", indicators), `time >= $start`, `time < $end`}
	if f.Entity != "" {
		where = append(where, `"entity" = $entity`)
		params["entity"] = f.Entity
	}
	q := fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s GROUP BY %s, %s`,
		QuoteIdent(FieldValue), QuoteIdent(FieldProvider), QuoteIdent(measurement),
		strings.Join(where, " AND "), QuoteIdent(TagIndicator), QuoteIdent(TagEntity))
	series, err := s.Query(ctx, q, params)
	if err != nil {
		return nil, fmt.Errorf("reading %d indicators from %s: %w", len(indicators), measurement, err)
	}
	out := make(map[string][]models.Observation, len(indicators))
	for _, sr := range series {
		ind := sr.Tags[TagIndicator]
		out[ind] = append(out[ind], observationsFromSeries(ind, []Series{sr})...)
	}
	return out, nil
}

func (s *Store) readMeasurement(ctx context.Context, measurement string, f models.FigureQuery) ([]models.Observation, error) {
	end := f.End
	if end.IsZero() {
		end = time.Now().AddDate(1, 0, 0)
	}
	where := []string{`"indicator" = $indicator`, `time >= $start`, `time < $end`}
	params := map[string]any{
		"indicator": f.Indicator,
		"start":     f.Start.UTC().Format(time.RFC3339Nano),
		"end":       end.UTC().Format(time.RFC3339Nano),
	}
	if f.Entity != "" {
		where = append(where, `"entity" = $entity`)
		params["entity"] = f.Entity
	}
	q := fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s GROUP BY %s`,
		QuoteIdent(FieldValue), QuoteIdent(FieldProvider), QuoteIdent(measurement),
		strings.Join(where, " AND "), QuoteIdent(TagEntity))
	series, err := s.Query(ctx, q, params)
	if err != nil {
		return nil, fmt.Errorf("reading %s from %s: %w", f.Indicator, measurement, err)
	}
	return observationsFromSeries(f.Indicator, series), nil
}

// DailyAggregates reads an hourly series as one value per entity and
// Shanghai day in [start, end), aggregated by agg (mean, sum or last; any
// other: mean), so that the analysis reads hundreds of days rather than
// hundreds of thousands of hours per run. A day's provider is demo when any
// of its hours is (store/rollup.go): real data supersede the demo's figure
// by figure, so a day mixes the two only while real data arrive.
func (s *Store) DailyAggregates(ctx context.Context, indicator string, agg models.Aggregation, start, end time.Time) ([]models.DailyFigure, error) {
	days, err := s.DailyAggregatesOf(ctx, []models.DailyQuery{{Indicator: indicator, Aggregation: agg}}, start, end)
	if err != nil {
		return nil, err
	}
	return days[0], nil
}

// DailyAggregatesOf answers DailyAggregates for several hourly series over
// one span, in their order. What is kept of them (keptdays.go) is read in
// three queries for all of them rather than three each: InfluxDB opens
// every shard of the span for each query, which costs more than the few
// rows each indicator has kept.
func (s *Store) DailyAggregatesOf(ctx context.Context, qs []models.DailyQuery, start, end time.Time) ([][]models.DailyFigure, error) {
	out := make([][]models.DailyFigure, len(qs))
	// Whole Shanghai months come from what is kept; the cut months at
	// either end of the span (the running month) are aggregated each
	// time.
	first, last := localMonthStart(start), localMonthStart(end)
	if first.Before(start) {
		first = first.AddDate(0, 1, 0)
	}
	spans := [][2]time.Time{{start, end}}
	var kept map[keptKey]keptState
	if s.cfg.Rollups && first.Before(last) {
		spans = nil
		for _, sp := range [][2]time.Time{{start, first}, {last, end}} {
			if sp[0].Before(sp[1]) {
				spans = append(spans, sp)
			}
		}
		var err error
		if kept, err = s.readKeptOf(ctx, qs, first, last); err != nil {
			return nil, err
		}
	}
	errs := make([]error, len(qs))
	slots := make(chan struct{}, dailyReadsInFlight)
	var wg sync.WaitGroup
	for i, dq := range qs {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			out[i], errs[i] = s.daily(ctx, dq, spans, kept, first, last)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// dailyReadsInFlight is how many hourly series DailyAggregatesOf reads at
// once: a read is a few queries InfluxDB answers on one core each, and the
// client decodes one answer while the next is computed.
const dailyReadsInFlight = 2

// daily reads one series: its kept months of [first, last) when kept is
// set, and the spans from the hours.
func (s *Store) daily(ctx context.Context, dq models.DailyQuery, spans [][2]time.Time, kept map[keptKey]keptState, first, last time.Time) ([]models.DailyFigure, error) {
	fn := aggregateFunction(dq.Aggregation)
	value := QuoteIdent(FieldValue)
	// Two aggregates, not four: InfluxDB scans the hours once per
	// aggregate, and the provider strings cost twice a number.
	q := fmt.Sprintf(`SELECT %s(%s), count(%s) FROM %s WHERE %s = $indicator AND time >= $start AND time < $end `+
		`GROUP BY time(1d), %s fill(none) tz('Asia/Shanghai')`,
		fn, value, value, QuoteIdent(MeasurementFigure), QuoteIdent(TagIndicator), QuoteIdent(TagEntity))
	var days []models.DailyFigure
	if kept != nil {
		k, err := s.fromKept(ctx, q, fn, dq.Indicator, first, last, kept[keptKey{dq.Indicator, fn}])
		if err != nil {
			return nil, err
		}
		days = k
	}
	for _, sp := range spans {
		d, err := s.daysWithDemo(ctx, q, dq.Indicator, sp[0], sp[1])
		if err != nil {
			return nil, err
		}
		days = append(days, d...)
	}
	sortDaily(days)
	return days, nil
}

// aggregateFunction is the InfluxQL function of agg: mean, sum or last
// (any other: mean).
func aggregateFunction(agg models.Aggregation) string {
	switch agg {
	case models.AggregateSum:
		return "sum"
	case models.AggregateLast:
		return "last"
	}
	return "mean"
}

// dailyFromSeries reads rows of (time, aggregate, count).
func dailyFromSeries(indicator string, series []Series) []models.DailyFigure {
	var out []models.DailyFigure
	for _, s := range series {
		for _, row := range s.Values {
			if len(row) < 2 {
				continue
			}
			ts, ok1 := Float(row[0])
			v, ok2 := Float(row[1])
			if !ok1 || !ok2 {
				continue
			}
			d := models.DailyFigure{Observation: models.Observation{Time: time.Unix(int64(ts), 0).In(models.Shanghai), Indicator: indicator, Entity: s.Tags[TagEntity], Value: v}}
			if len(row) >= 3 {
				if n, ok := Float(row[2]); ok {
					d.Hours = int(n)
				}
			}
			out = append(out, d)
		}
	}
	return out
}

func sortFigures(out []models.Observation) {
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Entity != b.Entity {
			return a.Entity < b.Entity
		}
		return a.Time.Before(b.Time)
	})
}

// observationsFromSeries reads rows of (time, value, provider).
func observationsFromSeries(indicator string, series []Series) []models.Observation {
	var out []models.Observation
	for _, s := range series {
		for _, row := range s.Values {
			if len(row) < 2 || row[1] == nil {
				continue
			}
			ts, ok1 := Float(row[0])
			v, ok2 := Float(row[1])
			if !ok1 || !ok2 {
				continue
			}
			o := models.Observation{
				Time:      time.Unix(int64(ts), 0).In(models.Shanghai),
				Indicator: indicator,
				Entity:    s.Tags[TagEntity],
				Value:     v,
			}
			if len(row) > 2 {
				o.Provider, _ = row[2].(string)
			}
			out = append(out, o)
		}
	}
	return out
}
