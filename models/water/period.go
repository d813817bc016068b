package water

import (
	"errors"
	"fmt"
	"time"
)

var errInvalidPeriod = errors.New("invalid period kind")

// A PeriodKind is the length of an evaluation period.
type PeriodKind uint8

// The evaluation periods of 环办〔2011〕22号.
const (
	Week PeriodKind = iota + 1
	Month
	Quarter
	Year
)

var periodKindNames = [...]string{"", "week", "month", "quarter", "year"}

// String returns "week", "month", "quarter" or "year".
func (k PeriodKind) String() string {
	if k.Valid() {
		return periodKindNames[k]
	}
	return fmt.Sprintf("PeriodKind(%d)", uint8(k))
}

// Valid reports whether k is Week, Month, Quarter or Year.
func (k PeriodKind) Valid() bool { return k >= Week && k <= Year }

// A Period is one calendar week (Monday first), month, quarter or year,
// starting at local midnight in the location of Start.
type Period struct {
	Kind  PeriodKind
	Start time.Time
}

// PeriodOf returns the period of the kind that contains t, in t's location.
func PeriodOf(kind PeriodKind, t time.Time) Period {
	y, m, d := t.Date()
	loc := t.Location()
	var start time.Time
	switch kind {
	case Week:
		daysSinceMonday := (int(t.Weekday()) + 6) % 7
		start = time.Date(y, m, d-daysSinceMonday, 0, 0, 0, 0, loc)
	case Month:
		start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
	case Quarter:
		start = time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, loc)
	case Year:
		start = time.Date(y, time.January, 1, 0, 0, 0, 0, loc)
	default:
		return Period{}
	}
	return Period{Kind: kind, Start: start}
}

// End returns the start of the next period.
func (p Period) End() time.Time {
	switch p.Kind {
	case Week:
		return p.Start.AddDate(0, 0, 7)
	case Month:
		return p.Start.AddDate(0, 1, 0)
	case Quarter:
		return p.Start.AddDate(0, 3, 0)
	case Year:
		return p.Start.AddDate(1, 0, 0)
	}
	return p.Start
}

// Contains reports whether t is in [Start, End).
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start) && t.Before(p.End())
}

// MinSamples is the fewest samples a period's class may rest on: one for a
// week or month, two for a quarter, six for a year (the 12 monthly samples of
// a national section satisfy it; other sections need at least 6 covering
// the high-, normal- and low-flow seasons, which the caller must ensure).
func (p Period) MinSamples() int {
	switch p.Kind {
	case Quarter:
		return 2
	case Year:
		return 6
	}
	return 1
}

// String names the period: "2023", "2023-Q1", "2023-03" or "2023-W05".
func (p Period) String() string {
	switch p.Kind {
	case Week:
		y, w := p.Start.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	case Month:
		return p.Start.Format("2006-01")
	case Quarter:
		return fmt.Sprintf("%d-Q%d", p.Start.Year(), (int(p.Start.Month())-1)/3+1)
	case Year:
		return p.Start.Format("2006")
	}
	return "no period"
}
