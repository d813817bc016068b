package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/analysis"
	"github.com/greenmetrics/greenmetrics/models/carbon"
	"github.com/greenmetrics/greenmetrics/models/water"
)

// HistoryReader is what the engine reads stored history through, in the
// terms of the domain: figures, and hourly series as daily aggregates.
// The query language and the measurement names stay with the store;
// *store.Store satisfies it. An error that cannot reach the history at all
// says so (UnreachableError), so that a run stops at the first.
type HistoryReader interface {
	// Observations returns the figures a query selects, one per entity
	// and period.
	Observations(ctx context.Context, q models.FigureQuery) ([]models.Observation, error)
	// DailyAggregates returns an hourly series as one figure per entity
	// and Shanghai day, aggregated by agg, with the hours behind each,
	// rather than hundreds of thousands of raw points per run.
	DailyAggregates(ctx context.Context, indicator string, agg models.Aggregation, start, end time.Time) ([]models.DailyFigure, error)
}

// ResultWriter is what the engine hands a run's results to, in the terms of
// the domain; how they are stored (points, measurements) is the writer's.
// *store.Store satisfies it. A failed write whose error is a RetryableError
// saying so is tried again, whole: writing the same results twice must
// leave one copy.
type ResultWriter interface {
	WriteResults(ctx context.Context, r analysis.Results) error
}

// UnreachableError is an error of a HistoryReader that knows whether the
// history could be reached at all (refused, timed out, no route); store's
// transport errors are.
type UnreachableError interface {
	error
	Unreachable() bool
}

// RetryableError is an error of a ResultWriter that knows whether the same
// write may succeed later (network trouble, throttling, a server error)
// and how long the server asked to wait; store's *WriteError is.
type RetryableError interface {
	error
	Retryable() bool
	Wait() time.Duration
}

// unreachable reports whether err says the history could not be reached.
func unreachable(err error) bool {
	var u UnreachableError
	return errors.As(err, &u) && u.Unreachable()
}

// Options configure an Engine. Indicators, Reader and a positive
// Analysis.Interval and Window are required; the rest have defaults.
type Options struct {
	// Indicators are the catalogue's definitions. With Plans set, each
	// run takes the targets and baselines of its year from the plans
	// (models.PlanSet.Apply); without, the indicators' own Target and
	// Baseline fields are used as they are.
	Indicators []models.Indicator
	Plans      *models.PlanSet
	Analysis   config.Analysis
	// Water lists the assessed sections whose standings are computed.
	Water config.Water
	// Scope says which figures are the district's (docs/progress.md §1):
	// district-wide indicators use the figures without entity, per-section
	// and per-station ones the configured sections and Scope.Stations, and
	// indicators measured per region, country or market only the entity
	// Scope names as the district. The zero Scope names no district entity
	// and no station.
	Scope config.Scope
	// Factors, when set, turns on carbon accounting: monthly co2_emissions
	// from the activity data and annual intensities (docs/carbon.md).
	// Selection chooses the factor per activity; nil means
	// carbon.DefaultEmissionSelection (config.Carbon.Selection gives the
	// configured one).
	Factors   *carbon.Table
	Selection carbon.Selection
	Reader    HistoryReader
	// Writer receives the results; nil computes without writing (the
	// progress command, reports).
	Writer ResultWriter
	// State receives every snapshot; nil publishes nowhere.
	State  *State
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TrendEntities bounds per-entity trends of indicators measured per
	// region, market or station (the busiest entities); sections are
	// bounded by Water instead. 0 means 5.
	TrendEntities int
	// WriteRetries is how many times a failed write is retried when the
	// error says it may succeed later; WriteRetryWait is the first pause,
	// doubled each time. 0 means 3 retries from 1 s.
	WriteRetries   int
	WriteRetryWait time.Duration
}

// Engine computes progress, trends, forecasts and water standings from
// stored history on a schedule, publishes them as a Snapshot and writes
// them back as derived measurements (docs/schema.md). It is safe for
// concurrent use; runs do not overlap.
type Engine struct {
	inds       []models.Indicator
	plans      *models.PlanSet
	analysis   config.Analysis
	sections   []water.SectionConfig
	factors    *carbon.Table
	selection  carbon.Selection
	reader     HistoryReader
	writer     ResultWriter
	state      *State
	log        *slog.Logger
	now        func() time.Time
	trendN     int
	retries    int
	retryWait  time.Duration
	mu         sync.Mutex // serialises runs
	waterCodes map[string]bool
	scope      Scope
}

// Errors of engine construction.
var (
	ErrNoReader     = errors.New("engine needs a reader")
	ErrNoIndicators = errors.New("engine needs the indicator catalogue")
)

// New checks the options and builds an engine.
func New(o Options) (*Engine, error) {
	if o.Reader == nil {
		return nil, ErrNoReader
	}
	if len(o.Indicators) == 0 {
		return nil, ErrNoIndicators
	}
	if o.Analysis.Interval <= 0 || o.Analysis.Window <= 0 || !(o.Analysis.Alpha > 0 && o.Analysis.Alpha < 1) {
		return nil, fmt.Errorf("analysis interval %v, window %v and alpha %v must be positive (alpha below 1)",
			o.Analysis.Interval, o.Analysis.Window, o.Analysis.Alpha)
	}
	sections, err := sectionConfigs(o.Water)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		inds: o.Indicators, plans: o.Plans, analysis: o.Analysis, sections: sections, factors: o.Factors, selection: o.Selection,
		reader: o.Reader, writer: o.Writer, state: o.State, log: o.Logger, now: o.Now,
		trendN: o.TrendEntities, retries: o.WriteRetries, retryWait: o.WriteRetryWait,
		waterCodes: map[string]bool{}, scope: scopeOf(o.Scope, o.Water),
	}
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.selection == nil {
		e.selection = carbon.DefaultEmissionSelection()
	}
	if e.trendN <= 0 {
		e.trendN = 5
	}
	if e.retries <= 0 {
		e.retries = 3
	}
	if e.retryWait <= 0 {
		e.retryWait = time.Second
	}
	for _, ind := range e.inds {
		if _, err := water.Lookup(ind.Code); err == nil && ind.Entity == "section" {
			e.waterCodes[ind.Code] = true
		}
	}
	return e, nil
}

// sectionConfigs turns the configured sections into evaluation settings.
func sectionConfigs(w config.Water) ([]water.SectionConfig, error) {
	out := make([]water.SectionConfig, 0, len(w.Sections))
	for _, s := range w.Sections {
		body := water.River
		if s.WaterBody != "" {
			b, err := water.ParseWaterBody(s.WaterBody)
			if err != nil {
				return nil, fmt.Errorf("water section %q: %w", s.Name, err)
			}
			body = b
		}
		c := water.SectionConfig{Name: s.Name, WaterBody: body, TargetClass: water.Class(s.TargetClass), Items: s.Items}
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("water section: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// Run computes a snapshot at once and then every Analysis.Interval until
// ctx is cancelled, and then returns nil. It starts no goroutines: the
// caller decides where it runs and stops it by cancelling ctx. A failed run
// is logged and the previous snapshot stays published; it is retried after
// runRetryWaits (10 s, 30 s, 1 min, 2 min, 5 min, then 10 min), never
// later than the interval, so that a start while InfluxDB is down gets its
// first snapshot to the exporter soon after InfluxDB is back.
func (e *Engine) Run(ctx context.Context) error {
	failures := 0
	for {
		start := e.now()
		wait := e.analysis.Interval
		_, err := e.RunOnce(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			wait = min(runRetryWaits[min(failures, len(runRetryWaits)-1)], e.analysis.Interval)
			failures++
			e.log.Error("analysis run failed", "failures", failures, "retry_in", wait, "err", err)
		default:
			failures = 0
			wait -= e.now().Sub(start)
			e.log.Debug("analysis run done", "took", e.now().Sub(start))
		}
		t := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// runRetryWaits are the waits after consecutive failed runs.
var runRetryWaits = []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute}

// RunOnce computes a snapshot as of now for the configured year
// (Analysis.Year, or the current year in Asia/Shanghai).
func (e *Engine) RunOnce(ctx context.Context) (*Snapshot, error) {
	return e.RunAt(ctx, e.now(), 0)
}

// RunAt computes a snapshot as of asOf for year (0: the configured year,
// else asOf's year in Asia/Shanghai), publishes it and writes the derived
// results. Reading errors fail the run before anything is published. A
// write error is returned with the snapshot, which is published anyway:
// the figures are right even if InfluxDB did not take them.
func (e *Engine) RunAt(ctx context.Context, asOf time.Time, year int) (*Snapshot, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	asOf = asOf.In(models.Shanghai).Truncate(time.Second)
	if year == 0 {
		year = e.analysis.Year
	}
	if year == 0 {
		year = asOf.Year()
	}
	inds := e.indicatorsFor(year)
	data, err := e.read(ctx, inds, year, asOf)
	if err != nil {
		return nil, err
	}
	snap, derived := e.compute(data, inds, year, asOf)
	if e.state != nil {
		e.state.Publish(snap)
	}
	if e.writer == nil {
		return snap, nil
	}
	if err := e.write(ctx, e.results(snap, derived, asOf)); err != nil {
		return snap, err
	}
	return snap, nil
}

// history is what one run read: per indicator, the figures of the window
// (hourly series as daily aggregates, with how many hours each stands for)
// and, for hourly series, the raw figures of the last days (for Latest).
type history struct {
	obs    map[string][]models.Observation
	counts map[string]figureCounts
	recent map[string][]models.Observation
	// unusual are, per hourly indicator, the days with a demo or a
	// negative hour (the air assessment reads their hours).
	unusual map[string]map[figureKey]bool
	from    time.Time
	air     airInput // the stations' raw hours (engine_air.go)
}

// hourlyRecent is how far back raw hourly observations are read for the
// latest values.
const hourlyRecent = 72 * time.Hour

// read loads the window: from the start of the prior year (for 同比, 环比
// across January and prior-year targets) or asOf − Window, whichever is
// earlier, through asOf. Quarterly and annual figures are read from two
// years back, so that the 同比 of the latest year or quarter with data (the
// report's 本期 for them) is within reach; they are few.
func (e *Engine) read(ctx context.Context, inds []models.Indicator, year int, asOf time.Time) (history, error) {
	from := yearStart(year - 1)
	if w := asOf.Add(-e.analysis.Window); w.Before(from) {
		from = yearStart(w.Year())
	}
	bases := baseYears(inds, year)
	end := asOf.Add(time.Second)
	h := history{obs: map[string][]models.Observation{}, counts: map[string]figureCounts{},
		recent: map[string][]models.Observation{}, unusual: map[string]map[figureKey]bool{}, from: from}
	var queries []figureRead
	var hourly []string
	for _, ind := range inds {
		start := from
		if ind.Frequency == models.FrequencyAnnual || ind.Frequency == models.FrequencyQuarterly {
			if y2 := yearStart(year - 2); y2.Before(from) {
				start = y2
			}
		}
		if b, ok := bases[ind.Code]; ok && yearStart(b).Before(start) {
			start = yearStart(b) // a plan's base year is measured from stored figures
		}
		if ind.Frequency == models.FrequencyHourly {
			hourly = append(hourly, ind.Code)
			queries = append(queries, figureRead{code: ind.Code, hourly: ind, q: models.FigureQuery{Start: start, End: end}})
			continue
		}
		queries = append(queries, figureRead{code: ind.Code, q: models.FigureQuery{Start: start, End: end, WithDerived: e.derives(ind.Code)}})
	}
	o3 := e.readO3Early(ctx, year, asOf)
	read, errs := e.readFigures(ctx, queries)
	if len(errs) == 0 && len(hourly) > 0 {
		// The raw hours of the last days, for the latest values.
		recent := make([]figureRead, len(hourly))
		for i, code := range hourly {
			recent[i] = figureRead{code: code, q: models.FigureQuery{Start: asOf.Add(-hourlyRecent), End: end}}
		}
		raw, rerrs := e.readFigures(ctx, recent)
		for code, r := range raw {
			h.recent[code] = r.obs
		}
		errs = append(errs, rerrs...)
	}
	for code, r := range read {
		h.obs[code] = r.obs
		if r.counts != nil {
			h.counts[code] = r.counts
			h.unusual[code] = r.unusual
		}
	}
	if len(errs) == 0 {
		if err := e.readAir(ctx, &h, year, asOf, o3); err != nil {
			errs = append(errs, err)
		}
	} else if _, err := o3.wait(); err != nil && !errors.Is(err, ctx.Err()) {
		errs = append(errs, fmt.Errorf("reading the stations' O₃ hours: %w", err))
	}
	if len(errs) > 0 {
		return history{}, errors.Join(errs...)
	}
	return h, nil
}

// figureRead is one indicator's read of a run: its figures over q's span,
// or, for an hourly indicator (hourly set), its daily aggregates.
type figureRead struct {
	code   string
	hourly models.Indicator
	q      models.FigureQuery
}

// figuresRead is what a figureRead got; for an hourly indicator, also
// the hours behind each day and the days with a demo or negative hour.
type figuresRead struct {
	obs     []models.Observation
	counts  figureCounts
	unusual map[figureKey]bool
}

// BatchReader is a HistoryReader that also reads the figures of several
// indicators in one query (*store.Store): InfluxDB opens every shard of a
// query's span, so a hundred indicators read one by one cost a hundred
// times that. ObservationsOf answers as Observations would for each
// indicator with q (q.Indicator ignored), by indicator.
type BatchReader interface {
	ObservationsOf(ctx context.Context, indicators []string, q models.FigureQuery) (map[string][]models.Observation, error)
}

// readFigures answers reads: the figures of indicators sharing a span in
// one query when the reader can (BatchReader), else one by one; hourly
// indicators as daily aggregates, sharing a span in one call when the
// reader can (DailyBatchReader), else one by one. It stops at the first error saying
// InfluxDB cannot be reached: a hundred more lines saying the same would
// bury it.
func (e *Engine) readFigures(ctx context.Context, reads []figureRead) (map[string]figuresRead, []error) {
	out := make(map[string]figuresRead, len(reads))
	var errs []error
	failed := func(what string, err error) bool {
		errs = append(errs, fmt.Errorf("reading %s: %w", what, err))
		return ctx.Err() != nil || unreachable(err)
	}
	batch, canBatch := e.reader.(BatchReader)
	type span struct {
		start, end  int64
		withDerived bool
	}
	groups := map[span][]string{}
	var order []span
	dailyBatch, canBatchDaily := e.reader.(DailyBatchReader)
	var hourly []figureRead
	for _, r := range reads {
		if r.hourly.Code != "" && canBatchDaily {
			hourly = append(hourly, r)
			continue
		}
		if r.hourly.Code != "" {
			days, err := e.dailyAggregates(ctx, r.hourly, r.q.Start, r.q.End)
			if err != nil {
				if failed(r.code, err) {
					return out, errs
				}
				continue
			}
			out[r.code] = days
			continue
		}
		if !canBatch {
			q := r.q
			q.Indicator = r.code
			obs, err := e.reader.Observations(ctx, q)
			if err != nil {
				if failed(r.code, err) {
					return out, errs
				}
				continue
			}
			out[r.code] = figuresRead{obs: obs}
			continue
		}
		k := span{r.q.Start.UnixNano(), r.q.End.UnixNano(), r.q.WithDerived}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r.code)
	}
	for i, days := range readDailyBatched(ctx, dailyBatch, hourly) {
		if days.err != nil {
			if failed(hourly[i].code, days.err) {
				return out, errs
			}
			continue
		}
		out[hourly[i].code] = days.figuresRead
	}
	for _, k := range order {
		codes := groups[k]
		got, err := batch.ObservationsOf(ctx, codes, models.FigureQuery{Start: time.Unix(0, k.start), End: time.Unix(0, k.end), WithDerived: k.withDerived})
		if err != nil {
			if failed(fmt.Sprintf("the figures of %d indicators (%s)", len(codes), strings.Join(codes[:min(len(codes), 3)], ", ")), err) {
				return out, errs
			}
			continue
		}
		for _, code := range codes {
			out[code] = figuresRead{obs: got[code]}
		}
	}
	return out, errs
}

// derives reports whether the engine derives figures of code itself, so
// that its reads include the measurement of derived figures (a reported
// figure of the same entity and period wins: models.FigureQuery.WithDerived).
func (e *Engine) derives(code string) bool {
	switch code {
	case CodeAssessedSections, CodeSectionsIVOrBetter, CodeSectionsIIIOrBetter, CodeWaterGoodRatio,
		CodeWaterInferiorVRatio, CodeWaterAttainmentRatio, CodeWaterClass,
		CodeCO2Emissions, CodeCarbonIntensity, CodeEnergyIntensity:
		return true
	}
	return derivesAir(code)
}

// dailyRead is one hourly indicator's answer.
type dailyRead struct {
	figuresRead
	err error
}

// DailyBatchReader is a HistoryReader that also reads several hourly
// series over one span at once (*store.Store: what it keeps of them in
// three queries rather than three each).
type DailyBatchReader interface {
	DailyAggregatesOf(ctx context.Context, qs []models.DailyQuery, start, end time.Time) ([][]models.DailyFigure, error)
}

// readDailyBatched reads the daily aggregates of the hourly reads through
// b, those sharing a span in one call, and answers in their order.
func readDailyBatched(ctx context.Context, b DailyBatchReader, reads []figureRead) []dailyRead {
	out := make([]dailyRead, len(reads))
	type span struct{ start, end int64 }
	groups := map[span][]int{}
	var order []span
	for i, r := range reads {
		k := span{r.q.Start.UnixNano(), r.q.End.UnixNano()}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	for _, k := range order {
		idx := groups[k]
		qs := make([]models.DailyQuery, len(idx))
		for j, i := range idx {
			qs[j] = models.DailyQuery{Indicator: reads[i].hourly.Code, Aggregation: reads[i].hourly.Aggregation}
		}
		days, err := b.DailyAggregatesOf(ctx, qs, reads[idx[0]].q.Start, reads[idx[0]].q.End)
		for j, i := range idx {
			if err != nil {
				out[i].err = err
				continue
			}
			out[i].figuresRead = figuresOfDays(days[j])
		}
	}
	return out
}

// dailyAggregates reads an hourly series as one value per entity and
// Shanghai day, aggregated as the catalogue says (mean, sum or last), with
// the number of hours behind it (store.DailyAggregates) and the days a
// mean of the hours cannot stand for in an HJ 663 assessment (a demo or a
// negative hour).
func (e *Engine) dailyAggregates(ctx context.Context, ind models.Indicator, from, end time.Time) (figuresRead, error) {
	days, err := e.reader.DailyAggregates(ctx, ind.Code, ind.Aggregation, from, end)
	if err != nil {
		return figuresRead{}, err
	}
	return figuresOfDays(days), nil
}

// figuresOfDays is an hourly series' days as the run keeps them: figures,
// the hours behind each, and the days with a demo or negative hour.
func figuresOfDays(days []models.DailyFigure) figuresRead {
	r := figuresRead{obs: make([]models.Observation, 0, len(days)), counts: make(figureCounts, len(days)), unusual: map[figureKey]bool{}}
	for _, d := range days {
		k := figureKey{d.Entity, d.Time.Unix()}
		if d.Hours > 0 {
			r.counts[k] = d.Hours
		}
		if d.Negative > 0 || models.IsDemoProvider(d.Provider) {
			r.unusual[k] = true
		}
		r.obs = append(r.obs, d.Observation)
	}
	return r
}

// compute builds the snapshot from what was read and returns it with the
// derived observations (district water figures, section classes, carbon
// accounts).
func (e *Engine) compute(h history, inds []models.Indicator, year int, asOf time.Time) (*Snapshot, derivedResults) {
	ws := e.waterStandings(h.obs, year, asOf)
	cr := e.carbonAccounts(h.obs, year, asOf)
	derived := derivedResults{water: ws, carbon: cr.lines,
		observations: append(append(ws.observations(e.indicatorSet()), cr.observations...), e.airObservations(h.air, year, asOf)...)}
	obs := mergeDerived(h.obs, derived.observations)
	snap := &Snapshot{
		GeneratedAt:  e.now(),
		Year:         year,
		Indicators:   inds,
		Progress:     map[string]models.Progress{},
		Forecasts:    map[string]models.Forecast{},
		Water:        ws.ytd,
		Derived:      derived.observations,
		Series:       map[string]models.Series{},
		EntitySeries: map[string]map[string]models.Series{},
		Scope:        e.scope.Scope,
	}
	finalAfter := e.analysis.FinalAfterMonths
	for _, ind := range inds {
		s := districtSeries(ind, obs[ind.Code], e.scope, h.counts[ind.Code])
		if !s.Empty() {
			snap.Series[ind.Code] = s
		}
		if ind.Entity != "" && ind.Entity != "section" && len(obs[ind.Code]) > 0 {
			snap.EntitySeries[ind.Code] = entityPeriods(ind, obs[ind.Code], h.counts[ind.Code], year)
		}
		if s.Empty() && (ind.Target == nil || ind.Target.Year != year) {
			continue
		}
		p := progressOf(ind, s, year, asOf)
		if v, ok := ws.districtActual(ind.Code); ok && p.Observations > 0 {
			// Class shares are recomputed on year-to-date mean
			// concentrations, not taken from the latest month.
			p.Actual = v
			settle(ind, &p)
		}
		if t := ind.Target; t != nil && t.Year == year && t.ConstantPrices {
			e.atConstantPrices(ind, obs, &p)
		}
		closeYear(&p, finalAfter)
		snap.Progress[ind.Code] = p
		if f, ok := e.forecast(ind, s, p, asOf); ok {
			snap.Forecasts[ind.Code] = f
		}
	}
	snap.Trends = e.trends(obs, snap.Series, h.counts, asOf)
	snap.Latest = latest(inds, obs, h.recent, asOf)
	return snap, derived
}

// entityPeriods are the per-entity series the snapshot keeps of a station
// or reference indicator: periods only, from two years back — what the
// report's station table and reference rows need (an annual figure's 同比),
// not the whole analysis window of every station.
func entityPeriods(ind models.Indicator, obs []models.Observation, counts figureCounts, year int) map[string]models.Series {
	// Only the figures of those years: a period's value is made of the
	// figures inside it, and the span's ends are year starts, which no
	// period straddles.
	from, to := yearStart(year-2), yearStart(year+1)
	kept := make([]models.Observation, 0, len(obs))
	for _, o := range obs {
		if !o.Time.Before(from) && o.Time.Before(to) {
			kept = append(kept, o)
		}
	}
	byEntity := entitySeries(ind, kept, counts)
	for name, es := range byEntity {
		byEntity[name] = es.PeriodsOnly().Between(from, to)
	}
	return byEntity
}

// district is the district's series of ind under the engine's scope.
func (e *Engine) district(ind models.Indicator, obs []models.Observation) models.Series {
	return districtSeries(ind, obs, e.scope, nil)
}

func (e *Engine) indicatorSet() map[string]bool {
	set := make(map[string]bool, len(e.inds))
	for _, ind := range e.inds {
		set[ind.Code] = true
	}
	return set
}

// mergeDerived puts the derived figures computed in this run in place of
// stored derived figures of the same indicator, entity and time, so a run
// never reads its own stale output; a reported figure of that entity and
// time still wins over the run's (models.PreferReported).
func mergeDerived(obs map[string][]models.Observation, derived []models.Observation) map[string][]models.Observation {
	if len(derived) == 0 {
		return obs
	}
	byCode := map[string][]models.Observation{}
	for _, d := range derived {
		byCode[d.Indicator] = append(byCode[d.Indicator], d)
	}
	out := make(map[string][]models.Observation, len(obs)+len(byCode))
	for code, list := range obs {
		out[code] = list
	}
	for code, fresh := range byCode {
		recomputed := make(map[figureKey]bool, len(fresh))
		for _, d := range fresh {
			recomputed[figureKey{d.Entity, d.Time.Unix()}] = true
		}
		list := obs[code]
		reported := make([]models.Observation, 0, len(list)+len(fresh))
		for _, o := range list {
			if models.IsDerivedProvider(o.Provider) && recomputed[figureKey{o.Entity, o.Time.Unix()}] {
				continue
			}
			reported = append(reported, o)
		}
		out[code] = models.PreferReported(reported, fresh)
	}
	return out
}

// latest returns, per indicator and entity, the newest figure at or before
// asOf; hourly series use their raw recent figures.
func latest(inds []models.Indicator, obs, recent map[string][]models.Observation, asOf time.Time) []models.Observation {
	type key struct{ ind, entity string }
	newest := map[key]models.Observation{}
	for _, ind := range inds {
		list := obs[ind.Code]
		if r, ok := recent[ind.Code]; ok {
			list = r
		}
		for _, o := range list {
			if o.Time.After(asOf) {
				continue
			}
			k := key{ind.Code, o.Entity}
			if cur, ok := newest[k]; !ok || o.Time.After(cur.Time) {
				newest[k] = o
			}
		}
	}
	out := make([]models.Observation, 0, len(newest))
	for _, o := range newest {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Indicator != b.Indicator {
			return a.Indicator < b.Indicator
		}
		return a.Entity < b.Entity
	})
	return out
}
