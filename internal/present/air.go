package present

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/models/air"
)

// airDaily are the daily values of an aqi line, null when invalid.
type airDaily struct {
	PM25  *float64 `json:"pm25"`
	PM10  *float64 `json:"pm10"`
	SO2   *float64 `json:"so2"`
	NO2   *float64 `json:"no2"`
	CO    *float64 `json:"co"`
	O3_8h *float64 `json:"o3_8h"`
	O3_1h *float64 `json:"o3_1h"`
}

// airIAQI are the indices of the valid daily values.
type airIAQI struct {
	PM25  *int `json:"pm25,omitempty"`
	PM10  *int `json:"pm10,omitempty"`
	SO2   *int `json:"so2,omitempty"`
	NO2   *int `json:"no2,omitempty"`
	CO    *int `json:"co,omitempty"`
	O3_8h *int `json:"o3_8h,omitempty"`
	O3_1h *int `json:"o3_1h,omitempty"`
}

type airAQILine struct {
	Station string   `json:"station"`
	Date    string   `json:"date"`
	AQI     *int     `json:"aqi"`
	Level   *int     `json:"level"`
	Primary []string `json:"primary"`
	Daily   airDaily `json:"daily"`
	IAQI    airIAQI  `json:"iaqi"`
}

func newAQILine(station string, date time.Time, d air.DayAQI) airAQILine {
	l := airAQILine{Station: station, Date: date.Format(time.DateOnly), Primary: d.Primary}
	if l.Primary == nil {
		l.Primary = []string{}
	}
	if d.Valid {
		aqi, level := d.AQI, int(d.Level)
		l.AQI, l.Level = &aqi, &level
	}
	values := [air.NumFields]**float64{&l.Daily.PM25, &l.Daily.PM10, &l.Daily.SO2, &l.Daily.NO2, &l.Daily.CO, &l.Daily.O3_8h, &l.Daily.O3_1h}
	indices := [air.NumFields]**int{&l.IAQI.PM25, &l.IAQI.PM10, &l.IAQI.SO2, &l.IAQI.NO2, &l.IAQI.CO, &l.IAQI.O3_8h, &l.IAQI.O3_1h}
	for f := air.Field(0); f < air.NumFields; f++ {
		if v := d.Values[f]; v.Valid {
			x := v.V
			*values[f] = &x
		}
		if d.IAQIValid[f] && d.Values[f].Valid {
			i := d.IAQI[f]
			*indices[f] = &i
		}
	}
	return l
}

type airValidity struct {
	PM25  bool `json:"pm25"`
	PM10  bool `json:"pm10"`
	SO2   bool `json:"so2"`
	NO2   bool `json:"no2"`
	COP95 bool `json:"co_p95"`
	O3P90 bool `json:"o3_8h_p90"`
}

type airAssessLine struct {
	Station     string      `json:"station"`
	Year        int         `json:"year"`
	PM25        *float64    `json:"pm25"`
	PM10        *float64    `json:"pm10"`
	SO2         *float64    `json:"so2"`
	NO2         *float64    `json:"no2"`
	COP95       *float64    `json:"co_p95"`
	O3P90       *float64    `json:"o3_8h_p90"`
	ValidDays   int         `json:"valid_days"`
	GoodDays    int         `json:"good_days"`
	GoodRatio   *float64    `json:"good_ratio"`
	HeavyDays   int         `json:"heavy_days"`
	MeetsClass2 *bool       `json:"meets_class2"`
	Valid       airValidity `json:"valid"`
}

func newAssessLine(station string, year int, s air.Summary) airAssessLine {
	l := airAssessLine{Station: station, Year: year, ValidDays: s.ValidDays, GoodDays: s.GoodDays, HeavyDays: s.HeavyDays}
	stats := [air.NumStatistics]**float64{&l.PM25, &l.PM10, &l.SO2, &l.NO2, &l.COP95, &l.O3P90}
	valid := [air.NumStatistics]*bool{&l.Valid.PM25, &l.Valid.PM10, &l.Valid.SO2, &l.Valid.NO2, &l.Valid.COP95, &l.Valid.O3P90}
	for st := air.Statistic(0); st < air.NumStatistics; st++ {
		if v := s.Stats[st]; v.Valid {
			x := v.V
			*stats[st], *valid[st] = &x, true
		}
	}
	if s.GoodRatio.Valid {
		r := s.GoodRatio.V
		l.GoodRatio = &r
	}
	if s.Known {
		m := s.MeetsClass2
		l.MeetsClass2 = &m
	}
	return l
}

// AirRowErrors names on errw the rows of an air input that could not be
// used, and with complete their number.
func AirRowErrors(errw io.Writer, in app.AirInput, complete bool) {
	for _, e := range in.RowErrors {
		fmt.Fprintf(errw, "air: %s: %v\n", in.Name, e)
	}
	if complete && len(in.RowErrors) > 0 {
		fmt.Fprintf(errw, "air: %s: %d rows not used\n", in.Name, len(in.RowErrors))
	}
}

// AirDays prints one JSON line per station (or region) and day.
func AirDays(w io.Writer, days []app.AirDay) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var err error
	for _, d := range days {
		err = errors.Join(err, enc.Encode(newAQILine(d.Station, d.Date, d.AQI)))
	}
	return errors.Join(err, bw.Flush())
}

// AirYears prints one JSON line per station (or region) and year.
func AirYears(w io.Writer, years []app.AirYear) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var err error
	for _, y := range years {
		err = errors.Join(err, enc.Encode(newAssessLine(y.Station, y.Year, y.Summary)))
	}
	return errors.Join(err, bw.Flush())
}
