package store

import (
	"context"
	"errors"
	"fmt"
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
	end := f.End
	if end.IsZero() {
		end = time.Now().AddDate(1, 0, 0)
	}
	params := map[string]any{
		"start": f.Start.UTC().Format(time.RFC3339Nano),
		"end":   end.UTC().Format(time.RFC3339Nano),
	}
	terms := make([]string, len(indicators))
	for i, ind := range indicators {
		name := fmt.Sprintf("i%d", i)
		params[name] = ind
		terms[i] = fmt.Sprintf("%s = $%s", QuoteIdent(TagIndicator), name)
	}
	where := []string{"(" + strings.Join(terms, " OR ") + ")", `time >= $start`, `time < $end`}
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
// of its hours is (demoDays, store/rollup.go): real data supersede the
// demo's figure by figure, so a day mixes the two only while real data
// arrive.
func (s *Store) DailyAggregates(ctx context.Context, indicator string, agg models.Aggregation, start, end time.Time) ([]models.DailyFigure, error) {
	fn := map[models.Aggregation]string{models.AggregateSum: "sum", models.AggregateLast: "last"}[agg]
	if fn == "" {
		fn = "mean"
	}
	value := QuoteIdent(FieldValue)
	// Two aggregates, not four: InfluxDB scans the hours once per
	// aggregate, and the provider strings cost twice a number.
	q := fmt.Sprintf(`SELECT %s(%s), count(%s) FROM %s WHERE %s = $indicator AND time >= $start AND time < $end `+
		`GROUP BY time(1d), %s fill(none) tz('Asia/Shanghai')`,
		fn, value, value, QuoteIdent(MeasurementFigure), QuoteIdent(TagIndicator), QuoteIdent(TagEntity))
	if !s.cfg.Rollups {
		return s.daysWithDemo(ctx, q, indicator, start, end)
	}
	// Whole Shanghai months come from what is kept (keptdays.go); the cut
	// months at either end of the span (the running month) are
	// aggregated each time.
	first, last := localMonthStart(start), localMonthStart(end)
	if first.Before(start) {
		first = first.AddDate(0, 1, 0)
	}
	if !first.Before(last) {
		return s.daysWithDemo(ctx, q, indicator, start, end)
	}
	spans := [][2]time.Time{{first, last}}
	for _, sp := range [][2]time.Time{{start, first}, {last, end}} {
		if sp[0].Before(sp[1]) {
			spans = append(spans, sp)
		}
	}
	parts := make([][]models.DailyFigure, len(spans))
	errs := make([]error, len(spans))
	var wg sync.WaitGroup
	for i, sp := range spans {
		wg.Go(func() {
			if i == 0 {
				parts[i], errs[i] = s.keptDays(ctx, q, fn, indicator, sp[0], sp[1])
			} else {
				parts[i], errs[i] = s.daysWithDemo(ctx, q, indicator, sp[0], sp[1])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var days []models.DailyFigure
	for _, p := range parts {
		days = append(days, p...)
	}
	sortDaily(days)
	return days, nil
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
