package metrics

import (
	"context"
	"fmt"
	"sort"
	"sync"
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

// airInput is the district stations' daily values a run computed, and
// which dates carry demo data.
type airInput struct {
	stations map[string]map[time.Time]air.DailyValues // by station and local date
	demo     map[time.Time]bool
}

// AirDayReader is what the engine reads the stations' hourly pollutant
// data through when it can roll them up to days in the store
// (*store.Store satisfies it; store/rollup.go): per station and day the
// sum and count of five pollutants' hours, the days a sum cannot stand for
// (demo or negative hours), and O₃ hour by hour (the 8-hour windows). A
// HistoryReader without it is read hour by hour, as before.
type AirDayReader interface {
	DaySums(ctx context.Context, f models.DayFilter) ([]models.DaySum, error)
	UnusualDays(ctx context.Context, f models.DayFilter) ([]models.DayKey, error)
	Hours(ctx context.Context, indicator string, f models.DayFilter) ([]models.Observation, error)
}

// readAir computes the scope's stations' HJ 663 daily values from the start
// of the prior year through asOf. The 24-hour means need only each day's
// sum and count of valid hours, which InfluxDB rolls up (one row per
// station, pollutant and day instead of 24); O₃'s 8-hour windows need its
// hours. Days with a negative or a demo hour are read hour by hour, so that
// the results are those of the hours (docs/air.md, "Engine").
func (e *Engine) readAir(ctx context.Context, h *history, year int, asOf time.Time, early *o3Hours) error {
	if len(e.scope.Stations) == 0 || !e.writesAir() {
		return nil
	}
	in := airInput{stations: map[string]map[time.Time]air.DailyValues{}, demo: map[time.Time]bool{}}
	start, end := e.airSpan(year, asOf)
	var err error
	if r, ok := e.reader.(AirDayReader); ok {
		err = e.readAirDays(ctx, r, h, in, start, end, early)
	} else {
		err = e.readAirHours(ctx, in, start, end)
	}
	if err != nil {
		return err
	}
	h.air = in
	return nil
}

// airSpan is the span of the stations' hours an assessment of year as of
// asOf reads: from 1 January of the prior year.
func (e *Engine) airSpan(year int, asOf time.Time) (time.Time, time.Time) {
	return yearStart(year - 1), asOf.Add(time.Second)
}

// o3Hours is the read of the stations' O₃ hours started before the rest
// of a run's reads (readO3Early), so that InfluxDB answers it while the
// engine decodes the others.
type o3Hours struct {
	done sync.WaitGroup
	obs  []models.Observation
	err  error
}

// readO3Early starts reading the O₃ hours the air assessment needs, when
// the run will read them through an AirDayReader; nil otherwise.
func (e *Engine) readO3Early(ctx context.Context, year int, asOf time.Time) *o3Hours {
	r, ok := e.reader.(AirDayReader)
	if !ok || len(e.scope.Stations) == 0 || !e.writesAir() {
		return nil
	}
	if _, ok := e.indicator("o3"); !ok {
		return nil
	}
	start, end := e.airSpan(year, asOf)
	o := &o3Hours{}
	o.done.Go(func() {
		o.obs, o.err = r.Hours(ctx, "o3", models.DayFilter{Entities: e.scope.Stations, Start: start, End: end})
	})
	return o
}

// wait is the early read's answer; nil when there was none.
func (o *o3Hours) wait() ([]models.Observation, error) {
	if o == nil {
		return nil, nil
	}
	o.done.Wait()
	return o.obs, o.err
}

// readAirHours reads every hour of the six pollutants, one station and
// pollutant at a time.
func (e *Engine) readAirHours(ctx context.Context, in airInput, start, end time.Time) error {
	hours := air.Hourly{}
	for _, code := range air.Pollutants {
		ind, ok := e.indicator(code)
		if !ok {
			continue
		}
		for _, station := range e.scope.Stations {
			obs, err := e.reader.Observations(ctx, models.FigureQuery{Indicator: code, Entity: station, Start: start, End: end})
			if err != nil {
				return fmt.Errorf("reading hourly %s of %s: %w", code, station, err)
			}
			if err := in.addHours(hours, ind, station, obs); err != nil {
				return err
			}
		}
	}
	in.addDaily(hours)
	return nil
}

// readAirDays reads the five 24-hour-mean pollutants as daily sums, O₃ and
// the unusual days' hours raw.
func (e *Engine) readAirDays(ctx context.Context, r AirDayReader, h *history, in airInput, start, end time.Time, early *o3Hours) error {
	f := models.DayFilter{Entities: e.scope.Stations, Start: start, End: end}
	units := map[string]models.Indicator{}
	for _, code := range air.Pollutants {
		if ind, ok := e.indicator(code); ok {
			units[code] = ind
			if code != "o3" {
				f.Indicators = append(f.Indicators, code)
			}
		}
	}
	hours := air.Hourly{}
	if o3, ok := units["o3"]; ok {
		obs, err := early.wait()
		if early == nil {
			obs, err = r.Hours(ctx, "o3", f)
		}
		if err != nil {
			return err
		}
		if err := in.addHours(hours, o3, "", obs); err != nil {
			return err
		}
	}
	if len(f.Indicators) == 0 {
		in.addDaily(hours)
		return nil
	}
	unusual, ok := unusualOfRun(h, f.Indicators, e.scope.Stations, start, end)
	if !ok {
		var err error
		if unusual, err = r.UnusualDays(ctx, f); err != nil {
			return err
		}
	}
	// The unusual days' hours, per station and pollutant from the first of
	// its unusual days to the last.
	type series struct{ indicator, entity string }
	spans := map[series][2]time.Time{}
	isUnusual := map[models.DayKey]bool{}
	for _, k := range unusual {
		k.Date = dateOf(k.Date)
		isUnusual[k] = true
		s := series{k.Indicator, k.Entity}
		sp, ok := spans[s]
		if !ok || k.Date.Before(sp[0]) {
			sp[0] = k.Date
		}
		if !ok || k.Date.After(sp[1]) {
			sp[1] = k.Date
		}
		spans[s] = sp
	}
	for s, sp := range spans {
		obs, err := e.reader.Observations(ctx, models.FigureQuery{Indicator: s.indicator, Entity: s.entity, Start: sp[0], End: minTime(sp[1].AddDate(0, 0, 1), end)})
		if err != nil {
			return fmt.Errorf("reading hourly %s of %s: %w", s.indicator, s.entity, err)
		}
		kept := obs[:0]
		for _, o := range obs {
			if isUnusual[models.DayKey{Indicator: s.indicator, Entity: s.entity, Date: dateOf(o.Time)}] {
				kept = append(kept, o)
			}
		}
		if err := in.addHours(hours, units[s.indicator], s.entity, kept); err != nil {
			return err
		}
	}
	in.addDaily(hours)
	// Each usual day's 24-hour mean: from the run's daily aggregates where
	// it read the pollutant as daily means over the window (no second scan
	// of the same hours), else rolled up here.
	var means []dayMean
	var rollUp []string
	for _, code := range f.Indicators {
		if fromRun, ok := dayMeansOf(h, units[code], e.scope.Stations, start, end); ok {
			means = append(means, fromRun...)
		} else {
			rollUp = append(rollUp, code)
		}
	}
	if len(rollUp) > 0 {
		sums, err := r.DaySums(ctx, models.DayFilter{Indicators: rollUp, Entities: f.Entities, Start: start, End: end})
		if err != nil {
			return err
		}
		for _, d := range sums {
			means = append(means, dayMean{DayKey: models.DayKey{Indicator: d.Indicator, Entity: d.Entity, Date: d.Date}, mean: d.Sum / float64(d.Hours), hours: d.Hours})
		}
	}
	for _, d := range means {
		d.Date = dateOf(d.Date)
		if isUnusual[d.DayKey] {
			continue
		}
		ind, ok := units[d.Indicator]
		field, isField := meanFields[d.Indicator]
		if !ok || !isField || d.hours == 0 {
			continue
		}
		v, err := models.Convert(d.mean, ind.Unit, air.Unit(ind.Code))
		if err != nil {
			return fmt.Errorf("%s of %s: %w", ind.Code, d.Entity, err)
		}
		day := in.day(d.Entity, d.Date)
		// air.Mean24 from the day's sum and count of valid hours.
		day[field] = air.Value{V: v, Valid: d.hours >= air.MinHoursPerDay}
		in.stations[d.Entity][d.Date] = day
	}
	return nil
}

// unusualOfRun returns the days of the indicators at stations in [start,
// end) with a demo or a negative hour as the run read them (its daily
// aggregates count both, store.DailyAggregates), when it read every one of
// the indicators over that span; else the store is asked (UnusualDays).
func unusualOfRun(h *history, indicators, stations []string, start, end time.Time) ([]models.DayKey, bool) {
	if h.from.After(start) {
		return nil, false
	}
	in := make(map[string]bool, len(stations))
	for _, s := range stations {
		in[s] = true
	}
	var out []models.DayKey
	for _, code := range indicators {
		days, ok := h.unusual[code]
		if !ok {
			return nil, false
		}
		for k := range days {
			t := time.Unix(k.t, 0).In(models.Shanghai)
			if in[k.entity] && !t.Before(start) && t.Before(end) {
				out = append(out, models.DayKey{Indicator: code, Entity: k.entity, Date: t})
			}
		}
	}
	return out, true
}

// dayMean is one station's day of one pollutant: the mean of its hours
// and how many there are.
type dayMean struct {
	models.DayKey
	mean  float64
	hours int
}

// dayMeansOf returns the days of ind at stations in [start, end) as the run
// read them (the daily means of an hourly indicator and the hours behind
// each, store.DailyAggregates), when it did. Days with a negative or demo
// hour are not taken from them (UnusualDays), so a mean of all the day's
// hours is the mean of its valid ones.
func dayMeansOf(h *history, ind models.Indicator, stations []string, start, end time.Time) ([]dayMean, bool) {
	counts, ok := h.counts[ind.Code]
	if !ok || ind.Frequency != models.FrequencyHourly || ind.Aggregation != models.AggregateMean || h.from.After(start) {
		return nil, false
	}
	in := make(map[string]bool, len(stations))
	for _, s := range stations {
		in[s] = true
	}
	var out []dayMean
	for _, o := range h.obs[ind.Code] {
		if !in[o.Entity] || o.Time.Before(start) || !o.Time.Before(end) {
			continue
		}
		out = append(out, dayMean{DayKey: models.DayKey{Indicator: ind.Code, Entity: o.Entity, Date: o.Time}, mean: o.Value, hours: counts[figureKey{o.Entity, o.Time.Unix()}]})
	}
	return out, true
}

// meanFields are the daily values that are 24-hour means, by pollutant.
var meanFields = map[string]air.Field{"pm25": air.PM25, "pm10": air.PM10, "so2": air.SO2, "no2": air.NO2, "co": air.CO}

// dateOf is the local date (midnight, Asia/Shanghai) of t.
func dateOf(t time.Time) time.Time {
	t = t.In(air.Local())
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, air.Local())
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
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

// addHours files hourly observations of one pollutant (of station, or of
// each observation's entity when station is empty), converted from the
// catalogue's unit to the unit of the rules.
func (in airInput) addHours(hours air.Hourly, ind models.Indicator, station string, obs []models.Observation) error {
	for _, o := range obs {
		entity := station
		if entity == "" {
			entity = o.Entity
		}
		days := hours[entity]
		if days == nil {
			days = map[time.Time]air.Day{}
			hours[entity] = days
		}
		v, err := models.Convert(o.Value, ind.Unit, air.Unit(ind.Code))
		if err != nil {
			return fmt.Errorf("%s of %s: %w", ind.Code, entity, err)
		}
		t := o.Time.In(air.Local())
		date := dateOf(t)
		day := days[date]
		if day == nil {
			day = air.Day{}
			days[date] = day
		}
		h, ok := day[ind.Code]
		if !ok {
			h = air.NoHours()
		}
		h.Set(t.Hour(), v)
		day[ind.Code] = h
		if models.IsDemoProvider(o.Provider) {
			in.demo[date] = true
		}
	}
	return nil
}

// addDaily adds the daily values of the hours read (air.Daily) to the
// stations' days; values the hours do not have are left as they are.
func (in airInput) addDaily(hours air.Hourly) {
	for station, days := range hours {
		for date, d := range days {
			day := in.day(station, date)
			for f, v := range air.Daily(d) {
				if _, ok := d[air.Field(f).Pollutant()]; ok {
					day[f] = v
				}
			}
			in.stations[station][date] = day
		}
	}
}

// day returns station's daily values of date, creating the station-day
// (a day with data, even if none of its values is valid).
func (in airInput) day(station string, date time.Time) air.DailyValues {
	days := in.stations[station]
	if days == nil {
		days = map[time.Time]air.DailyValues{}
		in.stations[station] = days
	}
	return days[date]
}

// regionDays assesses the stations as one region on every date any of
// them has data, in date order, as air.Hourly.RegionDays does from hours:
// the stations' values are combined in station-name order, so that the
// float result does not depend on how they were read.
func (in airInput) regionDays() []air.DatedDay {
	names := make([]string, 0, len(in.stations))
	for s := range in.stations {
		names = append(names, s)
	}
	sort.Strings(names)
	byDate := map[time.Time][]air.DailyValues{}
	for _, s := range names {
		for date, v := range in.stations[s] {
			byDate[date] = append(byDate[date], v)
		}
	}
	out := make([]air.DatedDay, 0, len(byDate))
	for date, values := range byDate {
		out = append(out, air.DatedDay{Date: date, DayAQI: air.AssessDay(air.RegionDaily(values))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// airObservations are the district's derived air figures for the prior and
// the running year through asOf.
func (e *Engine) airObservations(in airInput, year int, asOf time.Time) []models.Observation {
	if in.stations == nil {
		return nil
	}
	set := e.indicatorSet()
	var out []models.Observation
	add := func(code string, t time.Time, v float64, demo bool) {
		if set[code] {
			out = append(out, models.Observation{Time: t.In(models.Shanghai), Indicator: code, Value: v, Provider: models.DerivedProvider(demo)})
		}
	}
	days := in.regionDays()
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
