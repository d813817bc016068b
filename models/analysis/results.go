// Package analysis holds what one run of the analysis engine hands over to
// be kept, in the terms of the domain: the figures it derived, the water
// standings of each evaluation period, the carbon inventory's lines,
// progress, forecasts and trends. Package metrics produces Results; package
// store turns them into points of its measurements. Neither knows the
// other: this package is where they meet.
//
// It holds types only, and imports models, models/water and models/carbon.
package analysis

import (
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/carbon"
	"github.com/greenmetrics/greenmetrics/models/water"
)

// Results are one run's results, in the order they are written.
type Results struct {
	// AsOf is the run's instant. Progress, forecasts and trends stand as
	// of it (one record per run; a rerun as of the same second replaces
	// it); everything else stands at the start of its period, so a rerun
	// replaces it.
	AsOf time.Time
	// Derived are the figures the run derived (district water figures,
	// section classes, carbon accounts, air figures), each valid
	// (models.Observation.Validate).
	Derived []models.Observation
	// Water are the standings of every evaluated month, then of the year
	// to date.
	Water []WaterPeriod
	// Carbon are the lines behind every derived monthly co2_emissions.
	Carbon []CarbonLine
	// Progress and Forecasts are ordered by indicator code.
	Progress  []models.Progress
	Forecasts []models.Forecast
	Trends    []models.TrendSummary
}

// WaterPeriodKind names the evaluation period of a water standing.
type WaterPeriodKind string

// The evaluation periods the engine writes standings of.
const (
	WaterMonth      WaterPeriodKind = "month"
	WaterYearToDate WaterPeriodKind = "year_to_date"
)

// WaterPeriod is the standing of the assessed sections over one evaluation
// period starting at Start.
type WaterPeriod struct {
	Kind     WaterPeriodKind
	Start    time.Time
	Sections []SectionStanding
	// Summary is the district's count of the sections' classes; nil when
	// no section could be classified.
	Summary *water.Summary
}

// SectionStanding is one section's class over the period, from mean
// concentrations (GB 3838-2002, 环办〔2011〕22号).
type SectionStanding struct {
	Name        string `json:"name"`
	WaterBody   string `json:"water_body"`
	Class       int    `json:"class"` // 1–6, 6 = 劣Ⅴ; 0 = not evaluable
	ClassName   string `json:"class_name"`
	TargetClass int    `json:"target_class"` // 0 = no target configured
	Attained    bool   `json:"attained"`
	// MainPollutants are the up to 3 worst items when worse than Ⅲ.
	MainPollutants []string  `json:"main_pollutants"`
	Samples        int       `json:"samples"`
	LastSample     time.Time `json:"last_sample"`
	// Notes say what the class leaves out: measured items outside the
	// section's evaluation set, non-detects that cannot be judged
	// (water.Result.Notes).
	Notes []string `json:"notes,omitempty"`
}

// CarbonLine is one activity line of one month's inventory. Excluded is the
// reason a line was left out of the month's total; Line then carries only
// the activity data.
type CarbonLine struct {
	// Indicator is the derived figure the line is behind (co2_emissions).
	Indicator string
	Month     time.Time
	Line      carbon.Line
	Excluded  string
}
