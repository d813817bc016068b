package models

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Lag is how long after the end of its period a figure is due: the
// publication delay of its provider. It counts calendar months and days,
// because "by 31 March" is three months after a year ends whatever the
// year's length. The zero Lag means "use the default of the frequency".
type Lag struct {
	Months, Days int
}

// lagPattern is the months-and-days form of a Lag.
var lagPattern = regexp.MustCompile(`^(?:(\d+)mo)?(?:(\d+)d)?$`)

// ParseLag reads a Lag written as "15d", "3mo", "1mo15d" or a Go duration
// of whole days such as "48h" (the due rule works in days).
func ParseLag(s string) (Lag, error) {
	if m := lagPattern.FindStringSubmatch(s); m != nil && s != "" {
		months, _ := strconv.Atoi(m[1])
		days, _ := strconv.Atoi(m[2])
		return Lag{Months: months, Days: days}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d%(24*time.Hour) != 0 {
		return Lag{}, fmt.Errorf("lag %q: want days or months such as 15d, 3mo, 1mo15d (or whole days as hours, 48h)", s)
	}
	return Lag{Days: int(d / (24 * time.Hour))}, nil
}

// String writes the Lag as ParseLag reads it.
func (l Lag) String() string {
	switch {
	case l.Months == 0:
		return fmt.Sprintf("%dd", l.Days)
	case l.Days == 0:
		return fmt.Sprintf("%dmo", l.Months)
	}
	return fmt.Sprintf("%dmo%dd", l.Months, l.Days)
}

// IsZero reports whether the Lag is unset.
func (l Lag) IsZero() bool { return l.Months == 0 && l.Days == 0 }

// MarshalText writes the Lag for JSON and YAML.
func (l Lag) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a Lag from a catalogue or config file.
func (l *Lag) UnmarshalText(b []byte) error {
	v, err := ParseLag(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// DefaultLag is the publication lag of a frequency when neither the
// catalogue nor the configuration names one: monthly figures are due by
// the 15th of the next month, quarterly ones 30 days after the quarter,
// annual ones by 31 March; monitoring data (hourly, daily) a day after.
func DefaultLag(f Frequency) Lag {
	switch f {
	case FrequencyMonthly:
		return Lag{Days: 15}
	case FrequencyQuarterly:
		return Lag{Days: 30}
	case FrequencyAnnual:
		return Lag{Months: 3}
	}
	return Lag{Days: 1}
}

// DueDate is when the figure of period p is due: the end of p plus the
// lag, at midnight Beijing time (a figure due "by the 15th" may arrive
// during the 15th).
func DueDate(p Period, lag Lag) time.Time {
	end := p.End().In(Shanghai)
	return end.AddDate(0, lag.Months, lag.Days)
}

// Due is the publication state of an indicator: which period is awaited
// next, when it is due, and whether it is overdue.
type Due struct {
	// Next is the first period after the latest stored one.
	Next Period
	// Date is when Next's figure is due.
	Date time.Time
	// Overdue is true once now has reached Date without Next's figure.
	Overdue bool
}

// NextDue is the due state of an indicator of frequency f whose newest
// stored figure is of the period starting at latest, at time now. A
// figure not yet due is never overdue: a monthly figure for June stored,
// July's figure is due on 16 August 00:00 and overdue from then on.
func NextDue(f Frequency, latest time.Time, lag Lag, now time.Time) Due {
	if lag.IsZero() {
		lag = DefaultLag(f)
	}
	next := PeriodOf(f, latest).Add(1)
	date := DueDate(next, lag)
	return Due{Next: next, Date: date, Overdue: !now.Before(date)}
}
