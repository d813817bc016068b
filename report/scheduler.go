package report

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Job produces the report of one month; the daemon's job builds the
// snapshot as of the month's end and writes the files.
type Job func(ctx context.Context, m Month) error

// Scheduler runs Job once a month, on Day at Hour (Asia/Shanghai), for the
// month before. Its zero value is not usable: Day, Hour and Job are
// required. Run blocks until its context ends, so the goroutine that runs
// it owns the scheduler's whole lifetime.
type Scheduler struct {
	// Day (1–28) and Hour (0–23) of the run; config.Report's defaults
	// are the 3rd at 08:00.
	Day, Hour int
	Job       Job
	// Exists reports whether a month's report is already written. When it
	// is set, Run catches up on start: the months since the newest report
	// written (at most MaxCatchUp, and only the newest one when no report
	// exists at all) whose run time has passed and whose report is missing
	// (the daemon was down) run at once, oldest first.
	Exists func(Month) bool
	// HasData reports whether any figure falls in a month. When it is
	// set, a month without data is never reported — neither caught up nor
	// at its scheduled run — so no empty report tops the index; the
	// month's report is written once data come, by `greenmetrics report`
	// or the next start's catch-up. An error counts as "has data" (the
	// job then fails and is retried, as any failing run).
	HasData func(context.Context, Month) (bool, error)
	// RetryDelay is the wait after a failed run before trying again;
	// zero means 30 minutes. Retries stop at the next scheduled run.
	RetryDelay time.Duration
	// Logger receives one line per run; nil discards.
	Logger *slog.Logger
	// Now and After are the clock; nil means time.Now and time.After.
	// Tests inject a fake clock.
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
}

// MaxCatchUp is how many months back a start catches up at most.
const MaxCatchUp = 12

// maxSleep bounds one wait, so a wall-clock jump (suspend, NTP step) delays
// a run by at most this much.
const maxSleep = time.Hour

// ErrBadSchedule reports a Day or Hour out of range or a missing Job.
var ErrBadSchedule = errors.New("report schedule needs day 1–28, hour 0–23 and a job")

// NextRun is the first run time at or after now: Day at Hour:00 of now's
// month in Asia/Shanghai if not yet passed, else of the next month (of
// January of the next year after December).
func NextRun(now time.Time, day, hour int) time.Time {
	now = now.In(models.Shanghai)
	t := time.Date(now.Year(), now.Month(), day, hour, 0, 0, 0, models.Shanghai)
	if t.Before(now) {
		t = time.Date(now.Year(), now.Month()+1, day, hour, 0, 0, 0, models.Shanghai)
	}
	return t
}

// ReportMonth is the month a run at t reports on: the month before t's.
func ReportMonth(t time.Time) Month { return MonthOf(t).Add(-1) }

// Run waits for each run time and runs the job, until ctx ends; it then
// returns nil. A failing run is logged and retried after RetryDelay.
func (s *Scheduler) Run(ctx context.Context) error {
	if s.Day < 1 || s.Day > 28 || s.Hour < 0 || s.Hour > 23 || s.Job == nil {
		return ErrBadSchedule
	}
	now, after, log := s.clock()
	// done is the last run time handled, so a run that takes no time on
	// the clock is not repeated.
	var done time.Time
	if months, at := s.catchUp(ctx, now(), log); len(months) > 0 {
		for _, m := range months {
			log.Info("report missing; catching up", "month", m.String())
			s.runUntilDone(ctx, m, NextRun(now().Add(time.Second), s.Day, s.Hour), now, after, log)
			if ctx.Err() != nil {
				return nil
			}
		}
		done = at
	}
	for {
		from := now()
		if !from.After(done) {
			from = done.Add(time.Second)
		}
		next := NextRun(from, s.Day, s.Hour)
		log.Info("report scheduled", "month", ReportMonth(next).String(), "at", next)
		if !s.sleepUntil(ctx, next, now, after) {
			return nil
		}
		// Retries must end before the following run, which reports the
		// month after.
		deadline := NextRun(next.Add(time.Second), s.Day, s.Hour)
		if m := ReportMonth(next); s.hasData(ctx, m, log) {
			s.runUntilDone(ctx, m, deadline, now, after, log)
		}
		done = next
		if ctx.Err() != nil {
			return nil
		}
	}
}

func (s *Scheduler) clock() (func() time.Time, func(time.Duration) <-chan time.Time, *slog.Logger) {
	now, after, log := s.Now, s.After, s.Logger
	if now == nil {
		now = time.Now
	}
	if after == nil {
		after = time.After
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return now, after, log
}

// catchUp says which months to run at start-up, oldest first, and the
// run time of the newest: the months whose run time has passed, back to
// the newest report written (at most MaxCatchUp), that have data and no
// report. With no report written at all only the newest month with data
// is run: a first start does not write a year of reports.
func (s *Scheduler) catchUp(ctx context.Context, now time.Time, log *slog.Logger) ([]Month, time.Time) {
	if s.Exists == nil {
		return nil, time.Time{}
	}
	local := now.In(models.Shanghai)
	thisRun := time.Date(local.Year(), local.Month(), s.Day, s.Hour, 0, 0, 0, models.Shanghai)
	if now.Before(thisRun) {
		thisRun = thisRun.AddDate(0, -1, 0)
	}
	var missing []Month // newest first
	found := false
	for m, i := ReportMonth(thisRun), 0; i < MaxCatchUp; m, i = m.Add(-1), i+1 {
		if s.Exists(m) {
			found = true
			break
		}
		if s.hasData(ctx, m, log) {
			missing = append(missing, m)
		}
	}
	if !found && len(missing) > 1 {
		missing = missing[:1]
	}
	slices.Reverse(missing)
	return missing, thisRun
}

// hasData asks HasData (true when it is not set); a month without data is
// logged, and an error counts as data so the run happens and fails loudly.
func (s *Scheduler) hasData(ctx context.Context, m Month, log *slog.Logger) bool {
	if s.HasData == nil {
		return true
	}
	ok, err := s.HasData(ctx, m)
	if err != nil {
		log.Warn("checking the month's data", "month", m.String(), "err", err)
		return true
	}
	if !ok {
		log.Info("no figures in the month; report not written", "month", m.String())
	}
	return ok
}

// sleepUntil waits until t in steps of at most maxSleep; false if ctx ended.
func (s *Scheduler) sleepUntil(ctx context.Context, t time.Time, now func() time.Time, after func(time.Duration) <-chan time.Time) bool {
	for {
		d := t.Sub(now())
		if d <= 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-after(min(d, maxSleep)):
		}
	}
}

// runUntilDone runs the job for m, retrying after RetryDelay until it
// succeeds, ctx ends or the deadline (the next scheduled run) comes.
func (s *Scheduler) runUntilDone(ctx context.Context, m Month, deadline time.Time, now func() time.Time, after func(time.Duration) <-chan time.Time, log *slog.Logger) {
	delay := s.RetryDelay
	if delay <= 0 {
		delay = 30 * time.Minute
	}
	for attempt := 1; ; attempt++ {
		start := now()
		err := s.Job(ctx, m)
		if err == nil {
			log.Info("report written", "month", m.String(), "took", now().Sub(start))
			return
		}
		if ctx.Err() != nil {
			return
		}
		retry := now().Add(delay)
		if !retry.Before(deadline) {
			log.Error("report failed; giving up until the next scheduled run", "month", m.String(), "attempt", attempt, "err", err)
			return
		}
		log.Warn("report failed; will retry", "month", m.String(), "attempt", attempt, "retry_at", retry, "err", err)
		if !s.sleepUntil(ctx, retry, now, after) {
			return
		}
	}
}
