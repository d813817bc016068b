package models

import (
	"errors"
	"fmt"
	"time"
)

// Period is one reporting period of an indicator: the hour, day, month,
// quarter or year its frequency names, starting at Start in Asia/Shanghai.
// A figure's identity is (indicator, entity, period): whatever instant a
// source stamps a monthly figure with (2024-06-01, 2024-06-30 23:59, an
// RFC 3339 time with milliseconds), it is June's figure, stored at June's
// start, so two stamps of one month are one figure and never two summed
// points.
type Period struct {
	Frequency Frequency `json:"frequency"`
	Start     time.Time `json:"start"`
}

// PeriodOf is the period of frequency f that contains t.
func PeriodOf(f Frequency, t time.Time) Period {
	t = t.In(Shanghai)
	y, m, d := t.Date()
	var start time.Time
	switch f {
	case FrequencyHourly:
		start = time.Date(y, m, d, t.Hour(), 0, 0, 0, Shanghai)
	case FrequencyDaily:
		start = time.Date(y, m, d, 0, 0, 0, 0, Shanghai)
	default:
		step := f.months()
		first := time.Month((int(m)-1)/step*step + 1)
		start = time.Date(y, first, 1, 0, 0, 0, 0, Shanghai)
	}
	return Period{Frequency: f, Start: start}
}

// ReportingPeriodOf is the period t is reported in: hourly and daily
// monitoring data are reported by month (本月), coarser figures by their own
// period.
func ReportingPeriodOf(f Frequency, t time.Time) Period {
	switch f {
	case FrequencyHourly, FrequencyDaily:
		return PeriodOf(FrequencyMonthly, t)
	}
	return PeriodOf(f, t)
}

// months is the length of a monthly, quarterly or annual period in months
// (1 for finer frequencies, which callers handle themselves).
func (f Frequency) months() int {
	switch f {
	case FrequencyQuarterly:
		return 3
	case FrequencyAnnual:
		return 12
	}
	return 1
}

// PeriodsPerYear is how many periods of f a year has (8760 hours and 365
// days are nominal: use them for plausibility, not for calendars).
func (f Frequency) PeriodsPerYear() int {
	switch f {
	case FrequencyHourly:
		return 8760
	case FrequencyDaily:
		return 365
	}
	return 12 / f.months()
}

// Add returns the period n periods later (earlier for negative n).
func (p Period) Add(n int) Period {
	switch p.Frequency {
	case FrequencyHourly:
		return Period{Frequency: p.Frequency, Start: p.Start.Add(time.Duration(n) * time.Hour)}
	case FrequencyDaily:
		return Period{Frequency: p.Frequency, Start: p.Start.AddDate(0, 0, n)}
	}
	return Period{Frequency: p.Frequency, Start: p.Start.AddDate(0, n*p.Frequency.months(), 0)}
}

// End is the exclusive end of the period.
func (p Period) End() time.Time { return p.Add(1).Start }

// Previous is 上期, the adjacent earlier period (December for January).
func (p Period) Previous() Period { return p.Add(-1) }

// YearAgo is 上年同期, the same period one year earlier.
func (p Period) YearAgo() Period {
	return PeriodOf(p.Frequency, p.Start.In(Shanghai).AddDate(-1, 0, 0))
}

// Contains reports whether t falls in the period.
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start) && t.Before(p.End())
}

// Year is the calendar year the period starts in.
func (p Period) Year() int { return p.Start.In(Shanghai).Year() }

// Label names the period as the bureau writes it in files and tables:
// "2024", "2024-Q2", "2024-06", "2024-06-30", "2024-06-30 08:00".
func (p Period) Label() string {
	s := p.Start.In(Shanghai)
	switch p.Frequency {
	case FrequencyAnnual:
		return fmt.Sprintf("%d", s.Year())
	case FrequencyQuarterly:
		return fmt.Sprintf("%d-Q%d", s.Year(), (int(s.Month())-1)/3+1)
	case FrequencyMonthly:
		return s.Format("2006-01")
	case FrequencyDaily:
		return s.Format("2006-01-02")
	}
	return s.Format("2006-01-02 15:04")
}

// LabelZh is the Chinese name of the period: "2024年", "2024年第二季度",
// "2024年6月", "2024年6月30日", "2024年6月30日8时".
func (p Period) LabelZh() string {
	s := p.Start.In(Shanghai)
	switch p.Frequency {
	case FrequencyAnnual:
		return fmt.Sprintf("%d年", s.Year())
	case FrequencyQuarterly:
		return fmt.Sprintf("%d年第%s季度", s.Year(), []string{"一", "二", "三", "四"}[(int(s.Month())-1)/3])
	case FrequencyMonthly:
		return fmt.Sprintf("%d年%d月", s.Year(), s.Month())
	case FrequencyDaily:
		return fmt.Sprintf("%d年%d月%d日", s.Year(), s.Month(), s.Day())
	}
	return fmt.Sprintf("%d年%d月%d日%d时", s.Year(), s.Month(), s.Day(), s.Hour())
}

// ParsePeriod reads a period label of frequency f: any time ParseTime
// accepts ("2024-06", "2024-06-30", "2024") or a quarter "2024-Q2", taken
// to the period that contains it.
func ParsePeriod(f Frequency, s string) (Period, error) {
	var y, q int
	if n, err := fmt.Sscanf(s, "%d-Q%d", &y, &q); err == nil && n == 2 && q >= 1 && q <= 4 {
		return PeriodOf(f, time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, Shanghai)), nil
	}
	t, err := ParseTime(s, Shanghai)
	if err != nil {
		return Period{}, err
	}
	return PeriodOf(f, t), nil
}

// The instants InfluxDB can store: int64 nanoseconds since 1970, less the
// two values it reserves at each end.
var (
	MinStorableTime = time.Unix(0, -9223372036854775806).UTC()
	MaxStorableTime = time.Unix(0, 9223372036854775806).UTC()
)

// ErrUnstorableTime is the error of a time outside what InfluxDB stores.
var ErrUnstorableTime = errors.New("time outside the range InfluxDB can store (1677-09-21 … 2262-04-11)")

// CheckStorable reports whether t, as stored at second precision, lies in
// the range InfluxDB accepts.
func CheckStorable(t time.Time) error {
	s := t.Truncate(time.Second)
	if s.Before(MinStorableTime) || s.After(MaxStorableTime) {
		return fmt.Errorf("%s: %w", t.In(Shanghai).Format("2006-01-02 15:04:05-07:00"), ErrUnstorableTime)
	}
	return nil
}
