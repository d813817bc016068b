package models

import (
	"testing"
	"time"
)

func TestNextDue(t *testing.T) {
	tests := []struct {
		name     string
		f        Frequency
		latest   time.Time
		lag      Lag
		now      time.Time
		wantNext time.Time
		wantDate time.Time
		overdue  bool
	}{
		{"monthly: July due by 15 August, not yet", FrequencyMonthly, sh(2024, 6, 1, 0), Lag{}, sh(2024, 8, 15, 23),
			sh(2024, 7, 1, 0), sh(2024, 8, 16, 0), false},
		{"monthly: July overdue on 16 August", FrequencyMonthly, sh(2024, 6, 1, 0), Lag{}, sh(2024, 8, 16, 0),
			sh(2024, 7, 1, 0), sh(2024, 8, 16, 0), true},
		{"monthly: any stamp in the month is its period", FrequencyMonthly, sh(2024, 6, 30, 23), Lag{}, sh(2024, 7, 20, 0),
			sh(2024, 7, 1, 0), sh(2024, 8, 16, 0), false},
		{"monthly: December's figure is due in January", FrequencyMonthly, sh(2024, 11, 1, 0), Lag{}, sh(2025, 1, 10, 0),
			sh(2024, 12, 1, 0), sh(2025, 1, 16, 0), false},
		{"quarterly: Q3 due 30 days after September", FrequencyQuarterly, sh(2024, 4, 1, 0), Lag{}, sh(2024, 10, 31, 0),
			sh(2024, 7, 1, 0), sh(2024, 10, 31, 0), true},
		{"annual: 2024 due by 31 March 2025", FrequencyAnnual, sh(2023, 1, 1, 0), Lag{}, sh(2025, 3, 31, 12),
			sh(2024, 1, 1, 0), sh(2025, 4, 1, 0), false},
		{"annual: overdue on 1 April", FrequencyAnnual, sh(2023, 1, 1, 0), Lag{}, sh(2025, 4, 1, 0),
			sh(2024, 1, 1, 0), sh(2025, 4, 1, 0), true},
		{"annual with a provider's 11-month lag", FrequencyAnnual, sh(2023, 1, 1, 0), Lag{Months: 11}, sh(2025, 6, 1, 0),
			sh(2024, 1, 1, 0), sh(2025, 12, 1, 0), false},
		{"daily: the next day due a day after it", FrequencyDaily, sh(2024, 6, 1, 0), Lag{}, sh(2024, 6, 3, 0),
			sh(2024, 6, 2, 0), sh(2024, 6, 4, 0), false},
		{"hourly", FrequencyHourly, sh(2024, 6, 1, 10), Lag{Days: 1}, sh(2024, 6, 2, 11),
			sh(2024, 6, 1, 11), sh(2024, 6, 2, 12), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NextDue(tt.f, tt.latest, tt.lag, tt.now)
			if !got.Next.Start.Equal(tt.wantNext) || !got.Date.Equal(tt.wantDate) || got.Overdue != tt.overdue {
				t.Errorf("NextDue = next %v, due %v, overdue %v; want %v, %v, %v",
					got.Next.Start, got.Date, got.Overdue, tt.wantNext, tt.wantDate, tt.overdue)
			}
		})
	}
}

func TestParseLag(t *testing.T) {
	tests := []struct {
		in   string
		want Lag
		err  bool
	}{
		{"15d", Lag{Days: 15}, false},
		{"3mo", Lag{Months: 3}, false},
		{"1mo15d", Lag{Months: 1, Days: 15}, false},
		{"48h", Lag{Days: 2}, false},
		{"36h", Lag{}, true},
		{"", Lag{}, true},
		{"soon", Lag{}, true},
		{"-2d", Lag{}, true},
	}
	for _, tt := range tests {
		got, err := ParseLag(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseLag(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err == nil {
			if back, _ := ParseLag(got.String()); back != got {
				t.Errorf("ParseLag(%q).String() = %q does not read back", tt.in, got.String())
			}
		}
	}
}

func FuzzParseLag(f *testing.F) {
	for _, s := range []string{"15d", "3mo", "1mo15d", "48h", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLag(s)
		if err != nil {
			return
		}
		if l.Months < 0 || l.Days < 0 {
			t.Fatalf("ParseLag(%q) = %v: negative", s, l)
		}
	})
}
