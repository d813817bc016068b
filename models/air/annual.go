package air

import (
	"math"
	"sort"
	"time"
)

// Validity of period statistics (HJ 663-2013, docs/air.md §4).
const (
	MinDaysPerYear  = 324
	MinDaysPerMonth = 27
	MinDaysFebruary = 25
	percentileCO    = 0.95
	percentileO3    = 0.90
)

// MinDaysIn returns the valid days a month needs: 25 in February, else 27.
func MinDaysIn(m time.Month) int {
	if m == time.February {
		return MinDaysFebruary
	}
	return MinDaysPerMonth
}

// Percentile is the HJ 663 percentile of values (p in [0, 1]): linear
// interpolation between order statistics, k = 1 + (n−1)·p. It is invalid
// for no values.
func Percentile(values []float64, p float64) Value {
	if len(values) == 0 {
		return Value{}
	}
	x := append([]float64(nil), values...)
	sort.Float64s(x)
	k := 1 + float64(len(x)-1)*p
	s := int(math.Floor(k))
	if s >= len(x) {
		return valid(x[len(x)-1])
	}
	return valid(x[s-1] + (x[s]-x[s-1])*(k-float64(s)))
}

// A DatedDay is one day's assessment and its date (midnight, local time).
type DatedDay struct {
	Date time.Time
	DayAQI
}

// A Statistic is one of the six annual statistics.
type Statistic int

// The annual statistics in the CLI's order.
const (
	StatPM25 Statistic = iota
	StatPM10
	StatSO2
	StatNO2
	StatCOP95
	StatO3P90
	NumStatistics
)

var statNames = [NumStatistics]string{"pm25", "pm10", "so2", "no2", "co_p95", "o3_8h_p90"}

// String returns the statistic's code.
func (s Statistic) String() string { return statNames[s] }

// Pollutant is the code of the pollutant the statistic is of.
func (s Statistic) Pollutant() string { return fieldOf[s].Pollutant() }

// Class2Limits are the GB 3095-2012 class Ⅱ annual limits (µg/m³, CO mg/m³).
var Class2Limits = [NumStatistics]float64{35, 70, 60, 40, 4, 160}

// precision is each statistic's reporting precision in decimals: PM2.5 to
// 0.1 µg/m³, CO to 0.1 mg/m³, the others to integers.
var precision = [NumStatistics]int{1, 0, 0, 0, 1, 0}

// Reported rounds a statistic to its reporting precision by GB/T 8170
// (四舍六入五成双).
func (s Statistic) Reported(v float64) float64 { return RoundHalfEven(v, precision[s]) }

// RoundHalfEven rounds v to decimals places, an exact half to even. Float
// noise below 1e-9 of the scaled value is dropped first, so 70.5 is a half
// and 0.35·100 is 35.
func RoundHalfEven(v float64, decimals int) float64 {
	scale := math.Pow10(decimals)
	x := math.Round(v*scale*1e9) / 1e9
	return math.RoundToEven(x) / scale
}

// fieldOf is the daily value each statistic is computed from.
var fieldOf = [NumStatistics]Field{PM25, PM10, SO2, NO2, CO, O3_8h}

// Summary is a period's assessment (a year, or a year to date).
type Summary struct {
	Stats [NumStatistics]Value
	// ValidDays has a valid AQI, GoodDays an AQI ≤ 100, HeavyDays > 200.
	ValidDays, GoodDays, HeavyDays int
	// GoodRatio is 优良天数比例 = GoodDays / ValidDays, invalid without valid days.
	GoodRatio Value
	// MeetsClass2 is the class Ⅱ verdict; Known is false when a statistic is
	// invalid.
	MeetsClass2, Known bool
}

// Summarize counts the days and computes the statistics over days without
// checking the annual validity (the year-to-date view); AssessYear adds it.
func Summarize(days []DatedDay) Summary {
	var s Summary
	var series [NumStatistics][]float64
	for _, d := range days {
		for st := Statistic(0); st < NumStatistics; st++ {
			if v := d.Values[fieldOf[st]]; v.Valid {
				series[st] = append(series[st], v.V)
			}
		}
		if !d.Valid {
			continue
		}
		s.ValidDays++
		if d.Good() {
			s.GoodDays++
		}
		if d.Heavy() {
			s.HeavyDays++
		}
	}
	for st := Statistic(0); st < NumStatistics; st++ {
		switch st {
		case StatCOP95:
			s.Stats[st] = Percentile(series[st], percentileCO)
		case StatO3P90:
			s.Stats[st] = Percentile(series[st], percentileO3)
		default:
			s.Stats[st] = mean(series[st])
		}
	}
	if s.ValidDays > 0 {
		s.GoodRatio = valid(float64(s.GoodDays) / float64(s.ValidDays))
	}
	return s
}

func mean(x []float64) Value {
	if len(x) == 0 {
		return Value{}
	}
	sum := 0.0
	for _, v := range x {
		sum += v
	}
	return valid(sum / float64(len(x)))
}

// AssessYear assesses one calendar year's days (days of other years are
// ignored): a statistic is valid with at least 324 valid daily values and
// at least 27 in every month (25 in February); the class Ⅱ verdict is known
// when all six are valid, and met when each, rounded to reporting precision,
// is within its limit.
func AssessYear(year int, days []DatedDay) Summary {
	var inYear []DatedDay
	var perMonth [NumStatistics][13]int
	for _, d := range days {
		if d.Date.Year() != year {
			continue
		}
		inYear = append(inYear, d)
		for st := Statistic(0); st < NumStatistics; st++ {
			if d.Values[fieldOf[st]].Valid {
				perMonth[st][d.Date.Month()]++
			}
		}
	}
	s := Summarize(inYear)
	s.Known, s.MeetsClass2 = true, true
	for st := Statistic(0); st < NumStatistics; st++ {
		if !YearValid(perMonth[st]) {
			s.Stats[st] = Value{}
		}
		if !s.Stats[st].Valid {
			s.Known = false
			continue
		}
		s.MeetsClass2 = s.MeetsClass2 && st.Reported(s.Stats[st].V) <= Class2Limits[st]
	}
	if !s.Known {
		s.MeetsClass2 = false
	}
	return s
}

// YearValid reports whether valid daily values per month (index 1–12) make
// an annual statistic valid.
func YearValid(perMonth [13]int) bool {
	total := 0
	for m := time.January; m <= time.December; m++ {
		if perMonth[m] < MinDaysIn(m) {
			return false
		}
		total += perMonth[m]
	}
	return total >= MinDaysPerYear
}

// MonthValid reports whether n valid daily values make a month's statistic
// valid (27, or 25 in February).
func MonthValid(m time.Month, n int) bool { return n >= MinDaysIn(m) }

// RegionDaily combines the stations' daily values of one day: each value is
// the mean of the stations' valid values, valid [rule] with at least one.
func RegionDaily(stations []DailyValues) DailyValues {
	var out DailyValues
	for f := Field(0); f < NumFields; f++ {
		sum, n := 0.0, 0
		for _, s := range stations {
			if s[f].Valid {
				sum += s[f].V
				n++
			}
		}
		if n > 0 {
			out[f] = valid(sum / float64(n))
		}
	}
	return out
}
