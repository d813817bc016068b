package report

import (
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// The report keeps no period rule of its own: 本期值, 环比, 同比 and 累计 are
// models.Series answers on the analysis snapshot's series (docs/report.md
// §2), the same the engine computed progress with. What is decided here
// is only which period a row shows.

// rowPeriod is the period a row reports: the report month for monthly and
// finer data; for quarterly and annual data the latest period with a value
// (a quarter's figure arrives after the quarter ends), else the one the
// month falls in.
func rowPeriod(s models.Series, month Month) models.Period {
	cur := models.ReportingPeriodOf(s.Frequency, month.Start())
	if cur.Frequency == models.FrequencyMonthly {
		return cur
	}
	if latest, ok := s.Latest(); ok {
		return latest.Period
	}
	return cur
}

// latestBefore is the newest of t and the snapshot's latest figure of code
// and entity before end (hourly series are read as days; their newest hour
// is in Snapshot.Latest).
func (b *builder) latestBefore(code, entity string, t time.Time) time.Time {
	if b.latest == nil {
		b.latest = map[figureKey]time.Time{}
		for _, o := range b.snap.Latest {
			k := figureKey{o.Indicator, o.Entity}
			if o.Time.Before(b.asOf) && o.Time.After(b.latest[k]) {
				b.latest[k] = o.Time
			}
		}
	}
	if l := b.latest[figureKey{code, entity}]; l.After(t) {
		return l
	}
	return t
}

// figureKey is an indicator and entity.
type figureKey struct{ code, entity string }
