package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Daily rollups written back, with exact invalidation (docs/schema.md §7).
//
// The write path marks what it changes: after InfluxDB has stored a spool
// batch and before the spool acknowledges it, the Sender writes one
// rollup_mark point per (indicator, Shanghai day) the batch's figures
// touch (MarkLines), carrying a fresh random nonce. DailyAggregates keeps
// per (indicator, entity, day) the aggregate the engine reads
// (rollup_day) and per (indicator, day) the nonce it was computed after
// (rollup_stamp). A day whose stamp differs from its mark (or that has no
// stamp) is aggregated from the hours again, with the nonce read before
// the aggregation; every other day is read from its rollup.

// Measurements of the daily rollups.
const (
	MeasurementRollupMark  = "rollup_mark"
	MeasurementRollupDay   = "rollup_day"
	MeasurementRollupStamp = "rollup_stamp"
)

// Fields of the rollup measurements.
const (
	fieldNonce = "nonce"
	fieldMark  = "mark"
	fieldHours = "hours"
	fieldDemo  = "demo"
	fieldRows  = "rows"
	// tagAggregate names the aggregate (mean, sum, last) of a rollup, so
	// that each has its own rollups and stamps.
	tagAggregate = "aggregate"
)

// unmarked is the stamp of a day computed while it had no mark: its
// figures were all written before marks existed. A nonce is 16 hex
// digits, so it never equals unmarked.
const unmarked = "none"

// MarkLines returns the rollup_mark lines for the figure lines among
// lines: one per indicator and Shanghai day, all with one fresh nonce.
// Lines of other measurements, and lines it cannot read, mark nothing (a
// line InfluxDB cannot read either is refused and stores nothing).
func MarkLines(lines []string) []string {
	type day struct {
		indicator string // as escaped in the line
		midnight  int64
	}
	seen := map[day]bool{}
	var out []string
	nonce := fmt.Sprintf("%016x", rand.Uint64())
	for _, l := range lines {
		ind, ts, ok := figureIndicatorTime(l)
		if !ok {
			continue
		}
		d := day{ind, localMidnight(time.Unix(ts, 0)).Unix()}
		if seen[d] {
			continue
		}
		seen[d] = true
		out = append(out, fmt.Sprintf("%s,%s=%s %s=%q %d", MeasurementRollupMark, TagIndicator, d.indicator, fieldNonce, nonce, d.midnight))
	}
	return out
}

// figureIndicatorTime reads the indicator tag (still escaped) and the
// timestamp (seconds) of a figure line.
func figureIndicatorTime(line string) (string, int64, bool) {
	prefix := MeasurementFigure + ","
	if !strings.HasPrefix(line, prefix) {
		return "", 0, false
	}
	// The series key ends at the first space not escaped.
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
	sp := strings.LastIndexByte(line, ' ')
	if end < 0 || sp <= end {
		return "", 0, false
	}
	ts, err := strconv.ParseInt(line[sp+1:], 10, 64)
	if err != nil {
		return "", 0, false
	}
	tags := line[len(prefix):end]
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

// rollupDays answers DailyAggregates for the whole Shanghai days [first,
// last) from the rollups, recomputing and writing back the days whose
// rollup is missing or older than their mark.
func (s *Store) rollupDays(ctx context.Context, q, fn, indicator string, first, last time.Time) ([]models.DailyFigure, error) {
	// The marks are read before any aggregation: a write landing after
	// this read leaves a newer mark, so the day is recomputed next time.
	// The stamps and rows are checked against the marks read, so they
	// may be read in either order with the marks; the rows must be read
	// after the stamps (readRollupState).
	st, err := s.readRollupState(ctx, indicator, fn, first, last)
	if err != nil {
		return nil, err
	}
	marks := st.marks
	// A day is current when its stamp and each of its rows carry its
	// mark: the stamp says every row of a computation was written, the
	// rows' marks that no computation of another mark overwrote one of
	// them since (two runs writing back at once).
	current := map[int64]bool{}
	for d := first; d.Before(last); d = d.AddDate(0, 0, 1) {
		if m, ok := st.stamps[d.Unix()]; ok && m == markOf(marks, d) {
			current[d.Unix()] = true
		}
	}
	for _, r := range st.rows {
		if r.mark != markOf(marks, r.Time) {
			delete(current, r.Time.Unix())
		}
	}
	var out []models.DailyFigure
	for _, r := range st.rows {
		if current[r.Time.Unix()] {
			out = append(out, r.DailyFigure)
		}
	}
	var stale [][2]time.Time
	for d := first; d.Before(last); d = d.AddDate(0, 0, 1) {
		if !current[d.Unix()] {
			stale = addDay(stale, d)
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

// writeBack writes recomputed rollups while the caller goes on (Close
// waits for them). The result stands whether or not they are written: a
// failed write leaves the old stamp, so the days are computed again next
// time.
func (s *Store) writeBack(ctx context.Context, indicator, fn string, days []models.DailyFigure, r [2]time.Time, marks map[int64]string) {
	ctx = context.WithoutCancel(ctx)
	s.rollupWrites.Go(func() { _ = s.writeRollups(ctx, indicator, fn, days, r, marks) })
}

// maxGapDays is the widest run of fresh days a recomputation spans rather
// than splitting it in two queries: recomputing a fresh day is exact,
// only slower, and each query costs a round trip.
const maxGapDays = 14

// addDay adds day d to the stale ranges, merging it into the last one
// when the gap is small.
func addDay(ranges [][2]time.Time, d time.Time) [][2]time.Time {
	next := d.AddDate(0, 0, 1)
	if n := len(ranges); n > 0 && !d.After(ranges[n-1][1].AddDate(0, 0, maxGapDays)) {
		ranges[n-1][1] = next
		return ranges
	}
	return append(ranges, [2]time.Time{d, next})
}

// markOf is the mark of day d: its nonce, or unmarked.
func markOf(marks map[int64]string, d time.Time) string {
	if m := marks[d.Unix()]; m != "" {
		return m
	}
	return unmarked
}

// rolledDay is a stored rollup with the mark it was computed after.
type rolledDay struct {
	models.DailyFigure
	mark string
}

// rollupState is what is stored of one indicator's aggregate over a span
// of days: the marks, the stamps (the mark each day was computed after)
// and the rows, by day start.
type rollupState struct {
	marks, stamps map[int64]string
	rows          []rolledDay
}

// readRollupState reads the marks of indicator and the stamps and rows of
// its aggregate fn in [start, end): the marks and stamps at once, then the
// rows (one query over the three measurements takes longer).
func (s *Store) readRollupState(ctx context.Context, indicator, fn string, start, end time.Time) (rollupState, error) {
	params := map[string]any{"indicator": indicator, "aggregate": fn,
		"start": start.UTC().Format(time.RFC3339), "end": end.UTC().Format(time.RFC3339)}
	where := fmt.Sprintf(`%s = $indicator AND time >= $start AND time < $end`, QuoteIdent(TagIndicator))
	ofFn := fmt.Sprintf(` AND %s = $aggregate`, QuoteIdent(tagAggregate))
	queries := []string{
		fmt.Sprintf(`SELECT %s FROM %s WHERE %s`, QuoteIdent(fieldNonce), QuoteIdent(MeasurementRollupMark), where),
		fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s`, QuoteIdent(fieldMark), QuoteIdent(fieldRows), QuoteIdent(MeasurementRollupStamp), where+ofFn),
		fmt.Sprintf(`SELECT %s, %s, %s, %s FROM %s WHERE %s GROUP BY %s`, QuoteIdent(fieldMark), QuoteIdent(FieldValue),
			QuoteIdent(fieldHours), QuoteIdent(fieldDemo), QuoteIdent(MeasurementRollupDay), where+ofFn, QuoteIdent(TagEntity)),
	}
	answers := make([][]Series, len(queries))
	errs := make([]error, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries[:2] {
		wg.Go(func() { answers[i], errs[i] = s.Query(ctx, q, params) })
	}
	wg.Wait()
	// The rows after the stamps: a stamp is written once every row of
	// its computation is, so rows read later include them all (or their
	// replacements by a computation of another mark, which shows). No
	// stamp counting rows (an indicator without data): nothing to read.
	if errs[0] == nil && errs[1] == nil && stampsCountRows(answers[1]) {
		answers[2], errs[2] = s.queryHalves(ctx, queries[2], params, start, end)
	}
	if err := errors.Join(errs...); err != nil {
		return rollupState{}, fmt.Errorf("reading the daily rollups of %s: %w", indicator, err)
	}
	st := rollupState{marks: map[int64]string{}, stamps: map[int64]string{}}
	for i, byTime := range []map[int64]string{st.marks, st.stamps} {
		for _, sr := range answers[i] {
			for _, row := range sr.Values {
				if ts, ok := Float(row[0]); ok && len(row) >= 2 {
					byTime[int64(ts)], _ = row[1].(string)
				}
			}
		}
	}
	for _, sr := range answers[2] {
		for _, row := range sr.Values {
			if len(row) < 5 {
				continue
			}
			ts, ok1 := Float(row[0])
			v, ok2 := Float(row[2])
			n, ok3 := Float(row[3])
			demo, _ := Float(row[4])
			if !ok1 || !ok2 || !ok3 {
				continue
			}
			d := rolledDay{DailyFigure: models.DailyFigure{Observation: models.Observation{Time: time.Unix(int64(ts), 0).In(models.Shanghai),
				Indicator: indicator, Entity: sr.Tags[TagEntity], Value: v}, Hours: int(n)}}
			d.mark, _ = row[1].(string)
			if demo != 0 {
				d.Provider = models.ProviderDemo
			}
			st.rows = append(st.rows, d)
		}
	}
	return st, nil
}

// queryHalves asks q (with $start and $end) over the two halves of [start,
// end), split at a Shanghai midnight, at once: InfluxDB answers one query
// on one core, and decoding the first half's answer overlaps the second.
func (s *Store) queryHalves(ctx context.Context, q string, params map[string]any, start, end time.Time) ([]Series, error) {
	mid := localMidnight(start.Add(end.Sub(start) / 2))
	if !mid.After(start) || !mid.Before(end) {
		return s.Query(ctx, q, params)
	}
	halves := [][2]time.Time{{start, mid}, {mid, end}}
	answers := make([][]Series, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, h := range halves {
		p := make(map[string]any, len(params))
		for k, v := range params {
			p[k] = v
		}
		p["start"], p["end"] = h[0].UTC().Format(time.RFC3339), h[1].UTC().Format(time.RFC3339)
		wg.Go(func() { answers[i], errs[i] = s.Query(ctx, q, p) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return append(answers[0], answers[1]...), nil
}

// stampsCountRows reports whether any stamp read says its day had rows
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

// rollupWriteSize is the number of lines per write request of rollups.
const rollupWriteSize = 5000

// writeRollups stores the recomputed days of range r, each with the mark
// of its day read before the aggregation, then the stamps of every day of
// r (with or without figures) with the same marks: a stamp is written only
// once all its rows are.
func (s *Store) writeRollups(ctx context.Context, indicator, fn string, days []models.DailyFigure, r [2]time.Time, marks map[int64]string) error {
	ind := string(appendEscaped(nil, indicator, tagEscapes))
	lines := make([]string, 0, len(days))
	for _, d := range days {
		b := []byte(MeasurementRollupDay + "," + tagAggregate + "=" + fn)
		if d.Entity != "" { // the district's own figures have no entity (§1)
			b = append(b, ","+TagEntity+"="...)
			b = appendEscaped(b, d.Entity, tagEscapes)
		}
		b = append(b, ","+TagIndicator+"="+ind+" "+FieldValue+"="...)
		b = appendFloat(b, d.Value)
		b = append(b, ","+fieldHours+"="...)
		b = appendFloat(b, float64(d.Hours))
		demo := 0.0
		if d.Provider == models.ProviderDemo {
			demo = 1
		}
		b = append(b, ","+fieldDemo+"="...)
		b = appendFloat(b, demo)
		b = append(b, ","+fieldMark+"=\""+markOf(marks, d.Time)+"\" "...)
		b = strconv.AppendInt(b, d.Time.Unix(), 10)
		lines = append(lines, string(b))
	}
	if err := s.writeChunked(ctx, lines); err != nil {
		return err
	}
	rows := map[int64]int{}
	for _, d := range days {
		rows[d.Time.Unix()]++
	}
	var stamps []string
	for d := r[0]; d.Before(r[1]); d = d.AddDate(0, 0, 1) {
		stamps = append(stamps, fmt.Sprintf("%s,%s=%s,%s=%s %s=%q,%s=%d %d", MeasurementRollupStamp, tagAggregate, fn, TagIndicator, ind,
			fieldMark, markOf(marks, d), fieldRows, rows[d.Unix()], d.Unix()))
	}
	return s.writeChunked(ctx, stamps)
}

func (s *Store) writeChunked(ctx context.Context, lines []string) error {
	for lo := 0; lo < len(lines); lo += rollupWriteSize {
		if err := s.WriteLines(ctx, lines[lo:min(lo+rollupWriteSize, len(lines))]...); err != nil {
			return fmt.Errorf("writing daily rollups: %w", err)
		}
	}
	return nil
}

// DropRollups deletes the stored daily rollups and their stamps, so that
// the next analysis aggregates every day from the hours again: the way
// back to exact rollups after figures were written around greenmetrics
// (straight to InfluxDB, without marks). The marks stay.
func (s *Store) DropRollups(ctx context.Context) error {
	for _, m := range []string{MeasurementRollupStamp, MeasurementRollupDay} {
		if _, err := s.do(ctx, http.MethodPost, "DROP MEASUREMENT "+QuoteIdent(m), nil); err != nil {
			return fmt.Errorf("dropping %s: %w", m, err)
		}
	}
	return nil
}

// sortDaily orders daily figures by entity, then time.
func sortDaily(days []models.DailyFigure) {
	sort.SliceStable(days, func(i, j int) bool {
		if days[i].Entity != days[j].Entity {
			return days[i].Entity < days[j].Entity
		}
		return days[i].Time.Before(days[j].Time)
	})
}
