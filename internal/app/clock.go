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

// clock is the offset GREENMETRICS_NOW gives, computed when the variable
// is first seen with its value: the clock then runs on from there. A new
// value (a test stepping into the next month) starts it again.
var clock struct {
	sync.Mutex
	seen   bool
	value  string
	offset time.Duration
}

// clockNow is the commands' clock: time.Now, shifted when GREENMETRICS_NOW
// is set. An unreadable value is reported once on stderr and ignored.
func clockNow() time.Time {
	v := os.Getenv(nowEnv)
	clock.Lock()
	defer clock.Unlock()
	if !clock.seen || v != clock.value {
		clock.seen, clock.value, clock.offset = true, v, 0
		if v != "" {
			if at, err := parseClock(v); err != nil {
				fmt.Fprintf(os.Stderr, "warning: %s=%q: %v; using the system clock\n", nowEnv, v, err)
			} else {
				clock.offset = time.Until(at)
			}
		}
	}
	return time.Now().Add(clock.offset)
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
