package store

import (
	"context"
	"fmt"
	"time"
)

// HasFigures reports whether any reported figure (not a derived one) is
// stamped in [start, end): the report scheduler writes no report of a
// month without one.
func (s *Store) HasFigures(ctx context.Context, start, end time.Time) (bool, error) {
	q := fmt.Sprintf(`SELECT count(%s) FROM %s WHERE time >= $start AND time < $end`,
		QuoteIdent(FieldValue), QuoteIdent(MeasurementFigure))
	series, err := s.Query(ctx, q, map[string]any{
		"start": start.UTC().Format(time.RFC3339), "end": end.UTC().Format(time.RFC3339)})
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
