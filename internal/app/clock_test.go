package app

import (
	"slices"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// TestCommandsTakeTheirDayFromTheClock: GREENMETRICS_NOW sets the whole
// system's clock, so a command's default year and as-of instant (targets,
// progress, the catalogue's targets of the year) follow it, not the
// machine's calendar.
func TestCommandsTakeTheirDayFromTheClock(t *testing.T) {
	t.Setenv("GREENMETRICS_PLANS_DIR", "")
	at := time.Date(2030, 3, 1, 12, 0, 0, 0, models.Shanghai)
	t.Setenv("GREENMETRICS_NOW", at.Format(time.RFC3339))

	res, err := Targets(TargetsOptions{Settings: config.Overrides{}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Years, []int{2030}) {
		t.Errorf("targets without --year lists %v; want [2030], the clock's year", res.Years)
	}
	asOf, err := parseAsOf("", clockNow())
	if err != nil {
		t.Fatal(err)
	}
	if d := asOf.Sub(at); d < 0 || d > time.Minute {
		t.Errorf("progress without --as-of is as of %s; want the clock's %s", asOf, at)
	}
}
