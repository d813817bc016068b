package app

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models/air"
)

// AirInput is an hourly input of greenmetrics air: its name, the hours
// read and the rows that could not be placed (RowErrors, each naming
// line, field and rule).
type AirInput struct {
	Name      string
	Hours     air.Hourly
	RowErrors []*air.LineError
}

// ReadAir reads the hourly input (args: FILE, "-" or none for stdin;
// gzip is read directly) as the canonical long CSV. The rows it could not
// use are in the result even when err is set.
func ReadAir(stdin io.Reader, args []string) (AirInput, error) {
	in, name, closeIn, err := OpenInput(stdin, args)
	if err != nil {
		return AirInput{}, err
	}
	defer closeIn()
	r, err := maybeGunzip(in)
	if err != nil {
		return AirInput{Name: name}, fmt.Errorf("%s: %w", name, err)
	}
	units, err := catalogAirUnits()
	if err != nil {
		return AirInput{Name: name}, err
	}
	h, rowErrs, err := air.ReadLong(r, units)
	if err != nil {
		return AirInput{Name: name, RowErrors: rowErrs}, fmt.Errorf("%s: %w", name, err)
	}
	return AirInput{Name: name, Hours: h, RowErrors: rowErrs}, nil
}

// AirDay is the daily assessment of one station (or the region) on one day.
type AirDay struct {
	Station string
	Date    time.Time
	AQI     air.DayAQI
}

// AirDays assesses every station and day with at least one row, in
// (station, date) order, then with a region name the stations assessed
// as that region, day by day.
func AirDays(in air.Hourly, region string) []AirDay {
	var out []AirDay
	for _, station := range in.Stations() {
		for _, date := range in.Dates(station) {
			out = append(out, AirDay{Station: station, Date: date, AQI: air.AssessDay(air.Daily(in[station][date]))})
		}
	}
	if region != "" {
		for _, d := range in.RegionDays() {
			out = append(out, AirDay{Station: region, Date: d.Date, AQI: d.DayAQI})
		}
	}
	return out
}

// AirYear is the annual assessment of one station (or the region).
type AirYear struct {
	Station string
	Year    int
	Summary air.Summary
}

// AirYears assesses every station and year with at least one row (only
// onlyYear unless it is 0), then with a region name the region's.
func AirYears(in air.Hourly, region string, onlyYear int) []AirYear {
	var out []AirYear
	add := func(name string, days []air.DatedDay) {
		for _, year := range yearsOf(days) {
			if onlyYear == 0 || year == onlyYear {
				out = append(out, AirYear{Station: name, Year: year, Summary: air.AssessYear(year, days)})
			}
		}
	}
	for _, station := range in.Stations() {
		add(station, in.StationDays(station))
	}
	if region != "" {
		add(region, in.RegionDays())
	}
	return out
}

// catalogAirUnits returns the unit of a row that names none: the
// catalogue's unit of the pollutant (µg/m³), except for CO, which
// docs/air.md §1 reads in mg/m³ ("a file that writes CO in µg/m³ must say
// so in its unit column") although the catalogue stores it in µg/m³.
func catalogAirUnits() (air.BaseUnits, error) {
	cat, err := config.DefaultCatalog()
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	units := map[string]string{}
	for _, code := range air.Pollutants {
		ind, ok := cat.Lookup(code)
		if !ok {
			return nil, fmt.Errorf("catalogue: no indicator %q", code)
		}
		units[code] = ind.Unit
	}
	units["co"] = air.Unit("co")
	return func(code string) string { return units[code] }, nil
}

// maybeGunzip reads gzip input transparently.
func maybeGunzip(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		return gzip.NewReader(br)
	}
	return br, nil
}

// yearsOf lists the years of sorted days.
func yearsOf(days []air.DatedDay) []int {
	var years []int
	for _, d := range days {
		if y := d.Date.Year(); len(years) == 0 || years[len(years)-1] != y {
			years = append(years, y)
		}
	}
	return years
}
