package report

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// period is one reporting period of an indicator: a month for monthly and
// finer data (daily and hourly series are reported by month), a quarter or
// a year otherwise.
type period struct {
	Start, End time.Time
	freq       models.Frequency
}

// periodMonths is the length of the reporting period of freq in months.
func periodMonths(freq models.Frequency) int {
	switch freq {
	case models.FrequencyQuarterly:
		return 3
	case models.FrequencyAnnual:
		return 12
	}
	return 1
}

// periodOf is the period of freq containing t (Asia/Shanghai).
func periodOf(freq models.Frequency, t time.Time) period {
	t = t.In(models.Shanghai)
	n := periodMonths(freq)
	m := (int(t.Month())-1)/n*n + 1
	start := time.Date(t.Year(), time.Month(m), 1, 0, 0, 0, 0, models.Shanghai)
	return period{Start: start, End: start.AddDate(0, n, 0), freq: freq}
}

// add returns the period k periods later (earlier for negative k).
func (p period) add(k int) period {
	return periodOf(p.freq, p.Start.AddDate(0, k*periodMonths(p.freq), 0))
}

// label is "2024-05", "2024-Q2" or "2024".
func (p period) label() string {
	switch periodMonths(p.freq) {
	case 3:
		return fmt.Sprintf("%d-Q%d", p.Start.Year(), (int(p.Start.Month())-1)/3+1)
	case 12:
		return fmt.Sprintf("%d", p.Start.Year())
	}
	return p.Start.Format("2006-01")
}

// point is one time stamp of a district series after sources are merged.
type point struct {
	T time.Time
	V float64
}

// sourceDerived is the source tag of figures the analysis engine derives
// itself (metrics.SourceDerived).
const sourceDerived = "derived"

// mergeSources turns the observations of one indicator and entity into one
// series ordered by time. When several sources stamp the same time, a
// reported figure wins over a derived one and otherwise the alphabetically
// first source, the analysis engine's rule, so the report and the engine
// read the same value; adding them would double-count a flow.
func mergeSources(obs []models.Observation) []point {
	best := map[int64]models.Observation{}
	for _, o := range obs {
		if math.IsNaN(o.Value) || math.IsInf(o.Value, 0) {
			continue
		}
		k := o.Time.Unix()
		if cur, ok := best[k]; !ok || preferSource(o.Provider, cur.Provider) {
			best[k] = o
		}
	}
	out := make([]point, 0, len(best))
	for _, o := range best {
		out = append(out, point{T: o.Time.In(models.Shanghai), V: o.Value})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].T.Before(out[j].T) })
	return out
}

func preferSource(a, b string) bool {
	if (a == sourceDerived) != (b == sourceDerived) {
		return b == sourceDerived
	}
	return a < b
}

// within returns the points in [from, to).
func within(pts []point, from, to time.Time) []point {
	lo := sort.Search(len(pts), func(i int) bool { return !pts[i].T.Before(from) })
	hi := sort.Search(len(pts), func(i int) bool { return !pts[i].T.Before(to) })
	return pts[lo:hi]
}

// aggregate combines the points of one period by the indicator's
// aggregation: flows sum, stocks and cumulatives take the last value,
// levels the mean of daily means (so an hourly series is not weighted by
// how many hours each day happened to report). NaN without points.
func aggregate(pts []point, agg models.Aggregation) float64 {
	if len(pts) == 0 {
		return math.NaN()
	}
	switch agg {
	case models.AggregateSum:
		s := 0.0
		for _, p := range pts {
			s += p.V
		}
		return s
	case models.AggregateLast:
		return pts[len(pts)-1].V
	}
	return meanOfDailyMeans(pts)
}

func meanOfDailyMeans(pts []point) float64 {
	var days []float64
	var sum float64
	var n int
	var day string
	for _, p := range pts {
		d := p.T.In(models.Shanghai).Format("2006-01-02")
		if d != day && n > 0 {
			days = append(days, sum/float64(n))
			sum, n = 0, 0
		}
		day = d
		sum += p.V
		n++
	}
	days = append(days, sum/float64(n))
	s := 0.0
	for _, v := range days {
		s += v
	}
	return s / float64(len(days))
}

// change is 环比 or 同比 of cur against base: the relative change for
// amounts, the difference for ratio indicators (their change is read in
// 个百分点). NaN when either is missing or a relative change has a zero base.
func change(cur, base float64, inPoints bool) float64 {
	if math.IsNaN(cur) || math.IsNaN(base) {
		return math.NaN()
	}
	if inPoints {
		return cur - base
	}
	if base == 0 {
		return math.NaN()
	}
	return (cur - base) / math.Abs(base)
}

// ytdPath is 累计 by the end of each month of year (index 0 = January):
// sums to date for flows, the latest value for stocks and cumulatives, the
// mean to date for levels. Months after upTo, or before any value, are NaN.
func ytdPath(pts []point, agg models.Aggregation, year int, upTo Month) [12]float64 {
	var out [12]float64
	start := Month{Year: year, Month: time.January}.Start()
	for i := range out {
		m := Month{Year: year, Month: time.Month(i + 1)}
		if m.Year > upTo.Year || (m.Year == upTo.Year && m.Month > upTo.Month) {
			out[i] = math.NaN()
			continue
		}
		out[i] = aggregate(within(pts, start, m.End()), agg)
	}
	return out
}
