package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/water"
	"github.com/greenmetrics/greenmetrics/store"
)

// writeBatch is the most points sent in one request.
const writeBatch = 5000

// derivedResults is what a run derived besides the snapshot itself.
type derivedResults struct {
	water        waterResult
	carbon       []carbonLine
	observations []models.Observation
}

// points encodes a run's results. Derived observations and water standings
// are stamped at their period start, so a rerun replaces them; progress,
// forecasts and trends are stamped at the run's as-of second, one point per
// run (a rerun as of the same second replaces it). Non-finite numbers are
// left out: line protocol has no null.
func (e *Engine) points(s *Snapshot, d derivedResults, asOf time.Time) []store.Point {
	var out []store.Point
	for _, o := range d.observations {
		if err := o.Validate(); err != nil {
			e.log.Warn("derived observation not written", "indicator", o.Indicator, "entity", o.Entity, "err", err)
			continue
		}
		out = append(out, store.ObservationPoint(o))
	}
	for _, m := range d.water.months {
		out = append(out, waterPoints(waterPeriodMonth, m.start, m.sections, m.summary)...)
	}
	out = append(out, waterPoints(waterPeriodYearToDate, d.water.ytd.From, d.water.ytd.Sections, d.water.ytdSummary)...)
	out = append(out, carbonPoints(d.carbon)...)
	for _, code := range sortedCodes(s.Progress) {
		out = append(out, progressPoint(s.Progress[code], asOf))
	}
	for _, code := range sortedCodes(s.Forecasts) {
		out = append(out, forecastPoint(s.Forecasts[code], asOf))
	}
	for _, t := range s.Trends {
		out = append(out, trendPoint(t, asOf))
	}
	return out
}

func sortedCodes[V any](m map[string]V) []string {
	codes := make([]string, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// fields collects point fields, leaving out non-finite numbers.
type fields map[string]any

func (f fields) num(name string, v float64) {
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		f[name] = v
	}
}

func (f fields) str(name, v string) {
	if v != "" {
		f[name] = v
	}
}

func (f fields) date(name string, t time.Time) {
	if !t.IsZero() {
		f[name] = t.In(models.Shanghai).Format(time.RFC3339)
	}
}

func progressPoint(p models.Progress, asOf time.Time) store.Point {
	f := fields{}
	for name, v := range map[string]float64{
		"actual": p.Actual, "target": p.Target, "completion": p.Completion, "time_progress": p.TimeProgress,
		"pace": p.Pace, "gap": p.Gap, "latest": p.Latest, "period_value": p.PeriodValue, "mom": p.MoM,
		"yoy": p.YoY, "ytd_yoy": p.YTDYoY, "prior_year": p.PriorYear, "year_start": p.YearStart,
		"since_year_start": p.SinceYearStart, "observations": float64(p.Observations),
	} {
		f.num(name, v)
	}
	f.str("status", string(p.Status))
	f.str("target_basis", p.TargetBasis)
	f.date("through", p.Through)
	f.date("period_start", p.PeriodStart)
	return store.Point{Measurement: store.MeasurementProgress, Time: asOf,
		Tags: map[string]string{"indicator": p.Indicator, "year": strconv.Itoa(p.Year)}, Fields: f}
}

func forecastPoint(fc models.Forecast, asOf time.Time) store.Point {
	f := fields{}
	for name, v := range map[string]float64{
		"projected": fc.Projected, "lower": fc.Lower, "upper": fc.Upper, "level": fc.Level,
		"projected_completion": fc.ProjectedCompletion, "probability_meet": fc.ProbabilityMeet,
	} {
		f.num(name, v)
	}
	f.str("method", fc.Method)
	f.date("meet_date", fc.MeetDate)
	return store.Point{Measurement: store.MeasurementForecast, Time: asOf,
		Tags: map[string]string{"indicator": fc.Indicator, "year": strconv.Itoa(fc.Year)}, Fields: f}
}

func trendPoint(t models.TrendSummary, asOf time.Time) store.Point {
	f := fields{}
	f.num("p", t.P)
	f.num("slope_per_year", t.SlopePerYear)
	f.num("n", float64(t.N))
	f.str("direction", t.Direction)
	f.str("method", t.Method)
	if t.Spearman22 != "" {
		f.str("spearman_22", t.Spearman22)
		f.num("r_s", t.Rs)
		f.num("w_p", t.Wp)
	}
	f.date("from", t.From)
	f.date("to", t.To)
	return store.Point{Measurement: store.MeasurementTrend, Time: asOf,
		Tags: map[string]string{"indicator": t.Indicator, "entity": t.Entity}, Fields: f}
}

// waterPoints are the section and district points of one evaluation
// period; sections that could not be classified are left out.
func waterPoints(period string, start time.Time, sections []SectionStanding, summary *water.Summary) []store.Point {
	var out []store.Point
	for _, s := range sections {
		if s.Class == 0 {
			continue
		}
		f := fields{}
		f.num("class", float64(s.Class))
		f.num("samples", float64(s.Samples))
		f.num("attained", boolFloat(s.Attained))
		if s.TargetClass > 0 {
			f.num("target_class", float64(s.TargetClass))
		}
		f.str("class_name", s.ClassName)
		f["main_pollutants"] = strings.Join(s.MainPollutants, ",")
		out = append(out, store.Point{Measurement: store.MeasurementWaterSection, Time: start,
			Tags: map[string]string{"section": s.Name, "period": period}, Fields: f})
	}
	if summary == nil {
		return out
	}
	f := fields{}
	for name, v := range map[string]int{
		"sections": summary.Sections, "iv_or_better": summary.IVOrBetter, "iii_or_better": summary.IIIOrBetter,
		"worse_than_v": summary.WorseThanV, "targeted": summary.Targeted, "attained": summary.Attained,
	} {
		f.num(name, float64(v))
	}
	f.num("good_ratio", summary.GoodRatio)
	f.num("inferior_v_ratio", summary.WorseThanVRatio)
	if summary.Targeted > 0 {
		f.num("attainment_ratio", summary.AttainmentRatio)
	}
	return append(out, store.Point{Measurement: store.MeasurementWaterDistrict, Time: start,
		Tags: map[string]string{"period": period}, Fields: f})
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// write sends points in batches, retrying each batch a few times when the
// store says the same request may succeed later (network, 429, 5xx), after
// the pause the server asks for or a doubling back-off.
func (e *Engine) write(ctx context.Context, points []store.Point) error {
	for lo := 0; lo < len(points); lo += writeBatch {
		hi := min(lo+writeBatch, len(points))
		if err := e.writeWithRetry(ctx, points[lo:hi]); err != nil {
			return fmt.Errorf("writing derived points %d–%d of %d: %w", lo+1, hi, len(points), err)
		}
	}
	return nil
}

func (e *Engine) writeWithRetry(ctx context.Context, batch []store.Point) error {
	wait := e.retryWait
	for attempt := 0; ; attempt++ {
		err := e.writer.WritePoints(ctx, batch...)
		if err == nil {
			return nil
		}
		var we *store.WriteError
		if !errors.As(err, &we) || !we.Retryable() || attempt >= e.retries {
			return err
		}
		pause := max(wait, we.Wait())
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
