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

// BalanceOf reads a stock's latest balance as of asOf from its
// observations. total holds the observations of the whole it is a share of
// (all loans) and may be nil; Share and GrowthGap are then NaN. Nothing
// that cannot be computed is zero: missing comparisons are NaN, and with no
// balance at all Value is NaN.
func BalanceOf(ind models.Indicator, obs, total []models.Observation, asOf time.Time) Balance {
	b := Balance{Indicator: ind.Code, Value: math.NaN(), YoY: math.NaN(), YearStart: math.NaN(),
		SinceYearStart: math.NaN(), SinceYearStartRatio: math.NaN(), Share: math.NaN(), GrowthGap: math.NaN()}
	cut := asOf.Add(time.Nanosecond)
	periods := periodize(ind, between(districtSeries(ind, obs), time.Time{}, cut))
	if len(periods) == 0 {
		return b
	}
	cur := periods[len(periods)-1]
	b.At, b.Value = cur.t, cur.v
	if prev, ok := find(periods, cur.t.AddDate(-1, 0, 0)); ok {
		b.YoY = change(models.KindStock, cur.v, prev.v)
	}
	if ye, ok := find(periods, addPeriods(ind.Frequency, yearStart(cur.t.Year()), -1)); ok {
		b.YearStart = ye.v
		b.SinceYearStart = cur.v - ye.v
		b.SinceYearStartRatio = change(models.KindStock, cur.v, ye.v)
	}
	if len(total) == 0 {
		return b
	}
	totalInd := ind
	totalInd.Code = "total"
	tp := periodize(totalInd, between(districtSeries(totalInd, total), time.Time{}, cut))
	if t, ok := find(tp, cur.t); ok && t.v > 0 {
		b.Share = cur.v / t.v
		if prev, ok := find(tp, cur.t.AddDate(-1, 0, 0)); ok {
			b.GrowthGap = b.YoY - change(models.KindStock, t.v, prev.v)
		}
	}
	return b
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
// least). A NaN milestone is never reached.
func CumulativeOf(ind models.Indicator, obs []models.Observation, asOf time.Time, milestone float64, q models.Qualifier) Cumulative {
	c := Cumulative{Indicator: ind.Code, Value: math.NaN(), AddedThisYear: math.NaN(), Milestone: milestone}
	known := between(districtSeries(ind, obs), time.Time{}, asOf.Add(time.Nanosecond))
	if len(known) == 0 {
		return c
	}
	last := known[len(known)-1]
	c.At, c.Value = last.t, last.v
	y := asOf.In(models.Shanghai).Year()
	if start := yearStartValue(ind, known, y); !math.IsNaN(start) {
		c.AddedThisYear = last.v - start
	}
	c.Reached = !math.IsNaN(milestone) && meets(c.Value, milestone, q, models.DirectionHigher)
	return c
}
