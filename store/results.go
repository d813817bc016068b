package store

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/analysis"
	"github.com/greenmetrics/greenmetrics/models/carbon"
	"github.com/greenmetrics/greenmetrics/models/water"
)

// resultsBatch is the most points of an analysis run sent in one request.
const resultsBatch = 5000

// WriteResults writes an analysis run's results (ResultPoints) in requests
// of at most 5 000 points. A failed request ends the write with its
// *WriteError (wrapped): sending all the results again is safe, since each
// point replaces its own earlier copy.
func (s *Store) WriteResults(ctx context.Context, r analysis.Results) error {
	points := ResultPoints(r)
	for lo := 0; lo < len(points); lo += resultsBatch {
		hi := min(lo+resultsBatch, len(points))
		if err := s.WritePoints(ctx, points[lo:hi]...); err != nil {
			return fmt.Errorf("writing derived points %d–%d of %d: %w", lo+1, hi, len(points), err)
		}
	}
	return nil
}

// ResultPoints are the points an analysis run's results are stored as.
// Derived figures go to MeasurementDerived, water standings and carbon
// lines are stamped at their period's start, progress, forecasts and
// trends at r.AsOf (docs/schema.md). Non-finite numbers are left out: line
// protocol has no null.
func ResultPoints(r analysis.Results) []Point {
	var out []Point
	for _, o := range r.Derived {
		out = append(out, ObservationPoint(o))
	}
	for _, w := range r.Water {
		out = append(out, waterPoints(w)...)
	}
	for _, l := range r.Carbon {
		out = append(out, carbonPoint(l))
	}
	for _, p := range r.Progress {
		out = append(out, progressPoint(p, r.AsOf))
	}
	for _, f := range r.Forecasts {
		out = append(out, forecastPoint(f, r.AsOf))
	}
	for _, t := range r.Trends {
		out = append(out, trendPoint(t, r.AsOf))
	}
	return out
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

func progressPoint(p models.Progress, asOf time.Time) Point {
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
	return Point{Measurement: MeasurementProgress, Time: asOf,
		Tags: map[string]string{"indicator": p.Indicator, "year": strconv.Itoa(p.Year)}, Fields: f}
}

func forecastPoint(fc models.Forecast, asOf time.Time) Point {
	f := fields{}
	for name, v := range map[string]float64{
		"projected": fc.Projected, "lower": fc.Lower, "upper": fc.Upper, "level": fc.Level,
		"projected_completion": fc.ProjectedCompletion, "probability_meet": fc.ProbabilityMeet,
	} {
		f.num(name, v)
	}
	f.str("method", fc.Method)
	f.date("meet_date", fc.MeetDate)
	return Point{Measurement: MeasurementForecast, Time: asOf,
		Tags: map[string]string{"indicator": fc.Indicator, "year": strconv.Itoa(fc.Year)}, Fields: f}
}

func trendPoint(t models.TrendSummary, asOf time.Time) Point {
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
	return Point{Measurement: MeasurementTrend, Time: asOf,
		Tags: map[string]string{"indicator": t.Indicator, "entity": t.Entity}, Fields: f}
}

// waterPoints are the section and district points of one evaluation
// period; sections that could not be classified are left out.
func waterPoints(w analysis.WaterPeriod) []Point {
	var out []Point
	period := string(w.Kind)
	for _, s := range w.Sections {
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
		out = append(out, Point{Measurement: MeasurementWaterSection, Time: w.Start,
			Tags: map[string]string{"section": s.Name, "period": period}, Fields: f})
	}
	if w.Summary == nil {
		return out
	}
	return append(out, waterDistrictPoint(period, w.Start, w.Summary))
}

func waterDistrictPoint(period string, start time.Time, summary *water.Summary) Point {
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
	return Point{Measurement: MeasurementWaterDistrict, Time: start,
		Tags: map[string]string{"period": period}, Fields: f}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// carbonPoint records the factor of a line behind a derived monthly
// co2_emissions, stamped at the month start. The factor is a field, not a
// tag, so that a rerun with a newer factor replaces the month's point.
func carbonPoint(cl analysis.CarbonLine) Point {
	l := cl.Line
	f := fields{}
	f.num("amount", l.BaseAmount)
	f.num("emissions", l.Value)
	f.num("factor_value", l.Factor.Value)
	f.num("factor_year", float64(l.Factor.Year))
	f.str("amount_unit", l.BaseUnit)
	f.str("factor_id", l.Factor.ID)
	f.str("factor_unit", l.Factor.Unit)
	f.str("factor_series", l.Factor.Series)
	f.str("factor_source", l.Factor.Source)
	tags := map[string]string{"indicator": cl.Indicator, "activity": string(l.Activity)}
	if l.Use != carbon.UseFinal {
		tags["use"] = string(l.Use)
	}
	if cl.Excluded != "" {
		f = fields{}
		f.num("amount", l.BaseAmount)
		f.str("amount_unit", l.BaseUnit)
		f.str("excluded", cl.Excluded)
	}
	return Point{Measurement: MeasurementCarbon, Time: cl.Month, Tags: tags, Fields: f}
}
