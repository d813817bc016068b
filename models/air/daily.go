package air

import (
	"math"
	"time"
)

// Pollutants are the six measured pollutant codes, in the order the CLI
// prints them. Concentrations are µg/m³, CO mg/m³.
var Pollutants = []string{"pm25", "pm10", "so2", "no2", "co", "o3"}

// IsPollutant reports whether code is one of Pollutants.
func IsPollutant(code string) bool {
	for _, p := range Pollutants {
		if p == code {
			return true
		}
	}
	return false
}

// Validity thresholds of HJ 663-2013 (docs/air.md §2).
const (
	MinHoursPerDay     = 20 // 24-hour means and o3_1h
	MinHoursPerWindow  = 6  // of the 8 hours of an O₃ 8-hour average
	MinWindowsPerDay   = 14 // of the 17 8-hour windows ending at 07 … 23
	firstWindowEndHour = 7
)

// Hours holds one day's hourly values of one pollutant, indexed by the hour
// the value starts at (0 = 00:00–01:00 local time). NaN is "no valid
// measurement".
type Hours [24]float64

// NoHours returns a day without any valid measurement.
func NoHours() Hours {
	var h Hours
	for i := range h {
		h[i] = math.NaN()
	}
	return h
}

// Set records v at hour h; a negative or non-finite value is not a
// measurement and leaves the hour invalid.
func (h *Hours) Set(hour int, v float64) {
	if !Measured(v) {
		return
	}
	h[hour] = v
}

// Measured reports whether v can be a concentration: finite and not negative.
func Measured(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 }

// A Value is a daily or annual statistic with its validity; V is meaningless
// when Valid is false.
type Value struct {
	V     float64
	Valid bool
}

func valid(v float64) Value { return Value{V: v, Valid: true} }

// A Field is one of the seven daily values that have an IAQI.
type Field int

// The daily values, in the CLI's order.
const (
	PM25 Field = iota
	PM10
	SO2
	NO2
	CO
	O3_8h
	O3_1h
	NumFields
)

var fieldNames = [NumFields]string{"pm25", "pm10", "so2", "no2", "co", "o3_8h", "o3_1h"}

// String returns the field's code (pm25 … o3_8h, o3_1h).
func (f Field) String() string { return fieldNames[f] }

// Pollutant returns the pollutant code of the field: o3 for both O₃ values.
func (f Field) Pollutant() string {
	if f == O3_8h || f == O3_1h {
		return "o3"
	}
	return fieldNames[f]
}

// DailyValues are one station's (or region's) daily values.
type DailyValues [NumFields]Value

// Day is one day's hourly input per pollutant code; a pollutant without
// an entry has no valid hour.
type Day map[string]Hours

// Daily computes the HJ 663-2013 daily values of one day.
func Daily(d Day) DailyValues {
	var out DailyValues
	for _, f := range []Field{PM25, PM10, SO2, NO2, CO} {
		if h, ok := d[f.Pollutant()]; ok {
			out[f] = Mean24(h)
		}
	}
	if h, ok := d["o3"]; ok {
		out[O3_8h] = MaxO3_8h(h)
		out[O3_1h] = MaxO3_1h(h)
	}
	return out
}

// Mean24 is the 24-hour mean: valid with at least MinHoursPerDay hours.
func Mean24(h Hours) Value {
	sum, n := 0.0, 0
	for _, v := range h {
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	if n < MinHoursPerDay {
		return Value{}
	}
	return valid(sum / float64(n))
}

// MovingO3_8h is the 8-hour moving average ending at hour end (start-stamped,
// 7 ≤ end ≤ 23): the mean of the valid hours end−7 … end, valid with at
// least MinHoursPerWindow of them.
func MovingO3_8h(h Hours, end int) Value {
	sum, n := 0.0, 0
	for i := end - 7; i <= end; i++ {
		if i >= 0 && !math.IsNaN(h[i]) {
			sum += h[i]
			n++
		}
	}
	if n < MinHoursPerWindow {
		return Value{}
	}
	return valid(sum / float64(n))
}

// MaxO3_8h is the daily maximum 8-hour average of the 17 windows ending at
// 07 … 23, valid when at least MinWindowsPerDay windows are valid.
func MaxO3_8h(h Hours) Value {
	best, n := math.Inf(-1), 0
	for end := firstWindowEndHour; end < 24; end++ {
		if w := MovingO3_8h(h, end); w.Valid {
			best = math.Max(best, w.V)
			n++
		}
	}
	if n < MinWindowsPerDay {
		return Value{}
	}
	return valid(best)
}

// MaxO3_1h is the daily maximum hourly value, valid [rule] with at least
// MinHoursPerDay valid hours.
func MaxO3_1h(h Hours) Value {
	best, n := math.Inf(-1), 0
	for _, v := range h {
		if !math.IsNaN(v) {
			best = math.Max(best, v)
			n++
		}
	}
	if n < MinHoursPerDay {
		return Value{}
	}
	return valid(best)
}

// China has kept UTC+8 without daylight saving since 1991; a fixed zone
// needs no tz database on the host.
var shanghai = time.FixedZone("Asia/Shanghai", 8*3600)

// Local returns the location days are counted in (Asia/Shanghai).
func Local() *time.Location { return shanghai }
