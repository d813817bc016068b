package models

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Observation is one figure: the value of one indicator, for one entity (a
// water section, an air station; empty for the district's own figures), for
// one period, as given by one provider. Value is always in the indicator's
// base unit.
//
// Time is the start of the figure's period in Asia/Shanghai (PeriodOf of
// the indicator's frequency: 2024-06 → 2024-06-01T00:00+08:00). The
// identity of a figure is (indicator, entity, period); the provider is kept
// with it but does not split it, so the latest accepted write of a period
// supersedes earlier ones, whoever sent them (statistics are revised: 修订).
type Observation struct {
	Time      time.Time `json:"time"`
	Indicator string    `json:"indicator"`
	Entity    string    `json:"entity,omitempty"`
	Value     float64   `json:"value"`
	// Provider is who gave the figure: a mapping's source, a push token's
	// name, ProviderDemo, or ProviderDerived for the engine's own figures.
	Provider string `json:"provider,omitempty"`
}

// Providers the system itself uses. Clients can never claim them (nor a
// push token's name that is not theirs).
const (
	// ProviderDerived marks figures the analysis engine computes (district
	// water shares, section classes, carbon accounts). A reported figure
	// always wins over a derived one of the same period.
	ProviderDerived = "derived"
	// ProviderDemo marks the demo's synthetic figures. Real data supersede
	// them; a demo figure never supersedes real data.
	ProviderDemo = "demo"
	// ProviderDerivedFromDemo marks derived figures computed from demo
	// data (CO2 from the demo's electricity): derived, and still demo.
	ProviderDerivedFromDemo = "derived-demo"
)

// IsReservedProvider reports whether p is a provider name only the system
// may give.
func IsReservedProvider(p string) bool { return IsDerivedProvider(p) || p == ProviderDemo }

// IsDerivedProvider reports whether p marks the engine's own figures.
func IsDerivedProvider(p string) bool { return p == ProviderDerived || p == ProviderDerivedFromDemo }

// IsDemoProvider reports whether a figure of provider p comes from demo
// data, directly or derived from it.
func IsDemoProvider(p string) bool { return p == ProviderDemo || p == ProviderDerivedFromDemo }

// DerivedProvider is the provider of a derived figure: ProviderDerived, or
// ProviderDerivedFromDemo when demo data went into it.
func DerivedProvider(fromDemo bool) string {
	if fromDemo {
		return ProviderDerivedFromDemo
	}
	return ProviderDerived
}

// Errors of observations.
var (
	ErrNoIndicator   = errors.New("indicator is empty")
	ErrNoTime        = errors.New("time is zero")
	ErrBadTagValue   = errors.New("tag value has a control character or a backslash (line protocol cannot carry them portably), or is longer than 256 bytes")
	ErrOutOfRange    = errors.New("value outside the indicator's physical range")
	ErrFutureTime    = errors.New("time is too far in the future")
	ErrUnknownIndic  = errors.New("unknown indicator")
	ErrEntityMissing = errors.New("indicator is measured per entity but no entity given")
)

// MaxTagLength bounds entity and source names; InfluxDB keys must stay small.
const MaxTagLength = 256

// Validate checks what holds for any observation, whatever its indicator:
// a name, a time, a finite value and printable tag values.
func (o Observation) Validate() error {
	if o.Indicator == "" {
		return ErrNoIndicator
	}
	if o.Time.IsZero() {
		return ErrNoTime
	}
	if math.IsNaN(o.Value) || math.IsInf(o.Value, 0) {
		return fmt.Errorf("value %v: %w", o.Value, ErrNonFinite)
	}
	if err := checkTag("entity", o.Entity); err != nil {
		return err
	}
	return checkTag("provider", o.Provider)
}

// checkTag checks a tag value; Validate runs once per ingested value, so
// this allocates nothing unless the value is bad.
func checkTag(name, v string) error {
	if len(v) > MaxTagLength || strings.ContainsFunc(v, isControl) || strings.ContainsRune(v, '\\') {
		return fmt.Errorf("%s %q: %w", name, v, ErrBadTagValue)
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// Shanghai is the bureau's time zone, UTC+8; times without an offset are
// read in it. It is a fixed zone, not the tz database's Asia/Shanghai:
// that one puts dates before 1901 at local mean time (+08:05:43) and
// 1986–1991 summers at +09:00, so the same written date would name
// different instants by era. Every date the bureau writes means +08:00.
var Shanghai = time.FixedZone("CST", 8*3600)

// timeLayouts are the forms the bureau's files use, most specific first.
var timeLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/1/2 15:04",
	"2006/01/02",
	"2006/1/2",
	"2006-01",
	"2006/01",
	"2006年1月2日",
	"2006年1月",
	"2006",
}

// ErrBadTime reports a time in no accepted form.
var ErrBadTime = errors.New("time not in an accepted form (RFC 3339, 2024-06, 2024-06-30, 2024-06-30 08:00)")

// ParseTime reads a time as the bureau writes it: RFC 3339 with an offset,
// or one of the local forms 2024, 2024-06, 2024-06-30, 2024-06-30 08:00 read
// in loc (Asia/Shanghai when nil). A month or day is stamped at its start.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = Shanghai
	}
	// Ingestion calls this once per row, so the common forms go straight to
	// their layout instead of failing through the list (each failure
	// allocates an error).
	if layout, offset := likelyLayout(s); layout != "" {
		var t time.Time
		var err error
		if offset {
			t, err = time.Parse(layout, s)
		} else {
			t, err = time.ParseInLocation(layout, s, loc)
		}
		if err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: %w", s, ErrBadTime)
}

// likelyLayout guesses the layout of the bureau's usual forms from the
// length and separators; offset reports a layout with its own zone.
func likelyLayout(s string) (layout string, offset bool) {
	if len(s) < 4 || s[0] < '0' || s[0] > '9' {
		return "", false
	}
	dash := len(s) > 4 && s[4] == '-'
	switch {
	case len(s) > 19 && dash && s[10] == 'T':
		return time.RFC3339Nano, true
	case len(s) == 19 && dash && s[10] == ' ':
		return "2006-01-02 15:04:05", false
	case len(s) == 16 && dash && s[10] == ' ':
		return "2006-01-02 15:04", false
	case len(s) == 10 && dash:
		return "2006-01-02", false
	case len(s) == 7 && dash:
		return "2006-01", false
	case len(s) == 4:
		return "2006", false
	}
	return "", false
}
