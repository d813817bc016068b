package water

import (
	"testing"
	"time"
)

func TestPeriodOf(t *testing.T) {
	at := time.Date(2023, time.August, 17, 15, 4, 0, 0, beijing) // a Thursday
	tests := []struct {
		kind       PeriodKind
		start, end string
		name       string
	}{
		{Week, "2023-08-14", "2023-08-21", "2023-W33"},
		{Month, "2023-08-01", "2023-09-01", "2023-08"},
		{Quarter, "2023-07-01", "2023-10-01", "2023-Q3"},
		{Year, "2023-01-01", "2024-01-01", "2023"},
	}
	for _, tc := range tests {
		p := PeriodOf(tc.kind, at)
		if got := p.Start.Format(time.DateOnly); got != tc.start {
			t.Errorf("PeriodOf(%s).Start = %s; want %s", tc.kind, got, tc.start)
		}
		if got := p.End().Format(time.DateOnly); got != tc.end {
			t.Errorf("PeriodOf(%s).End() = %s; want %s", tc.kind, got, tc.end)
		}
		if got := p.String(); got != tc.name {
			t.Errorf("PeriodOf(%s).String() = %q; want %q", tc.kind, got, tc.name)
		}
		if !p.Contains(at) || !p.Contains(p.Start) || p.Contains(p.End()) {
			t.Errorf("PeriodOf(%s) = [%s, %s) must contain %s and its start, not its end", tc.kind, p.Start, p.End(), at)
		}
	}
}

func TestPeriodWeekStartsMonday(t *testing.T) {
	sunday := time.Date(2023, time.January, 1, 23, 0, 0, 0, beijing)
	p := PeriodOf(Week, sunday)
	if got := p.Start.Format(time.DateOnly); got != "2022-12-26" || p.String() != "2022-W52" {
		t.Errorf("PeriodOf(Week, %s) = %s (%s); want 2022-12-26 (2022-W52)", sunday, got, p)
	}
}

func TestPeriodMinSamples(t *testing.T) {
	want := map[PeriodKind]int{Week: 1, Month: 1, Quarter: 2, Year: 6}
	for kind, n := range want {
		if got := (Period{Kind: kind}).MinSamples(); got != n {
			t.Errorf("%s MinSamples() = %d; want %d", kind, got, n)
		}
	}
	if p := PeriodOf(PeriodKind(0), time.Now()); p.Kind.Valid() || p.String() != "no period" {
		t.Errorf("PeriodOf(0, now) = %v; want the zero Period", p)
	}
}
