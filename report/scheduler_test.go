package report

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

func TestNextRun(t *testing.T) {
	sh := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, models.Shanghai)
	}
	tests := []struct {
		name      string
		now       time.Time
		day, hour int
		want      time.Time
		month     string
	}{
		{"before this month's run", sh(2024, 5, 2, 23, 0), 3, 8, sh(2024, 5, 3, 8, 0), "2024-04"},
		{"exactly at the run", sh(2024, 5, 3, 8, 0), 3, 8, sh(2024, 5, 3, 8, 0), "2024-04"},
		{"just after the run", sh(2024, 5, 3, 8, 1), 3, 8, sh(2024, 6, 3, 8, 0), "2024-05"},
		{"December after the run: January next year", sh(2024, 12, 20, 0, 0), 3, 8, sh(2025, 1, 3, 8, 0), "2024-12"},
		{"January before the run reports December", sh(2025, 1, 1, 0, 0), 3, 8, sh(2025, 1, 3, 8, 0), "2024-12"},
		{"UTC clock read in Shanghai", time.Date(2024, 5, 3, 0, 30, 0, 0, time.UTC), 3, 8, sh(2024, 6, 3, 8, 0), "2024-05"},
		{"day 28 in February", sh(2024, 2, 28, 23, 0), 28, 22, sh(2024, 3, 28, 22, 0), "2024-02"},
		{"midnight run", sh(2024, 7, 1, 0, 0), 1, 0, sh(2024, 7, 1, 0, 0), "2024-06"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NextRun(tt.now, tt.day, tt.hour)
			if !got.Equal(tt.want) {
				t.Errorf("NextRun(%v, %d, %d) = %v, want %v", tt.now, tt.day, tt.hour, got, tt.want)
			}
			if m := ReportMonth(got).String(); m != tt.month {
				t.Errorf("ReportMonth(%v) = %s, want %s", got, m, tt.month)
			}
		})
	}
}

// fakeClock advances only when the scheduler waits, by the amount it
// waits, so a year of schedule runs in microseconds.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- now
	return ch
}

// runScheduler runs s on the clock until it has run the job n times,
// then stops it and returns the months and times of the runs.
func runScheduler(t *testing.T, s *Scheduler, clock *fakeClock, n int, fail func(Month, int) error) ([]string, []time.Time) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var months []string
	var times []time.Time
	attempts := map[Month]int{}
	s.Now, s.After = clock.Now, clock.After
	s.Job = func(_ context.Context, m Month) error {
		mu.Lock()
		defer mu.Unlock()
		attempts[m]++
		if fail != nil {
			if err := fail(m, attempts[m]); err != nil {
				return err
			}
		}
		months = append(months, m.String())
		times = append(times, clock.Now())
		if len(months) == n {
			cancel()
		}
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("scheduler did not stop")
	}
	mu.Lock()
	defer mu.Unlock()
	return months, times
}

// TestSchedulerRunsMonthly runs four months of schedule across a year
// boundary: each run is on the 3rd at 08:00 for the month before.
func TestSchedulerRunsMonthly(t *testing.T) {
	clock := &fakeClock{now: time.Date(2023, 11, 15, 12, 0, 0, 0, models.Shanghai)}
	months, times := runScheduler(t, &Scheduler{Day: 3, Hour: 8}, clock, 4, nil)
	want := []string{"2023-11", "2023-12", "2024-01", "2024-02"}
	if len(months) != len(want) {
		t.Fatalf("months = %v, want %v", months, want)
	}
	for i := range want {
		if months[i] != want[i] {
			t.Errorf("run %d reported %s, want %s", i, months[i], want[i])
		}
		if at := times[i]; at.Day() != 3 || at.Hour() != 8 || at.Minute() != 0 {
			t.Errorf("run %d at %v, want the 3rd at 08:00", i, at)
		}
	}
}

// TestSchedulerCatchUp: started on the 10th with last month's report
// missing, the scheduler writes it at once, then keeps the schedule.
func TestSchedulerCatchUp(t *testing.T) {
	start := time.Date(2024, 6, 10, 9, 0, 0, 0, models.Shanghai)
	clock := &fakeClock{now: start}
	s := &Scheduler{Day: 3, Hour: 8, Exists: func(m Month) bool { return m.String() != "2024-05" }}
	months, times := runScheduler(t, s, clock, 2, nil)
	if len(months) != 2 || months[0] != "2024-05" || months[1] != "2024-06" {
		t.Fatalf("months = %v, want [2024-05 2024-06]", months)
	}
	if !times[0].Equal(start) {
		t.Errorf("catch-up ran at %v, want at start %v", times[0], start)
	}
}

// TestSchedulerCatchUpOnlyMonthsWithData: a first start (no report yet)
// writes the newest month that has figures — not the empty month before
// it — and a scheduled run of a month without figures writes nothing.
func TestSchedulerCatchUpOnlyMonthsWithData(t *testing.T) {
	start := time.Date(2026, 12, 10, 9, 0, 0, 0, models.Shanghai)
	clock := &fakeClock{now: start}
	var asked []string
	s := &Scheduler{Day: 3, Hour: 8,
		Exists: func(Month) bool { return false },
		HasData: func(_ context.Context, m Month) (bool, error) {
			asked = append(asked, m.String())
			return m.String() <= "2026-06" || m.String() >= "2027-01", nil
		},
	}
	months, times := runScheduler(t, s, clock, 2, nil)
	if len(months) != 2 || months[0] != "2026-06" || months[1] != "2027-01" {
		t.Fatalf("months = %v, want [2026-06 2027-01] (2026-07 … 2026-12 have no figures)", months)
	}
	if !times[0].Equal(start) {
		t.Errorf("catch-up ran at %v, want at start %v", times[0], start)
	}
	if len(asked) < MaxCatchUp {
		t.Errorf("asked HasData for %v, want the last %d months and the scheduled ones", asked, MaxCatchUp)
	}
}

// TestSchedulerCatchUpSinceTheNewestReport: down for three months, the
// daemon writes each missing month, oldest first, then keeps the schedule.
func TestSchedulerCatchUpSinceTheNewestReport(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 10, 9, 0, 0, 0, models.Shanghai)}
	s := &Scheduler{Day: 3, Hour: 8,
		Exists:  func(m Month) bool { return m.String() <= "2026-08" },
		HasData: func(context.Context, Month) (bool, error) { return true, nil },
	}
	months, _ := runScheduler(t, s, clock, 4, nil)
	want := []string{"2026-09", "2026-10", "2026-11", "2026-12"}
	if len(months) != len(want) {
		t.Fatalf("months = %v, want %v", months, want)
	}
	for i := range want {
		if months[i] != want[i] {
			t.Errorf("run %d reported %s, want %s", i, months[i], want[i])
		}
	}
}

// TestSchedulerRetries: a failing run is retried after RetryDelay.
func TestSchedulerRetries(t *testing.T) {
	clock := &fakeClock{now: time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai)}
	s := &Scheduler{Day: 3, Hour: 8, RetryDelay: 30 * time.Minute}
	fail := func(m Month, attempt int) error {
		if attempt < 3 {
			return errors.New("influxdb unreachable")
		}
		return nil
	}
	months, times := runScheduler(t, s, clock, 1, fail)
	want := time.Date(2024, 6, 3, 9, 0, 0, 0, models.Shanghai)
	if len(months) != 1 || months[0] != "2024-05" || !times[0].Equal(want) {
		t.Fatalf("runs %v at %v, want 2024-05 at %v (third attempt)", months, times, want)
	}
}

func TestSchedulerStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{Day: 3, Hour: 8, Job: func(context.Context, Month) error { return nil }}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestSchedulerRejectsBadSchedule(t *testing.T) {
	for _, s := range []*Scheduler{
		{Day: 0, Hour: 8, Job: func(context.Context, Month) error { return nil }},
		{Day: 29, Hour: 8, Job: func(context.Context, Month) error { return nil }},
		{Day: 3, Hour: 24, Job: func(context.Context, Month) error { return nil }},
		{Day: 3, Hour: 8},
	} {
		if err := s.Run(context.Background()); !errors.Is(err, ErrBadSchedule) {
			t.Errorf("Run(day %d hour %d) = %v, want %v", s.Day, s.Hour, err, ErrBadSchedule)
		}
	}
}
