package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Filter selects observations to read. Empty Entity or Source means any.
type Filter struct {
	Indicator string
	Entity    string
	Source    string
	Start     time.Time // inclusive
	End       time.Time // exclusive; zero means now + 1 year
}

// Observations reads the observations matching f, ordered by entity, source
// and time. Every value from outside the code is a bound parameter, so an
// entity name such as `x' OR 1=1` is data, never query.
func (s *Store) Observations(ctx context.Context, f Filter) ([]models.Observation, error) {
	if f.Indicator == "" {
		return nil, fmt.Errorf("reading observations: %w", models.ErrNoIndicator)
	}
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
	if f.Source != "" {
		where = append(where, `"source" = $source`)
		params["source"] = f.Source
	}
	q := fmt.Sprintf(`SELECT "value" FROM %s WHERE %s GROUP BY "entity", "source"`,
		QuoteIdent(MeasurementObservation), strings.Join(where, " AND "))
	series, err := s.Query(ctx, q, params)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", f.Indicator, err)
	}
	out := observationsFromSeries(f.Indicator, series)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Entity != b.Entity {
			return a.Entity < b.Entity
		}
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.Time.Before(b.Time)
	})
	return out, nil
}

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
			out = append(out, models.Observation{
				Time:      time.Unix(int64(ts), 0).In(models.Shanghai),
				Indicator: indicator,
				Entity:    s.Tags[TagEntity],
				Value:     v,
				Source:    s.Tags[TagSource],
			})
		}
	}
	return out
}

// Latest returns, for every indicator, entity and source, the newest
// observation — what dashboards and the exporter show as "current".
func (s *Store) Latest(ctx context.Context, since time.Time) ([]models.Observation, error) {
	q := fmt.Sprintf(`SELECT last("value") FROM %s WHERE time >= $start GROUP BY "indicator", "entity", "source"`,
		QuoteIdent(MeasurementObservation))
	series, err := s.Query(ctx, q, map[string]any{"start": since.UTC().Format(time.RFC3339Nano)})
	if err != nil {
		return nil, fmt.Errorf("reading latest observations: %w", err)
	}
	var out []models.Observation
	for _, se := range series {
		out = append(out, observationsFromSeries(se.Tags[TagIndicator], []Series{se})...)
	}
	return out, nil
}
