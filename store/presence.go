package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// HasFigures reports whether any reported figure (not a derived one) is
// stamped in [start, end): the report scheduler writes no report of a
// month without one. A database that does not exist yet has none (serve
// checks the last month as it starts, a moment before --create-db has
// made it).
func (s *Store) HasFigures(ctx context.Context, start, end time.Time) (bool, error) {
	q := fmt.Sprintf(`SELECT count(%s) FROM %s WHERE time >= $start AND time < $end`,
		QuoteIdent(FieldValue), QuoteIdent(MeasurementFigure))
	series, err := s.Query(ctx, q, map[string]any{
		"start": start.UTC().Format(time.RFC3339), "end": end.UTC().Format(time.RFC3339)})
	if errors.Is(err, ErrDatabaseNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, se := range series {
		for _, row := range se.Values {
			if len(row) > 1 && fmt.Sprint(row[1]) != "0" {
				return true, nil
			}
		}
	}
	return false, nil
}

// storedIndicators is the set of indicators measurement has any series
// of, from the index (SHOW TAG VALUES: milliseconds, whatever the number
// of points). A batched read asks only for these: InfluxDB plans every
// term of a query on every shard of its span, so a hundred indicators
// without data cost a query of a few hundred milliseconds that returns
// nothing. The index may still list an indicator whose points were
// deleted; reading it then costs a query, never a figure.
func (s *Store) storedIndicators(ctx context.Context, measurement string) (map[string]bool, error) {
	q := fmt.Sprintf(`SHOW TAG VALUES FROM %s WITH KEY = %s`, QuoteIdent(measurement), QuoteIdent(TagIndicator))
	series, err := s.Query(ctx, q, nil)
	if err != nil {
		return nil, fmt.Errorf("listing the indicators stored in %s: %w", measurement, err)
	}
	out := map[string]bool{}
	for _, se := range series {
		for _, row := range se.Values {
			if len(row) > 1 {
				if v, ok := row[1].(string); ok {
					out[v] = true
				}
			}
		}
	}
	return out, nil
}
