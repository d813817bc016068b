package metrics

import (
	"math"
	"sort"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// SourceDerived is the source tag of observations the engine computes
// itself (district water figures, section classes).
const SourceDerived = "derived"

// point is one value of a prepared series: a timestamp (or a period start)
// and the value there, with the number of observations behind it.
type point struct {
	t time.Time
	v float64
	n int
}

// dedupe keeps one observation per entity and timestamp. Two sources may
// report the same period: a reported figure is preferred to one the engine
// derived, and otherwise the alphabetically first source wins, so the
// choice does not depend on read order. Non-finite values are dropped.
func dedupe(obs []models.Observation) []models.Observation {
	type key struct {
		entity string
		t      int64
	}
	best := make(map[key]models.Observation, len(obs))
	for _, o := range obs {
		if math.IsNaN(o.Value) || math.IsInf(o.Value, 0) {
			continue
		}
		k := key{o.Entity, o.Time.Unix()}
		if cur, ok := best[k]; !ok || preferSource(o.Provider, cur.Provider) {
			best[k] = o
		}
	}
	out := make([]models.Observation, 0, len(best))
	for _, o := range best {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Entity != out[j].Entity {
			return out[i].Entity < out[j].Entity
		}
		return out[i].Time.Before(out[j].Time)
	})
	return out
}

// preferSource reports whether source a should replace b for the same
// entity and time.
func preferSource(a, b string) bool {
	if (a == SourceDerived) != (b == SourceDerived) {
		return b == SourceDerived
	}
	return a < b
}

// districtSeries turns an indicator's observations into one district-wide
// series. A district figure reported as such (no entity) is used alone;
// otherwise the entities are combined per timestamp by kind: amounts
// (flow, stock, cumulative) add up, levels and ratios are averaged, and a
// class takes the worst (highest) value, as the single-factor rule does.
func districtSeries(ind models.Indicator, obs []models.Observation) []point {
	obs = dedupe(obs)
	district := false
	for _, o := range obs {
		if o.Entity == "" {
			district = true
			break
		}
	}
	byTime := map[int64][]float64{}
	times := map[int64]time.Time{}
	for _, o := range obs {
		if district && o.Entity != "" {
			continue
		}
		k := o.Time.Unix()
		byTime[k] = append(byTime[k], o.Value)
		times[k] = o.Time
	}
	out := make([]point, 0, len(byTime))
	for k, vs := range byTime {
		out = append(out, point{t: times[k].In(models.Shanghai), v: combineEntities(ind.Kind, vs), n: len(vs)})
	}
	sortPoints(out)
	return out
}

// entitySeries returns the deduplicated series of one entity.
func entitySeries(obs []models.Observation, entity string) []point {
	var out []point
	for _, o := range dedupe(obs) {
		if o.Entity == entity {
			out = append(out, point{t: o.Time.In(models.Shanghai), v: o.Value, n: 1})
		}
	}
	return out
}

func combineEntities(k models.Kind, vs []float64) float64 {
	switch k {
	case models.KindFlow, models.KindStock, models.KindCumulative:
		return sum(vs)
	case models.KindClass:
		m := vs[0]
		for _, v := range vs[1:] {
			m = math.Max(m, v)
		}
		return m
	}
	return sum(vs) / float64(len(vs))
}

func sortPoints(ps []point) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].t.Before(ps[j].t) })
}

func sum(vs []float64) float64 {
	var s float64
	for _, v := range vs {
		s += v
	}
	return s
}

// periodMonths is the length in months of an indicator's reporting period
// for 本月值, 环比 and 同比: hourly and daily data are read by month.
func periodMonths(f models.Frequency) int {
	switch f {
	case models.FrequencyAnnual:
		return 12
	case models.FrequencyQuarterly:
		return 3
	}
	return 1
}

// periodStart is the start, in Asia/Shanghai, of the reporting period that
// contains t.
func periodStart(f models.Frequency, t time.Time) time.Time {
	t = t.In(models.Shanghai)
	y, m, _ := t.Date()
	step := periodMonths(f)
	first := time.Month((int(m)-1)/step*step + 1)
	return time.Date(y, first, 1, 0, 0, 0, 0, models.Shanghai)
}

// addPeriods moves a period start by n periods.
func addPeriods(f models.Frequency, start time.Time, n int) time.Time {
	return start.AddDate(0, n*periodMonths(f), 0)
}

// periodize aggregates a series into reporting periods with the
// indicator's aggregation (sum, last or mean); points must be sorted.
func periodize(ind models.Indicator, pts []point) []point {
	var out []point
	var cur []point
	flush := func() {
		if len(cur) == 0 {
			return
		}
		out = append(out, point{t: periodStart(ind.Frequency, cur[0].t), v: aggregate(ind.Aggregation, cur), n: count(cur)})
		cur = cur[:0]
	}
	for _, p := range pts {
		if len(cur) > 0 && !periodStart(ind.Frequency, p.t).Equal(periodStart(ind.Frequency, cur[0].t)) {
			flush()
		}
		cur = append(cur, p)
	}
	flush()
	return out
}

func aggregate(a models.Aggregation, pts []point) float64 {
	switch a {
	case models.AggregateSum:
		var s float64
		for _, p := range pts {
			s += p.v
		}
		return s
	case models.AggregateLast:
		return pts[len(pts)-1].v
	}
	var s float64
	for _, p := range pts {
		s += p.v
	}
	return s / float64(len(pts))
}

func count(pts []point) int {
	n := 0
	for _, p := range pts {
		n += p.n
	}
	return n
}

// between returns the points with from ≤ t < to.
func between(pts []point, from, to time.Time) []point {
	lo := sort.Search(len(pts), func(i int) bool { return !pts[i].t.Before(from) })
	hi := sort.Search(len(pts), func(i int) bool { return !pts[i].t.Before(to) })
	if hi < lo {
		return nil
	}
	return pts[lo:hi]
}

// find returns the point stamped exactly at t.
func find(pts []point, t time.Time) (point, bool) {
	i := sort.Search(len(pts), func(i int) bool { return !pts[i].t.Before(t) })
	if i < len(pts) && pts[i].t.Equal(t) {
		return pts[i], true
	}
	return point{}, false
}

func yearStart(y int) time.Time { return time.Date(y, time.January, 1, 0, 0, 0, 0, models.Shanghai) }

func daysInYear(y int) float64 {
	return math.Round(yearStart(y+1).Sub(yearStart(y)).Hours() / 24)
}
