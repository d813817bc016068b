package report

import (
	"errors"
	"fmt"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Month is a calendar month of the bureau's reporting, in Asia/Shanghai.
type Month struct {
	Year  int
	Month time.Month
}

// ErrBadMonth reports a month not written as YYYY-MM.
var ErrBadMonth = errors.New("month must be YYYY-MM, e.g. 2024-05")

// ParseMonth reads "2024-05".
func ParseMonth(s string) (Month, error) {
	t, err := time.ParseInLocation("2006-01", s, models.Shanghai)
	if err != nil || len(s) != 7 {
		return Month{}, fmt.Errorf("%q: %w", s, ErrBadMonth)
	}
	return Month{Year: t.Year(), Month: t.Month()}, nil
}

// MonthOf is the month containing t in Asia/Shanghai.
func MonthOf(t time.Time) Month {
	t = t.In(models.Shanghai)
	return Month{Year: t.Year(), Month: t.Month()}
}

// String is "2024-05", the form used in file names and on the command line.
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// MarshalText makes a Month a "2024-05" string in JSON.
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads "2024-05".
func (m *Month) UnmarshalText(b []byte) error {
	p, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = p
	return nil
}

// Start is the first instant of the month in Asia/Shanghai.
func (m Month) Start() time.Time {
	return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, models.Shanghai)
}

// End is the first instant of the next month: the report's as-of time and
// the exclusive end of its data.
func (m Month) End() time.Time { return m.Start().AddDate(0, 1, 0) }

// Add returns the month n months later (earlier for negative n); it crosses
// year boundaries, so January's previous month is December of the year before.
func (m Month) Add(n int) Month { return MonthOf(m.Start().AddDate(0, n, 0)) }

// Index is the month's number in its year, 1–12: the n of 序时进度 n/12.
func (m Month) Index() int { return int(m.Month) }

// NameZh is "2024年5月".
func (m Month) NameZh() string { return fmt.Sprintf("%d年%d月", m.Year, int(m.Month)) }

// NameEn is "May 2024".
func (m Month) NameEn() string { return fmt.Sprintf("%s %d", m.Month.String(), m.Year) }
