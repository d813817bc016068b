package metrics

import (
	"math"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Balance is a stock's standing at its latest period, in the words of the
// PBoC loan report (domain.md §3): 余额, 同比增长, 比年初增加, 占各项贷款比重
// and 高于各项贷款增速X个百分点. It serves any stock: a loan balance, or a
// count such as the climate project library's 146 projects.
type Balance struct {
	Indicator string    `json:"indicator"`
	At        time.Time `json:"at"` // start of the latest period
	Value     float64   `json:"value"`
	// YoY is 同比增长: against the same period a year earlier, relative.
	YoY float64 `json:"yoy"`
	// YearStart is the balance at the end of the prior year (its December,
	// or Q4 for quarterly data); SinceYearStart is 比年初增加 = Value −
	// YearStart, and SinceYearStartRatio that increase over YearStart.
	YearStart           float64 `json:"year_start"`
	SinceYearStart      float64 `json:"since_year_start"`
	SinceYearStartRatio float64 `json:"since_year_start_ratio"`
	// Share is Value over the total (all loans) at the same period.
	Share float64 `json:"share"`
	// GrowthGap is YoY minus the total's YoY, in ratio units (×100: 个百分点).
	GrowthGap float64 `json:"growth_gap"`
}

// BalanceOf reads a stock's latest balance as of asOf from the figures of
// one entity (the national series, or the district's). total holds the observations of the whole it is a share of
// (all loans) and may be nil; Share and GrowthGap are then NaN. Nothing
// that cannot be computed is zero: missing comparisons are NaN, and with no
// balance at all Value is NaN.
func BalanceOf(ind models.Indicator, obs, total []models.Observation, asOf time.Time) Balance {
	b := Balance{Indicator: ind.Code, Value: math.NaN(), YoY: math.NaN(), YearStart: math.NaN(),
		SinceYearStart: math.NaN(), SinceYearStartRatio: math.NaN(), Share: math.NaN(), GrowthGap: math.NaN()}
	cut := asOf.Add(time.Nanosecond)
	known := seriesOf(ind, obs).Until(cut)
	cur, ok := known.Latest()
	if !ok {
		return b
	}
	b.At, b.Value = cur.Period.Start, cur.Value
	b.YoY = relativeChange(cur.Value, known, cur.Period.YearAgo())
	yearEnd := known.ReportingPeriod(yearStart(cur.Period.Year())).Previous()
	if ye, ok := known.At(yearEnd); ok {
		b.YearStart = ye.Value
		b.SinceYearStart = cur.Value - ye.Value
		b.SinceYearStartRatio = models.Change(models.KindStock, cur.Value, ye.Value)
	}
	if len(total) == 0 {
		return b
	}
	totalInd := ind
	totalInd.Code = "total"
	tp := seriesOf(totalInd, total).Until(cut)
	if t, ok := tp.At(cur.Period); ok && t.Value > 0 {
		b.Share = cur.Value / t.Value
		b.GrowthGap = b.YoY - relativeChange(t.Value, tp, cur.Period.YearAgo())
	}
	return b
}

// seriesOf is the series of figures of one entity, whatever it is named:
// the caller chooses the entity (a national balance is not the district's).
func seriesOf(ind models.Indicator, obs []models.Observation) models.Series {
	pts := make([]models.SeriesPoint, 0, len(obs))
	for _, o := range obs {
		pts = append(pts, models.SeriesPoint{Time: o.Time, Value: o.Value, Figures: 1, Demo: models.IsDemoProvider(o.Provider)})
	}
	return models.NewSeries(ind, pts)
}

// relativeChange is 同比增长 of v against period p of s, relative whatever
// the kind (a balance's growth).
func relativeChange(v float64, s models.Series, p models.Period) float64 {
	prev, ok := s.At(p)
	if !ok {
		return math.NaN()
	}
	return models.Change(models.KindStock, v, prev.Value)
}

// Cumulative is a running total since inception, such as the Beijing Green
// Exchange's turnover "累计成交突破1亿吨": its latest value, what the current
// year added, and whether it has passed a milestone.
type Cumulative struct {
	Indicator string    `json:"indicator"`
	At        time.Time `json:"at"`
	Value     float64   `json:"value"`
	// AddedThisYear is Value minus the prior year-end total (NaN without
	// one).
	AddedThisYear float64 `json:"added_this_year"`
	// Milestone and Reached: Reached is whether Value passes Milestone in
	// the sense of the qualifier ("突破" is strictly more).
	Milestone float64 `json:"milestone"`
	Reached   bool    `json:"reached"`
}

// CumulativeOf reads a cumulative total as of asOf and checks it against a
// milestone with the report's qualifier (突破/超 → more than; 达到 → at
// least), on values rounded to the reporting precision. A NaN milestone is
// never reached.
func CumulativeOf(ind models.Indicator, obs []models.Observation, asOf time.Time, milestone float64, q models.Qualifier) Cumulative {
	c := Cumulative{Indicator: ind.Code, Value: math.NaN(), AddedThisYear: math.NaN(), Milestone: milestone}
	known := seriesOf(ind, obs).Until(asOf.Add(time.Nanosecond))
	last, ok := known.Latest()
	if !ok {
		return c
	}
	c.At, c.Value = last.LastTime, last.Last
	y := asOf.In(models.Shanghai).Year()
	if start := known.YearStartValue(y, ind.Baseline); !math.IsNaN(start) {
		c.AddedThisYear = last.Last - start
	}
	// Compared as published (GB/T 8170 at the reporting precision), like
	// every target comparison.
	step := models.ReportingStep(ind, milestone)
	c.Reached = !math.IsNaN(milestone) && meets(models.RoundUnits(c.Value, step), models.RoundUnits(milestone, step), q, models.DirectionHigher)
	return c
}
