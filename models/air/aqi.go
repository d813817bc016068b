package air

import "math"

// iaqiSteps are the IAQI values of the breakpoint rows of HJ 633-2012 表1.
var iaqiSteps = [8]float64{0, 50, 100, 150, 200, 300, 400, 500}

// breakpoints are the concentration limits per field and IAQI row
// (docs/air.md §3); O₃ 8h stops at 800 (IAQI 300): above it the day uses
// the O₃ 1-hour IAQI.
var breakpoints = [NumFields][]float64{
	PM25:  {0, 35, 75, 115, 150, 250, 350, 500},
	PM10:  {0, 50, 150, 250, 350, 420, 500, 600},
	SO2:   {0, 50, 150, 475, 800, 1600, 2100, 2620},
	NO2:   {0, 40, 80, 180, 280, 565, 750, 940},
	CO:    {0, 2, 4, 14, 24, 36, 48, 60},
	O3_8h: {0, 100, 160, 215, 265, 800},
	O3_1h: {0, 160, 200, 300, 400, 800, 1000, 1200},
}

// MaxIAQI is the IAQI of a concentration above the last breakpoint [rule].
const MaxIAQI = 500

// Breakpoints returns the concentration limits of field f, one per IAQI row
// 0, 50, 100, 150, 200, 300, 400, 500 (O₃ 8h: up to 300).
func Breakpoints(f Field) []float64 { return append([]float64(nil), breakpoints[f]...) }

// IAQI returns the individual air quality index of concentration c of field
// f, rounded up (进位取整). ok is false for O₃ 8h above 800 µg/m³, which has
// no 8-hour index.
func IAQI(f Field, c float64) (iaqi int, ok bool) {
	bp := breakpoints[f]
	last := len(bp) - 1
	if c > bp[last] {
		if f == O3_8h {
			return 0, false
		}
		return MaxIAQI, true
	}
	i := 1
	for c > bp[i] {
		i++
	}
	lo, hi := iaqiSteps[i-1], iaqiSteps[i]
	return ceil((hi-lo)/(bp[i]-bp[i-1])*(c-bp[i-1]) + lo), true
}

// ceil rounds up after dropping floating-point noise below 1e-9, so an
// exact index (CO 2.2 mg/m³ → 55) is not pushed to the next integer.
func ceil(x float64) int {
	return int(math.Ceil(math.Round(x*1e9) / 1e9))
}

// Level is the AQI level 1 (优) … 6 (严重污染).
type Level int

var levelNames = [...]string{"", "优", "良", "轻度污染", "中度污染", "重度污染", "严重污染"}

// String returns the Chinese category name.
func (l Level) String() string {
	if l < 1 || l > 6 {
		return ""
	}
	return levelNames[l]
}

// LevelOf returns the level of a (valid) AQI.
func LevelOf(aqi int) Level {
	switch {
	case aqi <= 50:
		return 1
	case aqi <= 100:
		return 2
	case aqi <= 150:
		return 3
	case aqi <= 200:
		return 4
	case aqi <= 300:
		return 5
	default:
		return 6
	}
}

// Thresholds of the day counts (docs/air.md §4).
const (
	GoodMaxAQI  = 100 // 优良: AQI ≤ 100
	HeavyMinAQI = 201 // 重污染: AQI > 200
)

// A DayAQI is a day's assessment under HJ 633-2012.
type DayAQI struct {
	Values DailyValues
	// IAQI holds the index of each valid daily value; IAQIValid says which.
	// IAQI[O3_8h] is the O₃ 1-hour index on a day whose O₃ 8h exceeds 800.
	IAQI      [NumFields]int
	IAQIValid [NumFields]bool
	AQI       int
	Valid     bool // the AQI is valid: all six pollutants have daily values
	Level     Level
	// Primary lists the pollutants (首要污染物) whose IAQI equals an AQI
	// above 50, in Pollutants order, o3 once.
	Primary []string
}

// Good reports a valid AQI ≤ 100 (优良).
func (d DayAQI) Good() bool { return d.Valid && d.AQI <= GoodMaxAQI }

// Heavy reports a valid AQI > 200 (重污染).
func (d DayAQI) Heavy() bool { return d.Valid && d.AQI >= HeavyMinAQI }

// AssessDay computes the IAQIs, AQI, level and primary pollutants of a day.
func AssessDay(v DailyValues) DayAQI {
	d := DayAQI{Values: v}
	for f := Field(0); f < NumFields; f++ {
		if !v[f].Valid {
			continue
		}
		d.IAQI[f], d.IAQIValid[f] = IAQI(f, v[f].V)
	}
	if v[O3_8h].Valid && !d.IAQIValid[O3_8h] && d.IAQIValid[O3_1h] {
		d.IAQI[O3_8h], d.IAQIValid[O3_8h] = d.IAQI[O3_1h], true
	}
	d.Valid = true
	for f := Field(0); f < NumFields; f++ {
		d.Valid = d.Valid && v[f].Valid && d.IAQIValid[f]
		if d.IAQIValid[f] && d.IAQI[f] > d.AQI {
			d.AQI = d.IAQI[f]
		}
	}
	if !d.Valid {
		d.AQI = 0
		return d
	}
	d.Level = LevelOf(d.AQI)
	if d.AQI > 50 {
		for f := Field(0); f < NumFields; f++ {
			p := f.Pollutant()
			if d.IAQI[f] == d.AQI && (len(d.Primary) == 0 || d.Primary[len(d.Primary)-1] != p) {
				d.Primary = append(d.Primary, p)
			}
		}
	}
	return d
}
