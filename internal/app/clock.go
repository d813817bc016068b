package app

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// nowEnv names the variable that sets the clock of every command: an
// RFC 3339 instant or a day (2026-07-15, midnight in Beijing). The clock
// starts there and runs on, so a daemon started with it behaves as it
// would have on that day: the demo runs to it, the analysis takes its year
// and 序时进度 from it, the report scheduler catches up from it. For
// end-to-end tests and demonstrations; unset in production.
const nowEnv = "GREENMETRICS_NOW"

var (
	clockOnce   sync.Once
	clockOffset time.Duration
)

// clockNow is the commands' clock: time.Now, shifted when GREENMETRICS_NOW
// is set. An unreadable value is reported once on stderr and ignored.
func clockNow() time.Time {
	clockOnce.Do(func() {
		v := os.Getenv(nowEnv)
		if v == "" {
			return
		}
		at, err := parseClock(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "warning: %s=%q: %v; using the system clock\n", nowEnv, v, err)
			return
		}
		clockOffset = time.Until(at)
	})
	return time.Now().Add(clockOffset)
}

func parseClock(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, models.Shanghai); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("want an RFC 3339 time or a day such as 2026-07-15")
}
