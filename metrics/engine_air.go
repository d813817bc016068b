package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/air"
)

// Derived ambient-air indicators of the district (docs/air.md): the
// configured stations (scope.stations) assessed as one region.
const (
	CodeAQIDaily           = "aqi_daily"            // the day's AQI, stamped at local midnight
	CodeGoodDays           = "good_days"            // 优良天数, year to date through the day
	CodeGoodDaysRatio      = "good_days_ratio"      // 优良天数比例, year to date through the day
	CodeHeavyPollutionDays = "heavy_pollution_days" // 重污染天数, year to date through the day
)

// airAnnualCodes are the annual statistics, stamped at 1 January: year to
// date for the running year, the HJ 663 annual value (written only when
// valid) for a finished year.
var airAnnualCodes = [air.NumStatistics]string{
	air.StatPM25:  "pm25_year_mean",
	air.StatPM10:  "pm10_year_mean",
	air.StatSO2:   "so2_year_mean",
	air.StatNO2:   "no2_year_mean",
	air.StatCOP95: "co_year_p95",
	air.StatO3P90: "o3_8h_year_p90",
}

// derivesAir reports whether code is a derived air figure: stored ones
// from earlier runs extend its history beyond the two years a run
// recomputes.
func derivesAir(code string) bool {
	switch code {
	case CodeAQIDaily, CodeGoodDays, CodeGoodDaysRatio, CodeHeavyPollutionDays:
		return true
	}
	for _, c := range airAnnualCodes {
		if c == code {
			return true
		}
	}
	return false
}

// airInput is the district stations' hourly data a run read, and which
// station-days carry demo data.
type airInput struct {
	hours air.Hourly
	demo  map[time.Time]bool
}

// readAir reads the raw hourly pollutant figures of the scope's stations
// from the start of the prior year: the daily AQI needs every hour (the
// O₃ 8-hour windows), not the daily aggregates the other indicators use.
func (e *Engine) readAir(ctx context.Context, h *history, year int, asOf time.Time) error {
	if len(e.scope.Stations) == 0 || !e.writesAir() {
		return nil
	}
	in := airInput{hours: air.Hourly{}, demo: map[time.Time]bool{}}
	for _, code := range air.Pollutants {
		ind, ok := e.indicator(code)
		if !ok {
			continue
		}
		for _, station := range e.scope.Stations {
			obs, err := e.reader.Observations(ctx, models.FigureQuery{Indicator: code, Entity: station, Start: yearStart(year - 1), End: asOf.Add(time.Second)})
			if err != nil {
				return fmt.Errorf("reading hourly %s of %s: %w", code, station, err)
			}
			if err := in.add(ind, station, obs); err != nil {
				return err
			}
		}
	}
	h.air = in
	return nil
}

// writesAir reports whether the catalogue holds any derived air indicator.
func (e *Engine) writesAir() bool {
	set := e.indicatorSet()
	for _, c := range append([]string{CodeAQIDaily, CodeGoodDays, CodeGoodDaysRatio, CodeHeavyPollutionDays}, airAnnualCodes[:]...) {
		if set[c] {
			return true
		}
	}
	return false
}

func (e *Engine) indicator(code string) (models.Indicator, bool) {
	for _, ind := range e.inds {
		if ind.Code == code {
			return ind, true
		}
	}
	return models.Indicator{}, false
}

// add files hourly observations of one pollutant and station, converted
// from the catalogue's unit to the unit of the rules.
func (in airInput) add(ind models.Indicator, station string, obs []models.Observation) error {
	days := in.hours[station]
	if days == nil {
		days = map[time.Time]air.Day{}
		in.hours[station] = days
	}
	for _, o := range obs {
		v, err := models.Convert(o.Value, ind.Unit, air.Unit(ind.Code))
		if err != nil {
			return fmt.Errorf("%s of %s: %w", ind.Code, station, err)
		}
		t := o.Time.In(air.Local())
		date := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, air.Local())
		day := days[date]
		if day == nil {
			day = air.Day{}
			days[date] = day
		}
		hours, ok := day[ind.Code]
		if !ok {
			hours = air.NoHours()
		}
		hours.Set(t.Hour(), v)
		day[ind.Code] = hours
		if models.IsDemoProvider(o.Provider) {
			in.demo[date] = true
		}
	}
	return nil
}

// airObservations are the district's derived air figures for the prior and
// the running year through asOf.
func (e *Engine) airObservations(in airInput, year int, asOf time.Time) []models.Observation {
	if in.hours == nil {
		return nil
	}
	set := e.indicatorSet()
	var out []models.Observation
	add := func(code string, t time.Time, v float64, demo bool) {
		if set[code] {
			out = append(out, models.Observation{Time: t.In(models.Shanghai), Indicator: code, Value: v, Provider: models.DerivedProvider(demo)})
		}
	}
	days := in.hours.RegionDays()
	for _, y := range []int{year - 1, year} {
		var ytd []air.DatedDay
		demo := false
		valid, good, heavy := 0, 0, 0
		for _, d := range days {
			if d.Date.Year() != y || d.Date.After(asOf) {
				continue
			}
			ytd = append(ytd, d)
			demo = demo || in.demo[d.Date]
			if d.Valid {
				valid++
				add(CodeAQIDaily, d.Date, float64(d.AQI), in.demo[d.Date])
			}
			if d.Good() {
				good++
			}
			if d.Heavy() {
				heavy++
			}
			if valid > 0 {
				add(CodeGoodDays, d.Date, float64(good), demo)
				add(CodeGoodDaysRatio, d.Date, float64(good)/float64(valid), demo)
				add(CodeHeavyPollutionDays, d.Date, float64(heavy), demo)
			}
		}
		if len(ytd) == 0 {
			continue
		}
		stats := air.Summarize(ytd)
		if !asOf.Before(yearStart(y + 1)) {
			stats = air.AssessYear(y, ytd)
		}
		for st := air.Statistic(0); st < air.NumStatistics; st++ {
			ind, ok := e.indicator(airAnnualCodes[st])
			if v := stats.Stats[st]; ok && v.Valid {
				// The rules' units (CO mg/m³) to the catalogue's (µg/m³).
				if c, err := models.Convert(v.V, air.Unit(st.Pollutant()), ind.Unit); err == nil {
					add(ind.Code, yearStart(y), c, demo)
				}
			}
		}
	}
	return out
}
