package report

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// History reads stored observations. *store.Store satisfies it; tests use
// a slice in memory.
type History interface {
	Observations(ctx context.Context, f store.Filter) ([]models.Observation, error)
}

// Input is what one month's report is computed from.
type Input struct {
	Month Month
	Lang  Lang
	// Snapshot is the analysis engine's result as of Month.End(): progress,
	// forecasts, trends, latest observations and water standings.
	Snapshot *metrics.Snapshot
	// History gives the series behind 本月值, 环比, 同比 and the charts.
	History History
	// Indicators is the catalogue; empty means Snapshot.Indicators.
	Indicators []models.Indicator
	// RejectDir is the rejection log's directory (ingest/rejectlog); empty
	// leaves the rejected-rows part of the data-quality section empty.
	RejectDir string
	// StaleGrace is added to a reporting period before an indicator counts
	// as stale; zero means 7 days.
	StaleGrace time.Duration
	// Alpha is the significance level of trend tests; zero means 0.05.
	Alpha float64
	// Now stamps GeneratedAt; nil means time.Now.
	Now func() time.Time
}

// Errors of Build.
var (
	ErrNoSnapshot = errors.New("report: no snapshot")
	ErrNoHistory  = errors.New("report: no history reader")
)

// maxReferenceEntities bounds the rows one reference indicator adds, so a
// per-province series does not flood its section.
const maxReferenceEntities = 6

// maxChartsPerSection keeps the charts of a section to what a page holds.
const maxChartsPerSection = 8

// Build computes the report of in.Month. It reads history through
// in.History and fails only when history cannot be read; a missing
// rejection log is reported in the data-quality section instead.
func Build(ctx context.Context, in Input) (*Report, error) {
	if in.Snapshot == nil {
		return nil, ErrNoSnapshot
	}
	if in.History == nil {
		return nil, ErrNoHistory
	}
	b := newBuilder(in)
	if err := b.indicatorRows(ctx); err != nil {
		return nil, err
	}
	if err := b.stations(ctx); err != nil {
		return nil, err
	}
	b.water()
	b.quality()
	b.rep.Counts = countStatuses(b.rep.Sections)
	b.rep.Summary = summarize(b.rep, b.lang)
	return b.rep, nil
}

type builder struct {
	in    Input
	lang  Lang
	l     labels
	month Month
	year  int
	asOf  time.Time
	snap  *metrics.Snapshot
	inds  []models.Indicator
	rep   *Report
	// last is the newest observation time of each district indicator.
	last map[string]time.Time
}

func newBuilder(in Input) *builder {
	if in.Lang == "" {
		in.Lang = LangZh
	}
	if in.StaleGrace <= 0 {
		in.StaleGrace = 7 * 24 * time.Hour
	}
	if in.Alpha <= 0 || in.Alpha >= 1 {
		in.Alpha = 0.05
	}
	if in.Now == nil {
		in.Now = time.Now
	}
	inds := in.Indicators
	if len(inds) == 0 {
		inds = in.Snapshot.Indicators
	}
	l := labelsFor(in.Lang)
	rep := &Report{
		Month:        in.Month,
		Lang:         in.Lang,
		Title:        l.Title,
		GeneratedAt:  in.Now().In(models.Shanghai).Truncate(time.Second),
		AsOf:         in.Month.End(),
		Year:         in.Month.Year,
		TimeProgress: Num(float64(in.Month.Index()) / 12),
	}
	for _, d := range sectionDefs {
		title := d.Zh
		if in.Lang == LangEn {
			title = d.En
		}
		rep.Sections = append(rep.Sections, Section{ID: d.ID, Title: title, Domains: d.Domains})
	}
	return &builder{
		in: in, lang: in.Lang, l: l, month: in.Month, year: in.Month.Year,
		asOf: in.Month.End(), snap: in.Snapshot, inds: inds, rep: rep,
		last: map[string]time.Time{},
	}
}

// historyStart is how far back series are read: two years before the
// report's year, so an annual figure's 同比 and January's 环比 (against
// December) are always within reach.
func (b *builder) historyStart() time.Time {
	return time.Date(b.year-2, time.January, 1, 0, 0, 0, 0, models.Shanghai)
}

func (b *builder) read(ctx context.Context, code string, from time.Time) ([]models.Observation, error) {
	obs, err := b.in.History.Observations(ctx, store.Filter{Indicator: code, Start: from, End: b.asOf})
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", b.month, err)
	}
	obs = b.withDerived(code, obs)
	// A reader may return more than asked; the report's data end at asOf.
	out := obs[:0:0]
	for _, o := range obs {
		if !o.Time.Before(from) && o.Time.Before(b.asOf) {
			out = append(out, o)
		}
	}
	return out, nil
}

// withDerived puts the snapshot's derived observations of code in place of
// the stored ones with the same entity and time. The report's engine run
// writes nothing, so without this a report made before the daemon's first
// analysis (make run's) would show the district water figures it has just
// computed as missing and stale.
func (b *builder) withDerived(code string, obs []models.Observation) []models.Observation {
	if b.snap == nil {
		return obs
	}
	type key struct {
		entity string
		t      int64
	}
	fresh := map[key]bool{}
	var add []models.Observation
	for _, d := range b.snap.Derived {
		if d.Indicator == code {
			fresh[key{d.Entity, d.Time.Unix()}] = true
			add = append(add, d)
		}
	}
	if len(add) == 0 {
		return obs
	}
	out := make([]models.Observation, 0, len(obs)+len(add))
	for _, o := range obs {
		if o.Provider == sourceDerived && fresh[key{o.Entity, o.Time.Unix()}] {
			continue
		}
		out = append(out, o)
	}
	return append(out, add...)
}

// indicatorRows fills the sections' tables and charts: one row per
// district-wide indicator with data or a target, and reference rows for
// per-entity series other than water sections and air stations.
func (b *builder) indicatorRows(ctx context.Context) error {
	for _, ind := range b.inds {
		switch ind.Entity {
		case "section", "station":
			// Water parameters belong to the water standings and station
			// series to the station table.
			continue
		}
		obs, err := b.read(ctx, ind.Code, b.historyStart())
		if err != nil {
			return err
		}
		si := sectionFor(ind.Domain)
		if ind.Entity != "" {
			b.referenceRows(si, ind, obs)
			continue
		}
		pts := mergeSources(obs)
		if len(pts) > 0 {
			b.last[ind.Code] = pts[len(pts)-1].T
		}
		if len(pts) == 0 && !b.hasTarget(ind) && !b.hasProgress(ind.Code) {
			continue
		}
		row := b.row(ind, "", pts)
		b.applyProgress(&row, ind)
		sec := &b.rep.Sections[si]
		sec.Rows = append(sec.Rows, row)
		if c, ok := b.chart(ind, row, pts); ok && len(sec.Charts) < maxChartsPerSection {
			sec.Charts = append(sec.Charts, c)
		}
	}
	return nil
}

func (b *builder) hasTarget(ind models.Indicator) bool {
	return ind.Target != nil && ind.Target.Year == b.year
}

func (b *builder) progress(code string) (models.Progress, bool) {
	p, ok := b.snap.Progress[code]
	return p, ok && p.Year == b.year
}

func (b *builder) hasProgress(code string) bool {
	_, ok := b.progress(code)
	return ok
}

// currentPeriod is the period a row reports: the report month for monthly
// and finer data; for quarterly and annual data the latest period with an
// observation (a quarter's figure arrives after the quarter ends).
func (b *builder) currentPeriod(freq models.Frequency, pts []point) period {
	cur := periodOf(freq, b.month.Start())
	if periodMonths(freq) == 1 || len(pts) == 0 {
		return cur
	}
	return periodOf(freq, pts[len(pts)-1].T)
}

// row computes 本期值, 环比, 同比 and 累计 from the series.
func (b *builder) row(ind models.Indicator, entity string, pts []point) Row {
	p := b.currentPeriod(ind.Frequency, pts)
	inPoints := ind.Kind == models.KindRatio || ind.Unit == "ratio"
	val := aggregate(within(pts, p.Start, p.End), ind.Aggregation)
	prev := math.NaN()
	if periodMonths(ind.Frequency) < 12 {
		pp := p.add(-1)
		prev = aggregate(within(pts, pp.Start, pp.End), ind.Aggregation)
	}
	ya := p.add(-12 / periodMonths(ind.Frequency))
	yearAgo := aggregate(within(pts, ya.Start, ya.End), ind.Aggregation)
	jan := time.Date(b.year, time.January, 1, 0, 0, 0, 0, models.Shanghai)
	r := Row{
		Code: ind.Code, Entity: entity, Name: name(ind, b.lang), Unit: ind.Unit,
		DisplayUnit: ind.DisplayUnit, Kind: ind.Kind, Direction: string(ind.Direction),
		Aggregation: string(ind.Aggregation), Frequency: string(ind.Frequency),
		Period: p.label(), Value: Num(val), Prev: Num(prev), YearAgo: Num(yearAgo),
		MoM: Num(change(val, prev, inPoints)), YoY: Num(change(val, yearAgo, inPoints)),
		ChangeInPoints: inPoints,
		YTD:            Num(aggregate(within(pts, jan, b.asOf), ind.Aggregation)),
		YTDYoY:         NaN(), SinceYearStart: NaN(),
		Target: NaN(), Completion: NaN(), Progress: b.rep.TimeProgress,
		Projected: NaN(), ProbabilityMeet: NaN(),
	}
	if len(pts) > 0 {
		r.LastObservation = pts[len(pts)-1].T
	}
	r.Trend = b.trend(ind.Code, entity)
	return r
}

// applyProgress takes 累计, target, 完成率, 序时进度 and status from the
// engine's snapshot, which the exporter and alerts also use, so the report
// never disagrees with them; without a snapshot entry the status says why.
func (b *builder) applyProgress(r *Row, ind models.Indicator) {
	if b.hasTarget(ind) {
		r.TargetText = ind.Target.Text
		if ind.Target.Kind == models.TargetAbsolute {
			r.Target = Num(ind.Target.Value)
		}
	}
	p, ok := b.progress(ind.Code)
	switch {
	case ok:
		r.YTD = Num(p.Actual)
		r.YTDYoY = Num(p.YTDYoY)
		r.SinceYearStart = Num(p.SinceYearStart)
		r.Target = Num(p.Target)
		r.Completion = Num(p.Completion)
		if !math.IsNaN(p.TimeProgress) {
			r.Progress = Num(p.TimeProgress)
		}
		r.Status = p.Status
	case b.hasTarget(ind) && ind.Target.Kind == models.TargetMunicipal:
		r.Status = models.StatusMunicipal
	case b.hasTarget(ind):
		r.Status = models.StatusNoData
	default:
		r.Status = models.StatusNoTarget
	}
	if r.Status == "" {
		r.Status = models.StatusNoTarget
	}
	r.StatusText = statusText(r.Status, b.lang)
	if f, ok := b.snap.Forecasts[ind.Code]; ok && f.Year == b.year {
		r.Projected = Num(f.Projected)
		r.ProbabilityMeet = Num(f.ProbabilityMeet)
	}
}

func (b *builder) trend(code, entity string) *Trend {
	for _, t := range b.snap.Trends {
		if t.Indicator != code || t.Entity != entity {
			continue
		}
		return &Trend{
			Method: t.Method, Direction: t.Direction, SlopePerYear: Num(t.SlopePerYear),
			P: Num(t.P), Significant: !math.IsNaN(t.P) && t.P < b.in.Alpha, N: t.N,
		}
	}
	return nil
}

// referenceRows adds one row per entity of a per-entity series (national
// green loans, exchange prices, provincial CO2), at most
// maxReferenceEntities, Beijing and Tongzhou first.
func (b *builder) referenceRows(si int, ind models.Indicator, obs []models.Observation) {
	byEntity := map[string][]models.Observation{}
	for _, o := range obs {
		byEntity[o.Entity] = append(byEntity[o.Entity], o)
	}
	entities := make([]string, 0, len(byEntity))
	for e := range byEntity {
		entities = append(entities, e)
	}
	sort.Slice(entities, func(i, j int) bool {
		li, lj := isLocal(entities[i]), isLocal(entities[j])
		if li != lj {
			return li
		}
		return entities[i] < entities[j]
	})
	sec := &b.rep.Sections[si]
	for i, e := range entities {
		if i >= maxReferenceEntities {
			sec.Omitted += len(entities) - i
			break
		}
		r := b.row(ind, e, mergeSources(byEntity[e]))
		r.Status = models.StatusNoTarget
		r.StatusText = statusText(r.Status, b.lang)
		r.Stale = isStale(r.LastObservation, models.Frequency(r.Frequency), b.asOf, b.in.StaleGrace)
		sec.Reference = append(sec.Reference, r)
	}
}

func isLocal(entity string) bool {
	e := strings.ToLower(entity)
	return strings.Contains(e, "北京") || strings.Contains(e, "通州") || strings.Contains(e, "beijing") || strings.Contains(e, "tongzhou")
}
