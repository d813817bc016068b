package config

import (
	"errors"
	"fmt"
	"time"
)

// Analysis configures the scheduled computation of target progress, trends
// and forecasts from InfluxDB history.
type Analysis struct {
	// Interval is how often progress, trends and forecasts are recomputed.
	Interval time.Duration `yaml:"interval"`
	// Window is how much history trends look at.
	Window time.Duration `yaml:"window"`
	// Alpha is the significance level of trend tests (0.05; 0.10 also used).
	Alpha float64 `yaml:"alpha"`
	// Year is the target year to track; 0: the current year in Asia/Shanghai.
	Year int `yaml:"year"`
	// StaleGrace is added to an indicator's reporting period before it
	// counts as stale.
	StaleGrace time.Duration `yaml:"stale_grace"`
	// FinalAfterMonths is how many months after a year's end its results
	// are fixed (全年完成情况) even if its last period never arrived; a
	// year whose last period is in is final at once. Default 3.
	FinalAfterMonths int `yaml:"final_after_months"`
}

func defaultAnalysis() Analysis {
	return Analysis{
		Interval:         15 * time.Minute,
		Window:           5 * 365 * 24 * time.Hour,
		Alpha:            0.05,
		StaleGrace:       7 * 24 * time.Hour,
		FinalAfterMonths: 3,
	}
}

func (a Analysis) validate() error {
	var errs []error
	if a.Interval <= 0 {
		errs = append(errs, keyed("interval", fmt.Errorf("%v must be positive", a.Interval)))
	}
	if a.Window <= 0 {
		errs = append(errs, keyed("window", fmt.Errorf("%v must be positive", a.Window)))
	}
	if a.Alpha <= 0 || a.Alpha >= 1 {
		errs = append(errs, keyed("alpha", fmt.Errorf("%v must be in (0, 1)", a.Alpha)))
	}
	if a.FinalAfterMonths < 0 || a.FinalAfterMonths > 120 {
		errs = append(errs, keyed("final_after_months", fmt.Errorf("%d must be between 0 and 120", a.FinalAfterMonths)))
	}
	return errors.Join(errs...)
}
