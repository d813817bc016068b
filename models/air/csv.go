package air

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Units are the units the rules are written in: µg/m³, CO mg/m³.
func Unit(pollutant string) string {
	if pollutant == "co" {
		return "mg/m3"
	}
	return "ug/m3"
}

// Hourly is the hourly input of several stations, by station and local
// date (midnight, Asia/Shanghai).
type Hourly map[string]map[time.Time]Day

// Stations returns the station names in order.
func (h Hourly) Stations() []string {
	names := make([]string, 0, len(h))
	for s := range h {
		names = append(names, s)
	}
	sort.Strings(names)
	return names
}

// Dates returns the dates on which station has at least one row, in order.
func (h Hourly) Dates(station string) []time.Time {
	dates := make([]time.Time, 0, len(h[station]))
	for d := range h[station] {
		dates = append(dates, d)
	}
	sort.Slice(dates, func(i, j int) bool { return dates[i].Before(dates[j]) })
	return dates
}

// A LineError is a row the reader could not use; the other rows are kept.
type LineError struct {
	Line  int
	Field string
	Err   error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s: %v", e.Line, e.Field, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Errors of the long-CSV reader.
var (
	ErrMissingColumn  = errors.New("missing column")
	ErrNotPollutant   = errors.New("not one of the pollutants pm25, pm10, so2, no2, co, o3")
	ErrBadTime        = errors.New("not a time (RFC 3339, or YYYY-MM-DD HH:MM local time)")
	ErrNotOnTheHour   = errors.New("not at the start of an hour")
	ErrEmptyEntity    = errors.New("empty station")
	ErrConflictingRow = errors.New("a different value for the same station, pollutant and hour came earlier")
)

// BaseUnits names the unit of a row without one, per pollutant code (the
// catalogue's unit); nil means the rules' own units (Unit).
type BaseUnits func(pollutant string) string

// ReadLong reads the canonical long CSV time,indicator,entity,value,unit
// (columns in any order, unit optional, "timestamp" and "station" accepted
// for time and entity). A missing, empty, negative or non-numeric value is
// kept as an invalid hour. Rows that cannot be placed (bad time, unknown
// indicator or unit, conflicting duplicate) are returned as LineErrors;
// the error is for an unreadable file.
func ReadLong(r io.Reader, base BaseUnits) (Hourly, []*LineError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	col, err := mapColumns(header)
	if err != nil {
		return nil, nil, err
	}
	if base == nil {
		base = Unit
	}
	rd := longReader{out: Hourly{}, seen: map[hourKey]float64{}, base: base, col: col}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rd.out, rd.errs, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// A malformed row loses itself only.
			rd.errs = append(rd.errs, &LineError{Line: pe.Line, Field: "csv", Err: pe.Err})
			continue
		}
		if err != nil {
			return rd.out, rd.errs, err
		}
		line, _ := cr.FieldPos(0)
		if e := rd.row(line, rec); e != nil {
			rd.errs = append(rd.errs, e)
		}
	}
}

type columns struct{ time, indicator, entity, value, unit int }

func mapColumns(header []string) (columns, error) {
	c := columns{-1, -1, -1, -1, -1}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch h {
		case "time", "timestamp":
			c.time = i
		case "indicator":
			c.indicator = i
		case "entity", "station":
			c.entity = i
		case "value":
			c.value = i
		case "unit":
			c.unit = i
		}
	}
	for name, i := range map[string]int{"time": c.time, "indicator": c.indicator, "entity": c.entity, "value": c.value} {
		if i < 0 {
			return c, fmt.Errorf("header: %w %q (want time,indicator,entity,value[,unit])", ErrMissingColumn, name)
		}
	}
	return c, nil
}

type hourKey struct {
	station, pollutant string
	hour               int64
}

type longReader struct {
	out  Hourly
	seen map[hourKey]float64
	base BaseUnits
	col  columns
	errs []*LineError
}

func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func (rd *longReader) row(line int, rec []string) *LineError {
	fail := func(field string, err error) *LineError { return &LineError{Line: line, Field: field, Err: err} }
	code := strings.ToLower(cell(rec, rd.col.indicator))
	if code == "pm2.5" {
		code = "pm25"
	}
	if !IsPollutant(code) {
		return fail("indicator", fmt.Errorf("%q: %w", code, ErrNotPollutant))
	}
	station := cell(rec, rd.col.entity)
	if station == "" {
		return fail("entity", ErrEmptyEntity)
	}
	t, err := ParseHour(cell(rec, rd.col.time))
	if err != nil {
		return fail("time", err)
	}
	v, lerr := rd.value(code, cell(rec, rd.col.value), cell(rec, rd.col.unit))
	if lerr != nil {
		return fail("unit", lerr)
	}
	k := hourKey{station, code, t.Unix()}
	if prev, dup := rd.seen[k]; dup {
		if prev != v && !(prev != prev && v != v) {
			return fail("value", ErrConflictingRow)
		}
		return nil
	}
	rd.seen[k] = v
	date := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, shanghai)
	days := rd.out[station]
	if days == nil {
		days = map[time.Time]Day{}
		rd.out[station] = days
	}
	day := days[date]
	if day == nil {
		day = Day{}
		days[date] = day
	}
	h, ok := day[code]
	if !ok {
		h = NoHours()
	}
	h.Set(t.Hour(), v)
	day[code] = h
	return nil
}

// value returns the row's concentration in the rules' unit, NaN when the
// cell is not a measurement.
func (rd *longReader) value(code, text, unit string) (float64, error) {
	from := unit
	if from == "" {
		from = rd.base(code)
	}
	if err := models.ConvertibleUnits(from, Unit(code)); err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || !Measured(v) {
		return nan, nil
	}
	c, err := models.Convert(v, from, Unit(code))
	if err != nil {
		return 0, err
	}
	return c, nil
}

var nan = NoHours()[0]

var (
	offsetLayouts = []string{time.RFC3339, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02 15:04Z07:00"}
	localLayouts  = []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05"}
)

// ParseHour reads an hour stamp: RFC 3339 with an offset, or a local
// Asia/Shanghai time; the result is in Asia/Shanghai and must be at the
// start of an hour.
func ParseHour(s string) (time.Time, error) {
	var t time.Time
	var err error
	for _, layout := range offsetLayouts {
		if t, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		for _, layout := range localLayouts {
			if t, err = time.ParseInLocation(layout, s, shanghai); err == nil {
				break
			}
		}
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: %w", s, ErrBadTime)
	}
	t = t.In(shanghai)
	if t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
		return time.Time{}, fmt.Errorf("%q: %w", s, ErrNotOnTheHour)
	}
	return t, nil
}

// StationDays assesses every day on which station has a row.
func (h Hourly) StationDays(station string) []DatedDay {
	var days []DatedDay
	for _, date := range h.Dates(station) {
		days = append(days, DatedDay{Date: date, DayAQI: AssessDay(Daily(h[station][date]))})
	}
	return days
}

// RegionDays assesses all stations as one region (docs/air.md §4) on every
// date any of them has a row, in date order.
func (h Hourly) RegionDays() []DatedDay {
	byDate := map[time.Time][]DailyValues{}
	// Stations in name order: the mean's float rounding does not depend on
	// map order, so the output is reproducible to the last digit.
	for _, station := range h.Stations() {
		for date, day := range h[station] {
			byDate[date] = append(byDate[date], Daily(day))
		}
	}
	out := make([]DatedDay, 0, len(byDate))
	for date, values := range byDate {
		out = append(out, DatedDay{Date: date, DayAQI: AssessDay(RegionDaily(values))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}
