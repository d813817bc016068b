package metrics

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// countingReader answers every read with one figure and counts the reads;
// it fails while fail is set.
type countingReader struct {
	calls int
	fail  bool
}

func (c *countingReader) Observations(_ context.Context, f models.FigureQuery) ([]models.Observation, error) {
	c.calls++
	if c.fail {
		return nil, errors.New("unreachable")
	}
	return []models.Observation{{Indicator: f.Indicator, Entity: f.Entity, Time: f.Start, Value: 1}}, nil
}

func (c *countingReader) DailyAggregates(_ context.Context, indicator string, _ models.Aggregation, start, _ time.Time) ([]models.DailyFigure, error) {
	c.calls++
	return []models.DailyFigure{{Observation: models.Observation{Indicator: indicator, Time: start, Value: 2}, Hours: 24}}, nil
}

func TestSharedReadsReadOnce(t *testing.T) {
	ctx := context.Background()
	c := &countingReader{}
	r := SharedReads(c)
	if _, ok := r.(AirDayReader); ok {
		t.Fatal("SharedReads of a reader without rollups claims rollups")
	}
	jan := time.Date(2024, 1, 1, 0, 0, 0, 0, models.Shanghai)
	f := models.FigureQuery{Indicator: "pm25", Start: jan, End: jan.AddDate(1, 0, 0)}
	first, err := r.Observations(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	first[0].Value = 99 // a caller's change must not reach the next caller
	again, err := r.Observations(ctx, models.FigureQuery{Indicator: "pm25", Start: jan.UTC(), End: jan.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if c.calls != 1 || again[0].Value != 1 {
		t.Errorf("the same read twice: %d reads, value %v; want 1 read, value 1", c.calls, again[0].Value)
	}
	if _, err := r.Observations(ctx, models.FigureQuery{Indicator: "pm10", Start: jan}); err != nil || c.calls != 2 {
		t.Errorf("another indicator: %d reads (%v); want a second read", c.calls, err)
	}
	for range 2 {
		if _, err := r.DailyAggregates(ctx, "o3", models.AggregateMean, jan, jan.AddDate(0, 1, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if c.calls != 3 {
		t.Errorf("daily aggregates twice: %d reads in all; want 3", c.calls)
	}
	c.fail = true
	g := models.FigureQuery{Indicator: "so2", Start: jan}
	if _, err := r.Observations(ctx, g); err == nil {
		t.Fatal("a failed read succeeded")
	}
	c.fail = false
	if got, err := r.Observations(ctx, g); err != nil || len(got) != 1 || c.calls != 5 {
		t.Errorf("after a failure: %v, %v, %d reads; want the figure read again (5 reads)", got, err, c.calls)
	}
}
