package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/internal/present"
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
			in, err := readAir(cmd, args)
			if err != nil {
				return err
			}
			return present.AirDays(cmd.OutOrStdout(), app.AirDays(in.Hours, region))
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
			in, err := readAir(cmd, args)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("year") {
				year = 0
			}
			return present.AirYears(cmd.OutOrStdout(), app.AirYears(in.Hours, region, year))
		},
	}
	cmd.Flags().StringVar(&region, "region", "", "also assess the stations as one region named NAME")
	cmd.Flags().IntVar(&year, "year", 0, "only this year (default: every year in the input)")
	return cmd
}

// readAir reads the hourly input and names the rows it could not use on
// stderr.
func readAir(cmd *cobra.Command, args []string) (app.AirInput, error) {
	in, err := app.ReadAir(cmd.InOrStdin(), args)
	present.AirRowErrors(cmd.ErrOrStderr(), in, err == nil)
	return in, err
}
