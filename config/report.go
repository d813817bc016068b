package config

import (
	"errors"
	"fmt"
	"strings"
)

// Report configures the monthly report (月度报告) and its schedule.
type Report struct {
	// Dir receives the reports; default DataDir/reports.
	Dir string `yaml:"dir"`
	// Day and Hour schedule the run (Asia/Shanghai) for the previous month;
	// Day 0 disables the schedule.
	Day  int `yaml:"day"`
	Hour int `yaml:"hour"`
	// Lang is zh or en.
	Lang string `yaml:"lang"`
	// Formats are any of html, csv, json, md.
	Formats []string `yaml:"formats"`
}

func defaultReport() Report {
	return Report{Day: 3, Hour: 8, Lang: "zh", Formats: []string{"html", "csv", "json", "md"}}
}

func (r Report) validate() error {
	var errs []error
	if r.Day < 0 || r.Day > 28 {
		errs = append(errs, keyed("day", fmt.Errorf("%d must be 0 (off) or 1–28", r.Day)))
	}
	if r.Hour < 0 || r.Hour > 23 {
		errs = append(errs, keyed("hour", fmt.Errorf("%d must be 0–23", r.Hour)))
	}
	if r.Lang != "zh" && r.Lang != "en" {
		errs = append(errs, keyed("lang", fmt.Errorf("%q must be zh or en", r.Lang)))
	}
	for i, f := range r.Formats {
		switch strings.ToLower(f) {
		case "html", "csv", "json", "md":
		default:
			errs = append(errs, keyed(fmt.Sprintf("formats[%d]", i), fmt.Errorf("%q must be html, csv, json or md", f)))
		}
	}
	return errors.Join(errs...)
}
