package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Daily figures kept in the bucket, with exact invalidation
// (docs/schema.md §7).
//
// The write path marks what it changes: after InfluxDB has stored a spool
// batch and before the spool acknowledges it, the Sender writes one
// rollup_mark point per (indicator, Shanghai month) the batch's figures
// touch (MarkLines), carrying a fresh random nonce. DailyAggregates keeps,
// per aggregate, indicator, entity and month, the month's daily figures in
// one point (rollup_month), and per aggregate, indicator and month the
// nonce they were computed after (rollup_stamp). A month whose stamp
// differs from its mark (or that has no stamp) is aggregated from the
// hours again, with the nonce read before the aggregation; every other
// month is read from what was kept.
//
// A month per point, not a day: what a run with everything current costs
// is reading the kept rows, and 31 days in one string field read about 30
// times faster than 31 points. Under hourly ingestion the running month is
// marked by every batch and aggregated again at each run: a month of hours,
// a sixtieth of a five-year window.

// Measurements of the kept daily figures.
const (
	MeasurementRollupMark  = "rollup_mark"
	MeasurementRollupMonth = "rollup_month"
	MeasurementRollupStamp = "rollup_stamp"
)

// Fields of the rollup measurements.
const (
	fieldNonce = "nonce"
	fieldMark  = "mark"
	fieldDays  = "days"
	fieldRows  = "rows"
	// tagAggregate names the aggregate (mean, sum, last) of a rollup, so
	// that each has its own rollups and stamps.
	tagAggregate = "aggregate"
)

// unmarked is the stamp of a month computed while it had no mark: its
// figures were all written before marks existed. A nonce is 16 hex
// digits, so it never equals unmarked.
const unmarked = "none"

// MarkLines returns the rollup_mark lines for the figure lines among
// lines: one per indicator and Shanghai month, all with one fresh nonce.
// Lines of other measurements, and lines it cannot read, mark nothing (a
// line InfluxDB cannot read either is refused and stores nothing).
func MarkLines(lines []string) []string {
	return markLines(lines, fmt.Sprintf("%016x", rand.Uint64()))
}

func markLines(lines []string, nonce string) []string {
	type month struct {
		indicator string // as escaped in the line
		start     int64
	}
	// A batch names few months (an hourly batch: its pollutants in one or
	// two months), so they are looked for in a list before a map is worth
	// its hashing.
	var months []month
	var seen map[month]bool
	var out []string
	var lastTS, lastStart int64 = -1 << 63, 0
	for _, l := range lines {
		ind, ts, ok := figureIndicatorTime(l)
		if !ok {
			continue
		}
		if ts != lastTS { // a batch's lines mostly share their hour
			lastTS, lastStart = ts, localMonthStart(time.Unix(ts, 0)).Unix()
		}
		m := month{ind, lastStart}
		if seen != nil {
			if seen[m] {
				continue
			}
			seen[m] = true
		} else {
			if slices.Contains(months, m) {
				continue
			}
			if months = append(months, m); len(months) > 32 {
				seen = map[month]bool{}
				for _, m := range months {
					seen[m] = true
				}
			}
		}
		out = append(out, markLine(m.indicator, nonce, m.start))
	}
	return out
}

// markLine is the rollup_mark line of an indicator (escaped) and month.
func markLine(indicator, nonce string, monthStart int64) string {
	return fmt.Sprintf("%s,%s=%s %s=%q %d", MeasurementRollupMark, TagIndicator, indicator, fieldNonce, nonce, monthStart)
}

// figureIndicatorTime reads the indicator tag (still escaped) and the
// timestamp (seconds) of a figure line.
func figureIndicatorTime(line string) (string, int64, bool) {
	prefix := MeasurementFigure + ","
	if !strings.HasPrefix(line, prefix) {
		return "", 0, false
	}
	// The series key ends at the first space not escaped. Most keys have
	// no backslash at all: their first space ends them.
	if sp := strings.IndexByte(line, ' '); sp > 0 && strings.IndexByte(line[:sp], '\\') < 0 {
		return indicatorTime(line, line[len(prefix):sp])
	}
	end := -1
	for i := len(prefix); i < len(line); i++ {
		if line[i] == '\\' {
			i++
			continue
		}
		if line[i] == ' ' {
			end = i
			break
		}
	}
	if end < 0 {
		return "", 0, false
	}
	return indicatorTime(line, line[len(prefix):end])
}

// indicatorTime reads the indicator in tags, a figure line's tag set, and
// the line's timestamp.
func indicatorTime(line, tags string) (string, int64, bool) {
	sp := strings.LastIndexByte(line, ' ')
	if sp <= len(MeasurementFigure)+1+len(tags) {
		return "", 0, false
	}
	ts, err := strconv.ParseInt(line[sp+1:], 10, 64)
	if err != nil {
		return "", 0, false
	}
	for start, i := 0, 0; i <= len(tags); i++ {
		if i < len(tags) && tags[i] == '\\' {
			i++
			continue
		}
		if i == len(tags) || tags[i] == ',' {
			if v, ok := strings.CutPrefix(tags[start:i], TagIndicator+"="); ok && v != "" {
				return v, ts, true
			}
			start = i + 1
		}
	}
	return "", 0, false
}

// localMonthStart is the start of t's month in Asia/Shanghai.
func localMonthStart(t time.Time) time.Time {
	t = t.In(models.Shanghai)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, models.Shanghai)
}

// fromKept answers DailyAggregates of indicator for the whole Shanghai
// months [first, last) from st, what is kept of it (readKeptOf),
// aggregating again and writing back the months whose rows are missing or
// older than their mark.
func (s *Store) fromKept(ctx context.Context, q, fn, indicator string, first, last time.Time, st keptState) ([]models.DailyFigure, error) {
	// The marks were read before any aggregation: a write landing after
	// that read leaves a newer mark, so the month is recomputed next
	// time.
	marks := st.marks
	// A month is current when its stamp and each of its rows carry its
	// mark: the stamp says every row of a computation was written, the
	// rows' marks that no computation of another mark overwrote one of
	// them since (two runs writing back at once).
	current := map[int64]bool{}
	for m := first; m.Before(last); m = m.AddDate(0, 1, 0) {
		if stamp, ok := st.stamps[m.Unix()]; ok && stamp == markOf(marks, m) {
			current[m.Unix()] = true
		}
	}
	for _, r := range st.rows {
		if !r.readable || r.mark != markOf(marks, r.month) {
			delete(current, r.month.Unix())
		}
	}
	var out []models.DailyFigure
	for _, r := range st.rows {
		if current[r.month.Unix()] {
			out = append(out, r.days...)
		}
	}
	var stale [][2]time.Time
	for m := first; m.Before(last); m = m.AddDate(0, 1, 0) {
		if !current[m.Unix()] {
			stale = addMonth(stale, m)
		}
	}
	for _, r := range stale {
		days, err := s.daysWithDemo(ctx, q, indicator, r[0], r[1])
		if err != nil {
			return nil, err
		}
		out = append(out, days...)
		s.writeBack(ctx, indicator, fn, days, r, marks)
	}
	return out, nil
}

// writeBack writes recomputed months while the caller goes on (Close
// waits for them). The result stands whether or not they are written: a
// failed write leaves the old stamp, so the months are computed again next
// time.
func (s *Store) writeBack(ctx context.Context, indicator, fn string, days []models.DailyFigure, r [2]time.Time, marks map[int64]string) {
	ctx = context.WithoutCancel(ctx)
	s.rollupWrites.Go(func() { _ = s.writeKept(ctx, indicator, fn, days, r, marks) })
}

// addMonth adds the month starting at m to the stale ranges, joining it to
// the last one when at most one current month lies between: recomputing a
// current month is exact, only slower, and each query costs a round trip.
func addMonth(ranges [][2]time.Time, m time.Time) [][2]time.Time {
	next := m.AddDate(0, 1, 0)
	if n := len(ranges); n > 0 && !m.After(ranges[n-1][1].AddDate(0, 1, 0)) {
		ranges[n-1][1] = next
		return ranges
	}
	return append(ranges, [2]time.Time{m, next})
}

// markOf is the mark of the month starting at m: its nonce, or unmarked.
func markOf(marks map[int64]string, m time.Time) string {
	if n := marks[m.Unix()]; n != "" {
		return n
	}
	return unmarked
}

// keptMonth is one stored row: an entity's daily figures of a month, with
// the mark they were computed after. A row whose days cannot be read
// (written by something else) makes its month stale.
type keptMonth struct {
	month    time.Time
	mark     string
	days     []models.DailyFigure
	readable bool
}

// keptState is what is stored of one indicator's aggregate over a span of
// months: the marks, the stamps (the mark each month was computed after)
// and the rows, by month start.
type keptState struct {
	marks, stamps map[int64]string
	rows          []keptMonth
}

// keptKey names one indicator's kept aggregate.
type keptKey struct{ indicator, aggregate string }

// readKeptOf reads, for the series qs over the months [start, end), the
// marks of their indicators and the stamps and rows of their aggregates:
// the marks and stamps at once, then the rows, each in one query for all
// the series (a query per series costs InfluxDB more than its rows).
func (s *Store) readKeptOf(ctx context.Context, qs []models.DailyQuery, start, end time.Time) (map[keptKey]keptState, error) {
	params := map[string]any{"start": start.UTC().Format(time.RFC3339), "end": end.UTC().Format(time.RFC3339)}
	wanted := map[keptKey]bool{}
	var inds, fns []string
	for _, dq := range qs {
		k := keptKey{dq.Indicator, aggregateFunction(dq.Aggregation)}
		if !slices.Contains(inds, k.indicator) {
			inds = append(inds, k.indicator)
		}
		if !slices.Contains(fns, k.aggregate) {
			fns = append(fns, k.aggregate)
		}
		wanted[k] = true
	}
	where := anyOf(params, TagIndicator, "i", inds) + ` AND time >= $start AND time < $end`
	ofFn := " AND " + anyOf(params, tagAggregate, "a", fns)
	queries := []string{
		fmt.Sprintf(`SELECT %s FROM %s WHERE %s GROUP BY %s`, QuoteIdent(fieldNonce), QuoteIdent(MeasurementRollupMark), where, QuoteIdent(TagIndicator)),
		fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s GROUP BY %s, %s`, QuoteIdent(fieldMark), QuoteIdent(fieldRows), QuoteIdent(MeasurementRollupStamp),
			where+ofFn, QuoteIdent(TagIndicator), QuoteIdent(tagAggregate)),
	}
	answers := make([][]Series, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i, q := range queries {
		wg.Go(func() { answers[i], errs[i] = s.Query(ctx, q, params) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("reading the kept daily figures of %d series: %w", len(qs), err)
	}
	marks := map[string]map[int64]string{}
	for _, sr := range answers[0] {
		marks[sr.Tags[TagIndicator]] = timedStrings(sr, marks[sr.Tags[TagIndicator]])
	}
	out := make(map[keptKey]keptState, len(wanted))
	for k := range wanted {
		m := marks[k.indicator]
		if m == nil {
			m = map[int64]string{}
		}
		out[k] = keptState{marks: m, stamps: map[int64]string{}}
	}
	// The rows after the stamps: a stamp is written once every row of
	// its computation is, so rows read later include them all (or their
	// replacements by a computation of another mark, which shows). Only
	// the indicators with a stamp counting rows: one without data has
	// none to read.
	var withRows []string
	for _, sr := range answers[1] {
		k := keptKey{sr.Tags[TagIndicator], sr.Tags[tagAggregate]}
		if !wanted[k] {
			continue
		}
		st := out[k]
		st.stamps = timedStrings(sr, st.stamps)
		out[k] = st
		if stampsCountRows([]Series{sr}) && !slices.Contains(withRows, k.indicator) {
			withRows = append(withRows, k.indicator)
		}
	}
	if len(withRows) == 0 {
		return out, nil
	}
	rowParams := map[string]any{"start": params["start"], "end": params["end"]}
	q := fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s AND time >= $start AND time < $end AND %s GROUP BY %s, %s, %s`,
		QuoteIdent(fieldMark), QuoteIdent(fieldDays), QuoteIdent(MeasurementRollupMonth),
		anyOf(rowParams, TagIndicator, "i", withRows), anyOf(rowParams, tagAggregate, "a", fns),
		QuoteIdent(TagIndicator), QuoteIdent(tagAggregate), QuoteIdent(TagEntity))
	// In two halves at once: InfluxDB answers a query on one core.
	rows, err := s.queryHalves(ctx, q, rowParams, start, end)
	if err != nil {
		return nil, fmt.Errorf("reading the kept daily figures of %d series: %w", len(qs), err)
	}
	for _, sr := range joinHalves(rows) {
		k := keptKey{sr.Tags[TagIndicator], sr.Tags[tagAggregate]}
		if !wanted[k] {
			continue
		}
		st := out[k]
		st.rows = append(st.rows, keptRows(sr, k.indicator)...)
		out[k] = st
	}
	return out, nil
}

// timedStrings adds a series' rows of (time, string) to m by Unix time.
func timedStrings(sr Series, m map[int64]string) map[int64]string {
	if m == nil {
		m = map[int64]string{}
	}
	for _, row := range sr.Values {
		if ts, ok := Float(row[0]); ok && len(row) >= 2 {
			m[int64(ts)], _ = row[1].(string)
		}
	}
	return m
}

// keptRows reads a series of rollup_month rows (time, mark, days).
func keptRows(sr Series, indicator string) []keptMonth {
	var out []keptMonth
	for _, row := range sr.Values {
		ts, ok := Float(row[0])
		if !ok || len(row) < 3 {
			continue
		}
		k := keptMonth{month: time.Unix(int64(ts), 0).In(models.Shanghai)}
		k.mark, _ = row[1].(string)
		packed, isString := row[2].(string)
		days, err := unpackDays(packed, k.month, indicator, sr.Tags[TagEntity])
		k.days, k.readable = days, isString && err == nil
		out = append(out, k)
	}
	return out
}

// stampsCountRows reports whether any stamp read says its month had rows
// (or does not say).
func stampsCountRows(stamps []Series) bool {
	for _, sr := range stamps {
		for _, row := range sr.Values {
			if n, ok := Float(row[len(row)-1]); !ok || n > 0 {
				return true
			}
		}
	}
	return false
}

// packDays writes an entity's daily figures of one month as the days
// field: "day:value:hours" per day, ";" between days, then ":demo" for a
// day with a demo hour and ":n<count>" for one with negative hours. Values
// are written so that they read back exactly (shortest round-trip form).
func packDays(days []models.DailyFigure) string {
	var b []byte
	for i, d := range days {
		if i > 0 {
			b = append(b, ';')
		}
		b = strconv.AppendInt(b, int64(d.Time.In(models.Shanghai).Day()), 10)
		b = append(b, ':')
		b = strconv.AppendFloat(b, d.Value, 'g', -1, 64)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(d.Hours), 10)
		if d.Provider == models.ProviderDemo {
			b = append(b, ":demo"...)
		}
		if d.Negative > 0 {
			b = append(b, ":n"...)
			b = strconv.AppendInt(b, int64(d.Negative), 10)
		}
	}
	return string(b)
}

// unpackDays reads a days field written by packDays for the month
// starting at month.
func unpackDays(packed string, month time.Time, indicator, entity string) ([]models.DailyFigure, error) {
	if packed == "" {
		return nil, nil
	}
	out := make([]models.DailyFigure, 0, strings.Count(packed, ";")+1)
	for item := range strings.SplitSeq(packed, ";") {
		d, err := unpackDay(item, month)
		if err != nil {
			return nil, fmt.Errorf("kept day %q: %w", item, err)
		}
		d.Indicator, d.Entity = indicator, entity
		out = append(out, d)
	}
	return out, nil
}

func unpackDay(item string, month time.Time) (models.DailyFigure, error) {
	var parts [5]string
	n := 0
	for part := range strings.SplitSeq(item, ":") {
		if n == len(parts) {
			return models.DailyFigure{}, errors.New("want day:value:hours[:demo][:n<negative hours>]")
		}
		parts[n] = part
		n++
	}
	if n < 3 {
		return models.DailyFigure{}, errors.New("want day:value:hours[:demo][:n<negative hours>]")
	}
	day, err1 := strconv.Atoi(parts[0])
	v, err2 := strconv.ParseFloat(parts[1], 64)
	hours, err3 := strconv.Atoi(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return models.DailyFigure{}, err
	}
	t := month.AddDate(0, 0, day-1)
	if day < 1 || day > 31 || t.Month() != month.Month() {
		return models.DailyFigure{}, fmt.Errorf("day %d outside %s", day, month.Format("2006-01"))
	}
	d := models.DailyFigure{Observation: models.Observation{Time: t, Value: v}, Hours: hours}
	flags := parts[3:n]
	if len(flags) > 0 && flags[0] == "demo" {
		d.Provider = models.ProviderDemo
		flags = flags[1:]
	}
	if len(flags) > 0 {
		k, ok := strings.CutPrefix(flags[0], "n")
		neg, err := strconv.Atoi(k)
		if !ok || err != nil || neg < 1 || len(flags) > 1 {
			return models.DailyFigure{}, fmt.Errorf("flags %q: want [demo][:n<negative hours>]", strings.Join(parts[3:n], ":"))
		}
		d.Negative = neg
	}
	return d, nil
}

// rollupWriteSize is the number of lines per write request of rollups.
const rollupWriteSize = 5000

// writeKept stores the recomputed months of range r, one row per entity
// and month with the mark of its month read before the aggregation, then
// the stamps of every month of r (with or without figures) with the same
// marks: a stamp is written only once all its rows are.
func (s *Store) writeKept(ctx context.Context, indicator, fn string, days []models.DailyFigure, r [2]time.Time, marks map[int64]string) error {
	type row struct {
		entity string
		month  int64
	}
	byRow := map[row][]models.DailyFigure{}
	var order []row
	for _, d := range days {
		k := row{d.Entity, localMonthStart(d.Time).Unix()}
		if _, ok := byRow[k]; !ok {
			order = append(order, k)
		}
		byRow[k] = append(byRow[k], d)
	}
	ind := string(appendEscaped(nil, indicator, tagEscapes))
	rows := map[int64]int{}
	lines := make([]string, 0, len(order))
	for _, k := range order {
		ds := byRow[k]
		sort.Slice(ds, func(i, j int) bool { return ds[i].Time.Before(ds[j].Time) })
		b := []byte(MeasurementRollupMonth + "," + tagAggregate + "=" + fn)
		if k.entity != "" { // the district's own figures have no entity (§1)
			b = append(b, ","+TagEntity+"="...)
			b = appendEscaped(b, k.entity, tagEscapes)
		}
		b = append(b, ","+TagIndicator+"="+ind+" "+fieldDays+"=\""...)
		b = append(b, packDays(ds)...)
		b = append(b, "\","+fieldMark+"=\""+markOf(marks, time.Unix(k.month, 0))+"\" "...)
		b = strconv.AppendInt(b, k.month, 10)
		lines = append(lines, string(b))
		rows[k.month]++
	}
	if err := s.writeChunked(ctx, lines); err != nil {
		return err
	}
	var stamps []string
	for m := r[0]; m.Before(r[1]); m = m.AddDate(0, 1, 0) {
		stamps = append(stamps, fmt.Sprintf("%s,%s=%s,%s=%s %s=%q,%s=%d %d", MeasurementRollupStamp, tagAggregate, fn, TagIndicator, ind,
			fieldMark, markOf(marks, m), fieldRows, rows[m.Unix()], m.Unix()))
	}
	return s.writeChunked(ctx, stamps)
}

func (s *Store) writeChunked(ctx context.Context, lines []string) error {
	for lo := 0; lo < len(lines); lo += rollupWriteSize {
		if err := s.WriteLines(ctx, lines[lo:min(lo+rollupWriteSize, len(lines))]...); err != nil {
			return fmt.Errorf("writing kept daily figures: %w", err)
		}
	}
	return nil
}

// InvalidateKept makes every kept month stale, so that the next analysis
// aggregates them from the hours again: the way back to exact figures
// after hours were written to InfluxDB around greenmetrics (without
// marks). It writes a fresh mark for every month that has a stamp, so it
// needs only writes, which InfluxDB 1.8, 2.x and 3.x all take; the stale
// rows stay until they are overwritten. It returns the number of months
// marked.
func (s *Store) InvalidateKept(ctx context.Context) (int, error) {
	q := fmt.Sprintf(`SELECT %s FROM %s GROUP BY %s`, QuoteIdent(fieldMark), QuoteIdent(MeasurementRollupStamp), QuoteIdent(TagIndicator))
	series, err := s.Query(ctx, q, nil)
	if err != nil {
		return 0, fmt.Errorf("reading the stamps of the kept daily figures: %w", err)
	}
	nonce := fmt.Sprintf("%016x", rand.Uint64())
	seen := map[string]bool{}
	var lines []string
	for _, sr := range series {
		ind := string(appendEscaped(nil, sr.Tags[TagIndicator], tagEscapes))
		for _, row := range sr.Values {
			ts, ok := Float(row[0])
			if !ok {
				continue
			}
			if l := markLine(ind, nonce, int64(ts)); !seen[l] {
				seen[l] = true
				lines = append(lines, l)
			}
		}
	}
	if err := s.writeChunked(ctx, lines); err != nil {
		return 0, fmt.Errorf("marking the kept months stale: %w", err)
	}
	return len(lines), nil
}

// sortDaily orders daily figures by entity, then time; what is kept and
// read back mostly comes in that order already.
func sortDaily(days []models.DailyFigure) {
	cmp := func(a, b models.DailyFigure) int {
		if c := strings.Compare(a.Entity, b.Entity); c != 0 {
			return c
		}
		return a.Time.Compare(b.Time)
	}
	if !slices.IsSortedFunc(days, cmp) {
		slices.SortStableFunc(days, cmp)
	}
}

// queryHalves asks q (with $start and $end in params) over the two halves
// of [start, end), split at a Shanghai month start, at once: InfluxDB
// answers one query on one core, and decoding the first half's answer
// overlaps the second.
func (s *Store) queryHalves(ctx context.Context, q string, params map[string]any, start, end time.Time) ([]Series, error) {
	mid := localMonthStart(start.Add(end.Sub(start) / 2))
	if !mid.After(start) || !mid.Before(end) {
		return s.Query(ctx, q, params)
	}
	halves := [][2]time.Time{{start, mid}, {mid, end}}
	answers := make([][]Series, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, h := range halves {
		p := maps.Clone(params)
		p["start"], p["end"] = h[0].UTC().Format(time.RFC3339), h[1].UTC().Format(time.RFC3339)
		wg.Go(func() { answers[i], errs[i] = s.Query(ctx, q, p) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return append(answers[0], answers[1]...), nil
}

// joinHalves joins the series of queryHalves' answer that have the same
// tags, the first half's rows first, so that each series' rows stay in
// time order and the series in the order InfluxDB gave them.
func joinHalves(series []Series) []Series {
	at := map[string]int{}
	var out []Series
	for _, sr := range series {
		key := fmt.Sprint(sr.Tags)
		if i, ok := at[key]; ok {
			out[i].Values = append(out[i].Values, sr.Values...)
			continue
		}
		at[key] = len(out)
		out = append(out, sr)
	}
	return out
}
