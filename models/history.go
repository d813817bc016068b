package models

import "time"

// FigureQuery selects stored figures of one indicator: what the analysis
// asks of history, whatever holds it.
type FigureQuery struct {
	Indicator string
	// Entity is the one entity to read; empty means every entity.
	Entity string
	Start  time.Time // inclusive
	End    time.Time // exclusive; zero means a year from now
	// WithDerived also reads the figures the engine derived of the
	// indicator; where a reported figure of the same entity and period
	// exists, it is the one returned (PreferReported).
	WithDerived bool
}

// DailyQuery names an hourly series to read as days, and how its hours
// make a day.
type DailyQuery struct {
	Indicator   string
	Aggregation Aggregation
}

// DailyFigure is one entity's day of an hourly series: the day's value,
// aggregated as its indicator says, and the hours behind it.
type DailyFigure struct {
	Observation
	// Hours is the number of hourly figures the day's value stands for.
	Hours int
	// Negative is the number of those hours below zero (an instrument's
	// offset): a day with any is one a mean of its hours cannot stand for
	// in an HJ 663 assessment, which counts only valid hours.
	Negative int
}

// PreferReported merges derived figures into reported ones: a derived
// figure is kept only where no reported figure of the same entity and time
// exists. A figure someone reported is the fact; the engine's derivation
// fills gaps, it never overrides.
func PreferReported(reported, derived []Observation) []Observation {
	if len(derived) == 0 {
		return reported
	}
	type key struct {
		entity string
		t      int64
	}
	have := make(map[key]bool, len(reported))
	for _, o := range reported {
		have[key{o.Entity, o.Time.Unix()}] = true
	}
	out := reported
	for _, d := range derived {
		if !have[key{d.Entity, d.Time.Unix()}] {
			out = append(out, d)
		}
	}
	return out
}

// DayFilter selects hourly series to roll up: some indicators of some
// entities over [Start, End). Indicators and Entities must not be empty.
type DayFilter struct {
	Indicators []string
	Entities   []string
	Start, End time.Time
}

// DaySum is one entity's day of one hourly indicator: the sum and number
// of its hours with a value of 0 or more (the values a concentration can
// take; a negative hour is no measurement, docs/air.md).
type DaySum struct {
	Indicator, Entity string
	Date              time.Time // local midnight, Asia/Shanghai
	Sum               float64
	Hours             int
}

// DayKey names one entity's day of one indicator.
type DayKey struct {
	Indicator, Entity string
	Date              time.Time // local midnight, Asia/Shanghai
}
