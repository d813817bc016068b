package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models/air"
)

func newAirCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "air",
		Short: "Ambient air quality under HJ 633-2012 and HJ 663-2013 (环境空气质量)",
		Long: "Read hourly station concentrations as the canonical long CSV\n" +
			"time,indicator,entity,value,unit (entity = station; indicator pm25, pm10, so2,\n" +
			"no2, co or o3; a row without a unit is in µg/m³, CO in mg/m³ as docs/air.md §1 says)\n" +
			"from FILE or - (stdin; gzip is read directly). Times are RFC 3339 or local\n" +
			"Asia/Shanghai time, stamped at the start of the hour. An empty, negative or\n" +
			"non-numeric value is an invalid hour. Rows that cannot be placed are named on\n" +
			"stderr (line, field, rule) and the rest is assessed. Rules: docs/air.md.\n\n" +
			"Exit status: 0 when the input was read to its end, even with rows named on\n" +
			"stderr; 1 when it could not be read (missing file, no usable header) or a flag\n" +
			"is wrong.",
	}
	cmd.AddCommand(newAirAQICmd(), newAirAssessCmd())
	return cmd
}

func newAirAQICmd() *cobra.Command {
	var region string
	cmd := &cobra.Command{
		Use:   "aqi [--region NAME] [FILE|-]",
		Short: "Daily values, IAQI and AQI per station and day (日均值, 空气质量指数)",
		Long: "Print one JSON line per station and day on which the station has at least one\n" +
			"row, in (station, date) order, then with --region one line per day for the\n" +
			"stations assessed as a region named NAME: station, date, aqi, level (1 优 …\n" +
			"6 严重污染), primary (首要污染物), daily (24-hour means, o3_8h, o3_1h; null when\n" +
			"invalid) and iaqi (valid daily values only). A day without a valid AQI has\n" +
			"aqi and level null and primary []. Numbers are not rounded.",
		Example: "  greenmetrics air aqi hourly.csv\n  greenmetrics air aqi --region 通州区 - < hourly.csv",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := readAirInput(cmd, args)
			if err != nil {
				return err
			}
			return writeAirAQI(cmd.OutOrStdout(), in, region)
		},
	}
	cmd.Flags().StringVar(&region, "region", "", "also assess the stations as one region named NAME")
	return cmd
}

func newAirAssessCmd() *cobra.Command {
	var region string
	var year int
	cmd := &cobra.Command{
		Use:   "assess [--year Y] [--region NAME] [FILE|-]",
		Short: "Annual assessment per station and year (年度评价)",
		Long: "Print one JSON line per station and year in which the station has at least one\n" +
			"row, then with --region the region's: annual means of pm25, pm10, so2, no2,\n" +
			"co_p95, o3_8h_p90 (null when fewer than 324 valid days or fewer than 27 in a\n" +
			"month, 25 in February), valid_days, good_days (AQI ≤ 100), good_ratio (优良天数\n" +
			"比例), heavy_days (AQI > 200), meets_class2 (GB 3095-2012 class Ⅱ after rounding;\n" +
			"null unless all six are valid) and valid. Numbers are not rounded.",
		Example: "  greenmetrics air assess --year 2016 --region 北京12站 hourly.csv",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("year") && (year < 1 || year > 9999) {
				return fmt.Errorf("--year %d: not a calendar year", year)
			}
			in, err := readAirInput(cmd, args)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("year") {
				year = 0
			}
			return writeAirAssess(cmd.OutOrStdout(), in, region, year)
		},
	}
	cmd.Flags().StringVar(&region, "region", "", "also assess the stations as one region named NAME")
	cmd.Flags().IntVar(&year, "year", 0, "only this year (default: every year in the input)")
	return cmd
}

// readAirInput reads the hourly input and names the rows it could not use on
// stderr.
func readAirInput(cmd *cobra.Command, args []string) (air.Hourly, error) {
	in, name, closeIn, err := openInput(cmd.InOrStdin(), args)
	if err != nil {
		return nil, err
	}
	defer closeIn()
	r, err := maybeGunzip(in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	units, err := catalogAirUnits()
	if err != nil {
		return nil, err
	}
	h, rowErrs, err := air.ReadLong(r, units)
	errw := cmd.ErrOrStderr()
	for _, e := range rowErrs {
		fmt.Fprintf(errw, "air: %s: %v\n", name, e)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rowErrs) > 0 {
		fmt.Fprintf(errw, "air: %s: %d rows not used\n", name, len(rowErrs))
	}
	return h, nil
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

func writeAirAQI(w io.Writer, in air.Hourly, region string) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var err error
	for _, station := range in.Stations() {
		for _, date := range in.Dates(station) {
			d := air.AssessDay(air.Daily(in[station][date]))
			err = errors.Join(err, enc.Encode(newAQILine(station, date, d)))
		}
	}
	if region != "" {
		for _, d := range in.RegionDays() {
			err = errors.Join(err, enc.Encode(newAQILine(region, d.Date, d.DayAQI)))
		}
	}
	return errors.Join(err, bw.Flush())
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

func writeAirAssess(w io.Writer, in air.Hourly, region string, onlyYear int) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var err error
	write := func(name string, days []air.DatedDay) {
		for _, year := range yearsOf(days) {
			if onlyYear == 0 || year == onlyYear {
				err = errors.Join(err, enc.Encode(newAssessLine(name, year, air.AssessYear(year, days))))
			}
		}
	}
	for _, station := range in.Stations() {
		write(station, in.StationDays(station))
	}
	if region != "" {
		write(region, in.RegionDays())
	}
	return errors.Join(err, bw.Flush())
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
