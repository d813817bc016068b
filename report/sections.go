package report

import (
	"fmt"
	"sort"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/water"
)

// stations summarises per-station air series as the month's mean of daily
// means per station and pollutant, from the snapshot's per-station series.
func (b *builder) stations() {
	type cell struct {
		mean float64
		n    int
		demo bool
	}
	table := map[string]map[string]cell{}
	var cols []StationColumn
	month := models.PeriodOf(models.FrequencyMonthly, b.month.Start())
	for _, ind := range b.inds {
		if ind.Entity != "station" {
			continue
		}
		var seen bool
		for st, s := range b.snap.EntitySeries[ind.Code] {
			pv, ok := s.Until(b.asOf).At(month)
			if !ok {
				continue
			}
			seen = true
			if table[st] == nil {
				table[st] = map[string]cell{}
			}
			// The table shows means whatever the catalogue aggregation.
			table[st][ind.Code] = cell{mean: pv.Sum / float64(pv.Points), n: pv.Figures, demo: pv.Demo}
			if last := b.latestBefore(ind.Code, st, pv.LastTime); last.After(b.last["station:"+st]) {
				b.last["station:"+st] = last
			}
		}
		if seen {
			cols = append(cols, StationColumn{Code: ind.Code, Name: name(ind, b.lang), Unit: ind.Unit, DisplayUnit: ind.DisplayUnit})
		}
	}
	names := make([]string, 0, len(table))
	for st := range table {
		names = append(names, st)
	}
	sort.Strings(names)
	out := Stations{Indicators: cols}
	for _, st := range names {
		row := StationRow{Station: st}
		for _, c := range cols {
			v, ok := table[st][c.Code]
			if !ok {
				row.Means = append(row.Means, NaN())
				row.Samples = append(row.Samples, 0)
				continue
			}
			row.Means = append(row.Means, Num(v.mean))
			row.Samples = append(row.Samples, v.n)
			row.Demo = row.Demo || v.demo
		}
		out.Rows = append(out.Rows, row)
	}
	b.rep.Stations = out
}

// water copies the snapshot's section standings and district figures and
// counts sections per class for the distribution chart.
func (b *builder) water() {
	ws := b.snap.Water
	w := Water{
		From: ws.From, To: ws.To,
		District: WaterDistrict{
			Sections: ws.District.Sections, IVOrBetter: ws.District.IVOrBetter,
			IIIOrBetter: ws.District.IIIOrBetter, GoodRatio: Num(ws.District.GoodRatio),
			InferiorVRatio: Num(ws.District.InferiorVRatio), AttainmentRatio: Num(ws.District.AttainmentRatio),
		},
	}
	if ws.District.Sections == 0 {
		// Without sections the shares are undefined, not zero.
		w.District.GoodRatio, w.District.InferiorVRatio, w.District.AttainmentRatio = NaN(), NaN(), NaN()
	}
	for _, s := range ws.Sections {
		sec := WaterSection{
			Name: s.Name, WaterBody: waterBodyName(s.WaterBody, b.lang), Class: s.Class, ClassName: className(s.Class, b.lang),
			TargetClass: s.TargetClass, TargetName: className(s.TargetClass, b.lang),
			MainPollutants: []string{}, Samples: s.Samples, LastSample: s.LastSample,
		}
		for _, code := range s.MainPollutants {
			sec.MainPollutants = append(sec.MainPollutants, pollutantName(code, b.lang))
		}
		if s.TargetClass == 0 {
			sec.TargetName = dash
		} else {
			att := s.Attained
			sec.Attained = &att
		}
		if s.Class >= 1 && s.Class <= 6 {
			w.ClassCounts[s.Class-1]++
		} else {
			w.Unknown++
		}
		sec.Notes = append([]string(nil), s.Notes...)
		w.Sections = append(w.Sections, sec)
	}
	if len(w.Sections) > 0 {
		c := classChart(w.ClassCounts, b.lang, b.l.ClassChart)
		w.Chart = &c
	}
	b.rep.Water = w
}

// className is "Ⅲ类" (zh) or "III" (en); 6 is 劣Ⅴ, 0 unknown.
func className(c int, lang Lang) string {
	if lang == LangEn {
		en := []string{"unknown", "I", "II", "III", "IV", "V", "worse than V"}
		if c >= 0 && c < len(en) {
			return en[c]
		}
		return fmt.Sprint(c)
	}
	if c == 0 {
		return "未评价"
	}
	return water.Class(c).String()
}

// quality lists stale indicators, stations and sections, and the month's
// rejected rows from the rejection log.
func (b *builder) quality() {
	q := Quality{GraceDays: b.in.StaleGrace.Hours() / 24}
	grace := b.in.StaleGrace
	for si := range b.rep.Sections {
		rows := b.rep.Sections[si].Rows
		for i := range rows {
			r := &rows[i]
			if !isStale(r.LastObservation, models.Frequency(r.Frequency), b.asOf, grace) {
				continue
			}
			r.Stale = true
			q.Stale = append(q.Stale, Stale{Code: r.Code, Name: r.Name, Frequency: r.Frequency,
				LastObservation: r.LastObservation, Due: dueStart(models.Frequency(r.Frequency), b.asOf)})
		}
	}
	for _, st := range b.rep.Stations.Rows {
		last := b.last["station:"+st.Station]
		if isStale(last, models.FrequencyHourly, b.asOf, grace) {
			q.Stale = append(q.Stale, Stale{Code: "station", Entity: st.Station, Name: b.l.Station + " " + st.Station,
				Frequency: string(models.FrequencyHourly), LastObservation: last, Due: dueStart(models.FrequencyHourly, b.asOf)})
		}
	}
	for _, s := range b.rep.Water.Sections {
		if isStale(s.LastSample, models.FrequencyMonthly, b.asOf, grace) {
			q.Stale = append(q.Stale, Stale{Code: "water_section", Entity: s.Name, Name: b.l.Section + " " + s.Name,
				Frequency: string(models.FrequencyMonthly), LastObservation: s.LastSample, Due: dueStart(models.FrequencyMonthly, b.asOf)})
		}
	}
	q.NoData = b.noData()
	b.rejections(&q)
	q.Revisions = b.revisions()
	b.rep.Quality = q
}

// noData counts district catalogue indicators without any observation
// before the end of the month and without a row in the report.
func (b *builder) noData() int {
	shown := map[string]bool{}
	for _, s := range b.rep.Sections {
		for _, r := range s.Rows {
			shown[r.Code] = true
		}
	}
	n := 0
	for _, ind := range b.inds {
		if ind.Entity != "" || shown[ind.Code] {
			continue
		}
		if _, seen := b.last[ind.Code]; !seen && !b.seenInSnapshot(ind.Code) {
			n++
		}
	}
	return n
}

func (b *builder) seenInSnapshot(code string) bool {
	for _, o := range b.snap.Latest {
		if o.Indicator == code && o.Time.Before(b.asOf) {
			return true
		}
	}
	return false
}

// maxRejectedExamples is how many rejected rows the report quotes.
const maxRejectedExamples = 10

func (b *builder) rejections(q *Quality) {
	if b.in.RejectDir == "" {
		return
	}
	entries, damaged, err := rejectlog.Read(b.in.RejectDir, b.month.String())
	q.DamagedLines = damaged
	if err != nil {
		q.LogError = err.Error()
	}
	q.Rejected = rejectlog.CountRows(entries)
	q.RejectedByRule = ranked(rejectlog.CountByRule(entries))
	bySrc := map[string]int{}
	for _, e := range entries {
		bySrc[e.Source] += e.Rows()
	}
	q.RejectedBySrc = ranked(bySrc)
	for _, e := range entries {
		if len(q.Examples) >= maxRejectedExamples {
			break
		}
		if e.Tally() {
			continue // a count, not a row to quote
		}
		q.Examples = append(q.Examples, RejectedSample{Time: e.Time.In(models.Shanghai), Source: e.Source,
			Row: e.Row, Field: e.Field, Rule: e.Rule, Message: e.Message})
	}
}

// ranked orders counts from most to fewest, then by key.
func ranked(m map[string]int) []RuleCount {
	out := make([]RuleCount, 0, len(m))
	for k, v := range m {
		out = append(out, RuleCount{Key: k, Count: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// dueStart is the start of the latest complete reporting period at asOf:
// the last hour or day for hourly and daily data, the month for monthly
// data, the latest ended quarter or year for quarterly and annual data.
func dueStart(freq models.Frequency, asOf time.Time) time.Time {
	switch freq {
	case models.FrequencyHourly:
		return asOf.Add(-time.Hour)
	case models.FrequencyDaily:
		return asOf.AddDate(0, 0, -1)
	}
	p := models.PeriodOf(freq, asOf.Add(-time.Nanosecond))
	if p.End().After(asOf) {
		p = p.Previous()
	}
	return p.Start
}

// isStale reports whether the newest observation misses the latest
// complete reporting period by more than grace. Periodic figures are
// stamped at the start of their period, so a monthly series whose May
// figure exists is fresh at the end of May, and a quarterly series is
// fresh at the end of May with its Q1 figure. A series with no
// observation at all is stale.
func isStale(last time.Time, freq models.Frequency, asOf time.Time, grace time.Duration) bool {
	if last.IsZero() {
		return true
	}
	return last.Before(dueStart(freq, asOf).Add(-grace))
}

// countStatuses tallies the district rows by status.
func countStatuses(secs []Section) Counts {
	var c Counts
	for _, s := range secs {
		for _, r := range s.Rows {
			c.Indicators++
			switch r.Status {
			case models.StatusCompleted:
				c.Completed++
			case models.StatusBasicallyCompleted:
				c.BasicallyCompleted++
			case models.StatusAhead:
				c.Ahead++
			case models.StatusBehind:
				c.Behind++
			case models.StatusPaceUnknown:
				c.PaceUnknown++
			case models.StatusMet:
				c.Met++
			case models.StatusBasicallyMet:
				c.BasicallyMet++
			case models.StatusNotMet:
				c.NotMet++
			case models.StatusMissed:
				c.Missed++
			case models.StatusMunicipal:
				c.Municipal++
			case models.StatusNoData:
				if r.Target.Valid() || r.TargetText != "" {
					c.NoData++
				} else {
					c.NoTarget++
				}
			default:
				c.NoTarget++
			}
		}
	}
	c.WithTarget = c.Indicators - c.Municipal - c.NoTarget
	return c
}

// revisions are the revisions accepted during the month, oldest first, with
// the indicator's name and units from the catalogue where the ledger left
// them out.
func (b *builder) revisions() []Revision {
	byCode := make(map[string]models.Indicator, len(b.inds))
	for _, ind := range b.inds {
		byCode[ind.Code] = ind
	}
	out := []Revision{}
	for _, r := range b.in.Revisions {
		if !r.Accepted.IsZero() && (r.Accepted.Before(b.month.Start()) || !r.Accepted.Before(b.month.End())) {
			continue
		}
		if ind, ok := byCode[r.Code]; ok {
			if r.Name == "" {
				r.Name = name(ind, b.lang)
			}
			if r.Unit == "" {
				r.Unit, r.DisplayUnit = ind.Unit, ind.DisplayUnit
			}
		}
		r.Accepted = r.Accepted.In(models.Shanghai)
		r.ValueChanged = r.OldValue != r.NewValue
		r.Change = revisionChange(r, b.lang)
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Accepted.Before(out[j].Accepted) })
	return out
}

// revisionChange says what a revision changed: the value, the provider or
// both. A write of the same value by another provider is a revision of the
// ledger (provenance changed) and must not read as a new figure.
func revisionChange(r Revision, lang Lang) string {
	l := labelsFor(lang)
	what := l.ValueRevised
	if !r.ValueChanged {
		what = l.ValueUnchanged
	}
	if r.OldProvider == r.NewProvider {
		return what
	}
	sep := "，"
	if lang == LangEn {
		sep = ", "
	}
	return what + sep + fmt.Sprintf(l.ProviderChangedFmt, orDash(r.OldProvider), orDash(r.NewProvider))
}

// providerOnly counts the revisions that left the value as it was.
func providerOnly(revs []Revision) int {
	n := 0
	for _, r := range revs {
		if !r.ValueChanged {
			n++
		}
	}
	return n
}
