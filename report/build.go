package report

import (
	"context"
	"errors"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
)

// Input is what one month's report is computed from.
type Input struct {
	Month Month
	Lang  Lang
	// Final, when set, is a snapshot of a closed year (the month's own
	// year in December, the prior year in the first months of a year):
	// its targets' final results become the report's 全年完成情况.
	Final *metrics.Snapshot
	// Snapshot is the analysis engine's result as of Month.End(): progress,
	// forecasts, trends, latest figures, water standings and the period
	// series behind 本期值, 环比, 同比, the charts, the reference rows and
	// the station table. The report reads no history of its own.
	Snapshot *metrics.Snapshot
	// Indicators is the catalogue; empty means Snapshot.Indicators.
	Indicators []models.Indicator
	// RejectDir is the rejection log's directory (ingest/rejectlog); empty
	// leaves the rejected-rows part of the data-quality section empty.
	RejectDir string
	// Revisions are the month's superseding writes from the revision
	// ledger, listed in the data-quality section.
	Revisions []Revision
	// StaleGrace is added to a reporting period before an indicator counts
	// as stale; zero means 7 days.
	StaleGrace time.Duration
	// Alpha is the significance level of trend tests; zero means 0.05.
	Alpha float64
	// Now stamps GeneratedAt; nil means time.Now.
	Now func() time.Time
}

// ErrNoSnapshot is Build's error without a snapshot.
var ErrNoSnapshot = errors.New("report: no snapshot")

// maxReferenceEntities bounds the rows one reference indicator adds, so a
// per-province series does not flood its section.
const maxReferenceEntities = 6

// maxChartsPerSection keeps the charts of a section to what a page holds.
const maxChartsPerSection = 8

// Build computes the report of in.Month from its snapshot; it reads
// nothing else but the rejection log, whose absence is reported in the
// data-quality section. ctx is kept for callers that cancel.
func Build(_ context.Context, in Input) (*Report, error) {
	if in.Snapshot == nil {
		return nil, ErrNoSnapshot
	}
	b := newBuilder(in)
	b.indicatorRows()
	b.stations()
	b.airAssessment()
	b.water()
	b.quality()
	b.rep.Counts = countStatuses(b.rep.Sections)
	b.rep.Summary = summarize(b.rep, b.lang)
	if in.Final != nil {
		b.rep.Final = finalResults(in.Final)
		b.rep.Summary = append(b.rep.Summary, finalSummary(b.rep.Final, b.lang))
	}
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
	// latest indexes the snapshot's newest figure times before asOf.
	latest map[figureKey]time.Time
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

// series is the snapshot's district series of code as known at the end
// of the month (the snapshot may be newer than the report).
func (b *builder) series(ind models.Indicator) models.Series {
	s, ok := b.snap.Series[ind.Code]
	if !ok {
		return models.Series{Kind: ind.Kind, Aggregation: ind.Aggregation, Frequency: ind.Frequency}
	}
	return s.Until(b.asOf)
}

// indicatorRows fills the sections' tables and charts: one row per
// district-wide indicator with data or a target, and labelled reference
// rows for per-entity series other than water sections and air stations.
func (b *builder) indicatorRows() {
	for _, ind := range b.inds {
		switch ind.Entity {
		case "section", "station":
			// Water parameters belong to the water standings and station
			// series to the station table.
			continue
		}
		si := sectionFor(ind.Domain)
		if ind.Entity != "" {
			b.referenceRows(si, ind, b.snap.EntitySeries[ind.Code])
			continue
		}
		s := b.series(ind)
		if last := s.LastTime(); !last.IsZero() {
			b.last[ind.Code] = last
		}
		if s.Empty() && !b.hasTarget(ind) && !b.hasProgress(ind.Code) {
			continue
		}
		row := b.row(ind, "", s)
		b.applyProgress(&row, ind)
		sec := &b.rep.Sections[si]
		sec.Rows = append(sec.Rows, row)
		if c, ok := b.chart(ind, row, s); ok && len(sec.Charts) < maxChartsPerSection {
			sec.Charts = append(sec.Charts, c)
		}
	}
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

// row takes 本期值, 环比, 同比 and 累计 from the series (models.Series).
func (b *builder) row(ind models.Indicator, entity string, s models.Series) Row {
	c := s.ChangesAt(rowPeriod(s, b.month))
	ytd := s.YearToDate(b.year, b.asOf)
	r := Row{
		Code: ind.Code, Entity: entity, Name: name(ind, b.lang), Unit: ind.Unit,
		DisplayUnit: ind.DisplayUnit, Kind: ind.Kind, Direction: string(ind.Direction),
		Aggregation: string(ind.Aggregation), Frequency: string(ind.Frequency),
		Period: c.Period.Label(), Value: Num(c.Value), Prev: Num(c.Prev), YearAgo: Num(c.YearAgo),
		MoM: Num(c.MoM), YoY: Num(c.YoY), ChangeInPoints: ind.Kind == models.KindRatio,
		YTD:    Num(ytd.Value),
		YTDYoY: NaN(), SinceYearStart: NaN(),
		Target: NaN(), Completion: NaN(), Progress: NaN(),
		PriorYearPeriod: !c.Period.Start.IsZero() && c.Period.Start.In(models.Shanghai).Year() < b.year,
		Projected:       NaN(), ProbabilityMeet: NaN(),
		Demo: c.Demo || ytd.Demo,
	}
	r.LastObservation = b.latestBefore(ind.Code, entity, s.LastTime())
	r.Trend = b.trend(ind.Code, entity)
	return r
}

// applyProgress takes 累计, target, 完成率, 序时进度 and status from the
// engine's snapshot, which the exporter and alerts also use, so the report
// never disagrees with them; without a snapshot entry the status says why.
func (b *builder) applyProgress(r *Row, ind models.Indicator) {
	if b.hasTarget(ind) {
		r.TargetText = ind.Target.Text
		if ind.Target.Kind == models.TargetAbsolute && !ind.Target.MultiYear() {
			r.Target = Num(ind.Target.Value)
		}
		r.TargetPlan, r.TargetDemo = ind.Target.Plan.PlanName, ind.Target.Plan.Demo
		if r.TargetDemo && r.TargetText != "" {
			// An illustrative plan's target is never to be quoted as the
			// district's: marked wherever it shows.
			r.TargetText += map[Lang]string{LangZh: "（演示）", LangEn: " (demo)"}[b.lang]
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
		r.CompletionBasis = p.CompletionBasis
		if !math.IsNaN(p.TimeProgress) && !math.IsNaN(p.Pace) {
			// One 序时进度 in the report: the one the status compared the
			// pace with; a level or ratio has none.
			r.Progress = Num(p.TimeProgress)
		}
		r.Status = p.Status
		r.StatusText = progressStatusText(p, b.lang)
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
	if r.StatusText == "" {
		r.StatusText = statusText(r.Status, b.lang)
	}
	if b.hasTarget(ind) {
		r.TargetLabel = targetLabel(*ind.Target, *r, b.lang)
	}
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
		rs, wp := Num(t.Rs), Num(t.Wp)
		if t.Spearman22 == "" {
			rs, wp = NaN(), NaN()
		}
		return &Trend{
			Method: t.Method, Direction: t.Direction, SlopePerYear: Num(t.SlopePerYear),
			P: Num(t.P), Significant: !math.IsNaN(t.P) && t.P < b.in.Alpha, N: t.N,
			Spearman22: t.Spearman22, Rs: rs, Wp: wp,
		}
	}
	return nil
}

// referenceRows adds one row per entity of a per-entity series (national
// green loans, exchange prices, provincial CO2), labelled with the
// entity's level, at most maxReferenceEntities: the district first, then
// Beijing, then by level (widest first) and name. They are context: never
// summed into the district's figures.
func (b *builder) referenceRows(si int, ind models.Indicator, byEntity map[string]models.Series) {
	type ref struct {
		name  string
		level models.Level
		s     models.Series
	}
	refs := make([]ref, 0, len(byEntity))
	for e, s := range byEntity {
		if s = s.Until(b.asOf); !s.Empty() {
			refs = append(refs, ref{e, b.snap.Scope.LevelOf(e, ind.Entity), s})
		}
	}
	sort.Slice(refs, func(i, j int) bool {
		ri, rj := refRank(refs[i].name, refs[i].level), refRank(refs[j].name, refs[j].level)
		if ri != rj {
			return ri < rj
		}
		return refs[i].name < refs[j].name
	})
	sec := &b.rep.Sections[si]
	for i, rf := range refs {
		if i >= maxReferenceEntities {
			sec.Omitted += len(refs) - i
			break
		}
		r := b.row(ind, rf.name, rf.s)
		r.Level = rf.level
		r.Status = models.StatusNoTarget
		r.StatusText = statusText(r.Status, b.lang)
		r.Stale = isStale(r.LastObservation, models.Frequency(r.Frequency), b.asOf, b.in.StaleGrace)
		sec.Reference = append(sec.Reference, r)
	}
}

// refRank orders reference entities: the district, local (Beijing), then
// by level from the widest.
func refRank(entity string, l models.Level) int {
	switch {
	case l == models.LevelDistrict:
		return 0
	case isLocal(entity):
		return 1
	}
	for i, x := range models.Levels {
		if x == l {
			return 2 + i
		}
	}
	return 2 + len(models.Levels)
}

func isLocal(entity string) bool {
	e := strings.ToLower(entity)
	return strings.Contains(e, "北京") || strings.Contains(e, "通州") || strings.Contains(e, "beijing") || strings.Contains(e, "tongzhou")
}
