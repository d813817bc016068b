package metrics

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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

// hourlyAir is an AirDayReader with one figure per hour at each station
// (value: the hour's Unix time), recording the spans of Hours it is asked.
type hourlyAir struct {
	countingReader
	asked [][2]time.Time
}

func (h *hourlyAir) DaySums(context.Context, models.DayFilter) ([]models.DaySum, error) {
	return nil, nil
}
func (h *hourlyAir) UnusualDays(context.Context, models.DayFilter) ([]models.DayKey, error) {
	return nil, nil
}

func (h *hourlyAir) Hours(_ context.Context, indicator string, f models.DayFilter) ([]models.Observation, error) {
	h.asked = append(h.asked, [2]time.Time{f.Start, f.End})
	var out []models.Observation
	for _, e := range f.Entities {
		for t := f.Start; t.Before(f.End); t = t.Add(time.Hour) {
			out = append(out, models.Observation{Indicator: indicator, Entity: e, Time: t, Value: float64(t.Unix())})
		}
	}
	// As the store answers: by entity, then time.
	slices.SortStableFunc(out, func(a, b models.Observation) int {
		if c := strings.Compare(a.Entity, b.Entity); c != 0 {
			return c
		}
		return a.Time.Compare(b.Time)
	})
	return out, nil
}

// TestSharedHoursReadTheMissingPart: a second read of hours over a span
// overlapping the first asks only for the part not read yet, and answers
// exactly as a read of its whole span; a disjoint span is read whole.
func TestSharedHoursReadTheMissingPart(t *testing.T) {
	ctx := context.Background()
	day := func(m time.Month, d int) time.Time { return time.Date(2016, m, d, 0, 0, 0, 0, models.Shanghai) }
	stations := []string{"Dongsi", "Aotizhongxin"}
	h := &hourlyAir{}
	r := SharedReads(h).(AirDayReader)
	direct := &hourlyAir{}
	tests := []struct {
		name       string
		start, end time.Time
		asks       [][2]time.Time
	}{
		{"first", day(3, 1), day(5, 1), [][2]time.Time{{day(3, 1), day(5, 1)}}},
		{"inside", day(3, 10), day(4, 2), nil},
		{"earlier start", day(2, 1), day(4, 1), [][2]time.Time{{day(2, 1), day(3, 1)}}},
		{"both ends", day(1, 1), day(6, 1), [][2]time.Time{{day(1, 1), day(2, 1)}, {day(5, 1), day(6, 1)}}},
		{"disjoint", day(9, 1), day(9, 3), [][2]time.Time{{day(9, 1), day(9, 3)}}},
	}
	for _, tc := range tests {
		h.asked = nil
		f := models.DayFilter{Entities: stations, Start: tc.start, End: tc.end}
		got, err := r.Hours(ctx, "o3", f)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := direct.Hours(ctx, "o3", f)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %d hours, not those of one read of the span (%d)", tc.name, len(got), len(want))
		}
		if fmt.Sprint(h.asked) != fmt.Sprint(tc.asks) {
			t.Errorf("%s: asked %v; want %v", tc.name, h.asked, tc.asks)
		}
	}
}

// TestSharedDailyBatches: a batched daily read remembers each series, so a
// later batch or single read of the same series and span asks nothing, and
// a batch asks only for the series not read yet.
func TestSharedDailyBatches(t *testing.T) {
	ctx := context.Background()
	c := &countingReader{}
	r := SharedReads(c).(DailyBatchReader)
	jan := time.Date(2024, 1, 1, 0, 0, 0, 0, models.Shanghai)
	pm25 := models.DailyQuery{Indicator: "pm25", Aggregation: models.AggregateMean}
	no2 := models.DailyQuery{Indicator: "no2", Aggregation: models.AggregateMean}
	got, err := r.DailyAggregatesOf(ctx, []models.DailyQuery{pm25, no2}, jan, jan.AddDate(1, 0, 0))
	if err != nil || len(got) != 2 || got[0][0].Indicator != "pm25" || got[1][0].Indicator != "no2" || c.calls != 2 {
		t.Fatalf("first batch = %v, %v after %d reads; want pm25 then no2 in 2 reads", got, err, c.calls)
	}
	if _, err := r.(HistoryReader).DailyAggregates(ctx, "no2", models.AggregateMean, jan, jan.AddDate(1, 0, 0)); err != nil || c.calls != 2 {
		t.Errorf("a single read of a series the batch read: %d reads (%v); want none more", c.calls, err)
	}
	so2 := models.DailyQuery{Indicator: "so2", Aggregation: models.AggregateMean}
	got, err = r.DailyAggregatesOf(ctx, []models.DailyQuery{so2, pm25}, jan, jan.AddDate(1, 0, 0))
	if err != nil || got[0][0].Indicator != "so2" || got[1][0].Indicator != "pm25" || c.calls != 3 {
		t.Errorf("second batch = %v, %v after %d reads; want so2 then pm25, one more read", got, err, c.calls)
	}
}
