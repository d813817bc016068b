package metrics

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/analysis"
)

// derivedResults is what a run derived besides the snapshot itself.
type derivedResults struct {
	water        waterResult
	carbon       []analysis.CarbonLine
	observations []models.Observation
}

// results are what a run hands its writer: the derived figures that pass
// validation (the others are logged and left out), the water standings of
// every evaluated month and of the year to date, the carbon lines, and
// progress, forecasts and trends as of asOf.
func (e *Engine) results(s *Snapshot, d derivedResults, asOf time.Time) analysis.Results {
	r := analysis.Results{AsOf: asOf, Carbon: d.carbon, Trends: s.Trends}
	for _, o := range d.observations {
		if err := o.Validate(); err != nil {
			e.log.Warn("derived observation not written", "indicator", o.Indicator, "entity", o.Entity, "err", err)
			continue
		}
		r.Derived = append(r.Derived, o)
	}
	for _, m := range d.water.months {
		r.Water = append(r.Water, analysis.WaterPeriod{Kind: analysis.WaterMonth, Start: m.start, Sections: m.sections, Summary: m.summary})
	}
	r.Water = append(r.Water, analysis.WaterPeriod{Kind: analysis.WaterYearToDate, Start: d.water.ytd.From,
		Sections: d.water.ytd.Sections, Summary: d.water.ytdSummary})
	for _, code := range sortedCodes(s.Progress) {
		r.Progress = append(r.Progress, s.Progress[code])
	}
	for _, code := range sortedCodes(s.Forecasts) {
		r.Forecasts = append(r.Forecasts, s.Forecasts[code])
	}
	return r
}

func sortedCodes[V any](m map[string]V) []string {
	codes := make([]string, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// write hands the results to the writer, trying again a few times when the
// error says the same write may succeed later (RetryableError), after the
// pause the server asks for or a doubling back-off.
func (e *Engine) write(ctx context.Context, r analysis.Results) error {
	wait := e.retryWait
	for attempt := 0; ; attempt++ {
		err := e.writer.WriteResults(ctx, r)
		if err == nil {
			return nil
		}
		var re RetryableError
		if !errors.As(err, &re) || !re.Retryable() || attempt >= e.retries {
			return err
		}
		pause := max(wait, re.Wait())
		e.log.Warn("derived write failed, retrying", "attempt", attempt+1, "in", pause, "err", err)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (after: %v)", ctx.Err(), err)
		case <-t.C:
		}
		wait *= 2
	}
}
