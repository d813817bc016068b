package exporter

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
)

// A Source yields the latest published snapshot, or nil before the first
// computation. *metrics.State satisfies it.
type Source interface {
	Current() *metrics.Snapshot
}

// Options bound and annotate what the Collector exports. The zero value is
// valid: default caps, no configured entities, no grace.
type Options struct {
	// Entities are entity names — the configured water sections and air
	// stations — whose per-entity values are exported before any other
	// entity of the same indicator.
	Entities []string
	// MaxEntities caps the entities exported per indicator in the value
	// families (configured ones first, then by name); the rest are counted
	// in greenmetrics_indicator_entities_omitted. Zero means 20.
	MaxEntities int
	// MaxSections caps the exported water sections. Zero means 100.
	MaxSections int
	// DueLag is the publication lag of an indicator, from which its next
	// due date is exported (config.Analysis.DueLagOf); nil: the
	// catalogue's due_lag, else models.DefaultLag.
	DueLag func(models.Indicator) models.Lag
	// AnalysisInterval is exported as greenmetrics_analysis_interval_seconds
	// for the analysis-stalled alert; zero leaves it out.
	AnalysisInterval time.Duration
}

// Default caps. 20 entities × ~100 indicators and 100 sections keep a
// scrape at a few thousand series whatever the sources send.
const (
	DefaultMaxEntities = 20
	DefaultMaxSections = 100
)

// indicatorMeta is what the collector needs of a catalogue entry, resolved
// once at construction.
type indicatorMeta struct {
	ind  models.Indicator
	unit unitFamily
}

// Collector is a prometheus.Collector over the latest metrics.Snapshot.
// Collect may be called concurrently, as the Collector contract requires:
// the per-snapshot metrics are built under a mutex and are immutable once
// built.
type Collector struct {
	src        Source
	opts       Options
	d          descs
	byCode     map[string]indicatorMeta
	configured map[string]bool
	static     []prometheus.Metric

	mu     sync.Mutex
	cached *metrics.Snapshot
	built  []prometheus.Metric
	builds int                 // snapshots turned into metrics so far
	expo   *snapshotExposition // c.static and c.built, gathered and encoded
}

// New returns a Collector reading snapshots from src, for the indicators of
// catalog. It fails when an indicator's base unit has no metric family, so a
// new unit is noticed at start-up rather than by a missing panel.
func New(src Source, catalog []models.Indicator, opts Options) (*Collector, error) {
	if opts.MaxEntities <= 0 {
		opts.MaxEntities = DefaultMaxEntities
	}
	if opts.MaxSections <= 0 {
		opts.MaxSections = DefaultMaxSections
	}
	c := &Collector{
		src:        src,
		opts:       opts,
		d:          newDescs(),
		byCode:     make(map[string]indicatorMeta, len(catalog)),
		configured: make(map[string]bool, len(opts.Entities)),
	}
	for _, e := range opts.Entities {
		c.configured[e] = true
	}
	for _, ind := range catalog {
		u, ok := unitFamilies[ind.Unit]
		if !ok {
			return nil, fmt.Errorf("indicator %s: base unit %q has no metric family (add it to unitFamilies)", ind.Code, ind.Unit)
		}
		c.byCode[ind.Code] = indicatorMeta{ind: ind, unit: u}
	}
	c.static = c.staticMetrics(catalog)
	return c, nil
}

// Describe sends every Desc the Collector can emit.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.d.all() {
		ch <- d
	}
}

// Collect sends the catalogue metrics and those of the latest snapshot.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.static {
		ch <- m
	}
	for _, m := range c.snapshotMetrics() {
		ch <- m
	}
}

// snapshotMetrics returns the metrics of the current snapshot, building them
// only when the engine has published a new one since the last scrape.
func (c *Collector) snapshotMetrics() []prometheus.Metric {
	snap := c.src.Current()
	c.mu.Lock()
	defer c.mu.Unlock()
	if snap != c.cached {
		c.cached, c.built = snap, c.build(snap)
		c.builds++
		c.expo = nil
	}
	return c.built
}

// staticMetrics are the metrics of the catalogue and configuration, which
// never change while the process runs.
func (c *Collector) staticMetrics(catalog []models.Indicator) []prometheus.Metric {
	var out []prometheus.Metric
	for _, ind := range catalog {
		out = append(out,
			prometheus.MustNewConstMetric(c.d.info, prometheus.GaugeValue, 1,
				ind.Code, ind.NameZh, ind.NameEn, ind.Unit, ind.DisplayUnit,
				string(ind.Domain), string(ind.Kind), string(ind.Direction), string(ind.Frequency)),
			prometheus.MustNewConstMetric(c.d.interval, prometheus.GaugeValue,
				ReportingInterval(ind.Frequency).Seconds(), ind.Code),
			prometheus.MustNewConstMetric(c.d.displayScale, prometheus.GaugeValue, DisplayScale(ind), ind.Code))
	}
	if c.opts.AnalysisInterval > 0 {
		out = append(out, prometheus.MustNewConstMetric(c.d.analysisInterval, prometheus.GaugeValue, c.opts.AnalysisInterval.Seconds()))
	}
	return out
}

// DisplayScale is how many base units make one display unit of ind: 1e8
// for 亿元 over CNY. A display unit that is no unit of the same quantity
// (所, 类, 微克/立方米 written in Chinese) scales by 1.
func DisplayScale(ind models.Indicator) float64 {
	v, err := models.Convert(1, ind.DisplayUnit, ind.Unit)
	if err != nil || v <= 0 {
		return 1
	}
	return v
}

// ReportingInterval is the nominal length of a reporting period. Months,
// quarters and years use their longest length (31, 92, 366 days) so that
// a period of normal length never looks late.
func ReportingInterval(f models.Frequency) time.Duration {
	const day = 24 * time.Hour
	switch f {
	case models.FrequencyHourly:
		return time.Hour
	case models.FrequencyDaily:
		return day
	case models.FrequencyMonthly:
		return 31 * day
	case models.FrequencyQuarterly:
		return 92 * day
	case models.FrequencyAnnual:
		return 366 * day
	}
	return 0
}

// build turns one snapshot into metrics. A nil snapshot (before the first
// analysis) exports nothing beyond the static metrics.
func (c *Collector) build(s *metrics.Snapshot) []prometheus.Metric {
	if s == nil {
		return nil
	}
	var b builder
	b.gauge(c.d.snapshotTime, unixSeconds(s.GeneratedAt))
	b.gauge(c.d.snapshotYear, float64(s.Year))
	c.buildProgress(&b, s.Progress)
	c.buildForecasts(&b, s.Forecasts)
	c.buildTrends(&b, s.Trends)
	c.buildLatest(&b, s)
	c.buildWater(&b, s.Water)
	return b.out
}

func (c *Collector) buildProgress(b *builder, progress map[string]models.Progress) {
	for _, code := range slices.Sorted(maps.Keys(progress)) {
		meta, ok := c.byCode[code]
		if !ok {
			continue
		}
		p := progress[code]
		fam := c.d.byUnit[meta.unit.suffix]
		b.gauge(fam.actual, meta.unit.convert(p.Actual), code)
		b.gauge(fam.target, meta.unit.convert(p.Target), code)
		b.gauge(c.d.completion, p.Completion, code)
		b.gauge(c.d.timeProgress, p.TimeProgress, code)
		if p.Plan.PlanID != "" {
			b.gauge(c.d.planInfo, 1, code, p.Plan.PlanID, p.Plan.PlanName, strconv.FormatBool(p.Plan.Demo))
		}
		for _, st := range statuses {
			b.gauge(c.d.status, boolValue(p.Status == st), code, string(st))
		}
	}
}

// statuses is every Status, so the state set always has all its members.
var statuses = models.Statuses

func (c *Collector) buildForecasts(b *builder, forecasts map[string]models.Forecast) {
	for _, code := range slices.Sorted(maps.Keys(forecasts)) {
		meta, ok := c.byCode[code]
		if !ok {
			continue
		}
		f := forecasts[code]
		b.gauge(c.d.byUnit[meta.unit.suffix].projected, meta.unit.convert(f.Projected), code)
		b.gauge(c.d.projectedRatio, f.ProjectedCompletion, code)
		b.gauge(c.d.meetProbability, f.ProbabilityMeet, code)
	}
}

// trendDirections maps TrendSummary.Direction to the exported code.
var trendDirections = map[string]float64{"increasing": 1, "no trend": 0, "decreasing": -1}

func (c *Collector) buildTrends(b *builder, trends []models.TrendSummary) {
	perIndicator := map[string]int{}
	for _, t := range trends {
		if _, ok := c.byCode[t.Indicator]; !ok {
			continue
		}
		if t.Entity != "" && !c.configured[t.Entity] {
			if perIndicator[t.Indicator] >= c.opts.MaxEntities {
				continue
			}
		}
		perIndicator[t.Indicator]++
		if dir, ok := trendDirections[t.Direction]; ok {
			b.gauge(c.d.trendDirection, dir, t.Indicator, t.Entity)
		}
		b.gauge(c.d.trendP, t.P, t.Indicator, t.Entity)
	}
}

// buildLatest exports the newest value per indicator and entity, and the
// newest observation time per indicator over all its entities and sources:
// an omitted entity still proves the indicator is fresh.
func (c *Collector) buildLatest(b *builder, s *metrics.Snapshot) {
	newest := map[string]map[string]models.Observation{} // indicator → entity → newest
	last := map[string]time.Time{}
	for _, o := range s.Latest {
		if _, ok := c.byCode[o.Indicator]; !ok {
			continue
		}
		byEntity := newest[o.Indicator]
		if byEntity == nil {
			byEntity = map[string]models.Observation{}
			newest[o.Indicator] = byEntity
		}
		if prev, ok := byEntity[o.Entity]; !ok || o.Time.After(prev.Time) {
			byEntity[o.Entity] = o
		}
		if o.Time.After(last[o.Indicator]) {
			last[o.Indicator] = o.Time
		}
	}
	for code, p := range s.Progress {
		if _, ok := c.byCode[code]; ok && p.LatestTime.After(last[code]) {
			last[code] = p.LatestTime
		}
	}
	for _, code := range slices.Sorted(maps.Keys(last)) {
		b.gauge(c.d.lastObservation, unixSeconds(last[code]), code)
	}
	c.buildDue(b, s)
	for _, code := range slices.Sorted(maps.Keys(newest)) {
		meta := c.byCode[code]
		keep, omitted := c.selectEntities(slices.Sorted(maps.Keys(newest[code])))
		for _, e := range keep {
			b.gauge(c.d.byUnit[meta.unit.suffix].value, meta.unit.convert(newest[code][e].Value), code, e, entityLevel(s, meta.ind, e))
		}
		if omitted > 0 {
			b.gauge(c.d.entitiesOmitted, float64(omitted), code)
		}
	}
}

// buildDue exports, per indicator with figures from outside, when its next
// figure is due (models.NextDue) and which provider is expected to deliver
// it: the provider of its newest figure. The engine's own figures
// (provider derived) follow their inputs and are never due themselves.
func (c *Collector) buildDue(b *builder, s *metrics.Snapshot) {
	newest := map[string]models.Observation{}
	for _, o := range s.Latest {
		if _, ok := c.byCode[o.Indicator]; !ok || o.Provider == models.ProviderDerived {
			continue
		}
		if prev, ok := newest[o.Indicator]; !ok || o.Time.After(prev.Time) ||
			(o.Time.Equal(prev.Time) && o.Provider < prev.Provider) {
			newest[o.Indicator] = o
		}
	}
	for _, code := range slices.Sorted(maps.Keys(newest)) {
		ind := c.byCode[code].ind
		o := newest[code]
		due := models.NextDue(ind.Frequency, o.Time, c.dueLag(ind), s.GeneratedAt)
		b.gauge(c.d.nextDue, unixSeconds(due.Date), code, o.Provider)
	}
}

func (c *Collector) dueLag(ind models.Indicator) models.Lag {
	if c.opts.DueLag != nil {
		return c.opts.DueLag(ind)
	}
	if !ind.DueLag.IsZero() {
		return ind.DueLag
	}
	return models.DefaultLag(ind.Frequency)
}

// entityLevel is the level label of an entity's figures: "district" for
// the district's own (no entity, or named as the district), else the
// scope's level of the entity (country, province, station, section …).
func entityLevel(s *metrics.Snapshot, ind models.Indicator, entity string) string {
	if entity == "" {
		return string(models.LevelDistrict)
	}
	return string(s.Scope.LevelOf(entity, ind.Entity))
}

// selectEntities picks at most MaxEntities of the sorted entities: the
// district-wide figure (entity "") first, then configured entities, then
// the others by name, so the same set is chosen at every scrape.
func (c *Collector) selectEntities(entities []string) (keep []string, omitted int) {
	rank := func(e string) int {
		switch {
		case e == "":
			return 0
		case c.configured[e]:
			return 1
		}
		return 2
	}
	ordered := append([]string(nil), entities...)
	sort.SliceStable(ordered, func(i, j int) bool { return rank(ordered[i]) < rank(ordered[j]) })
	if len(ordered) <= c.opts.MaxEntities {
		return ordered, 0
	}
	return ordered[:c.opts.MaxEntities], len(ordered) - c.opts.MaxEntities
}

func (c *Collector) buildWater(b *builder, w metrics.WaterStanding) {
	if !w.From.IsZero() {
		b.gauge(c.d.waterPeriodStart, unixSeconds(w.From))
		b.gauge(c.d.waterPeriodEnd, unixSeconds(w.To))
	}
	sections := w.Sections
	if len(sections) > c.opts.MaxSections {
		b.gauge(c.d.sectionsOmitted, float64(len(sections)-c.opts.MaxSections))
		sections = sections[:c.opts.MaxSections]
	}
	for _, s := range sections {
		c.buildSection(b, s)
	}
	if d := w.District; d.Sections > 0 {
		b.gauge(c.d.waterSections, float64(d.Sections))
		b.gauge(c.d.waterGood, d.GoodRatio)
		b.gauge(c.d.waterInferiorV, d.InferiorVRatio)
		b.gauge(c.d.waterAttainment, d.AttainmentRatio)
	}
}

func (c *Collector) buildSection(b *builder, s metrics.SectionStanding) {
	b.gauge(c.d.sectionInfo, 1, s.Name, s.WaterBody)
	if s.TargetClass > 0 {
		b.gauge(c.d.sectionTarget, float64(s.TargetClass), s.Name)
	}
	if s.Class > 0 {
		b.gauge(c.d.sectionClass, float64(s.Class), s.Name)
		if s.TargetClass > 0 {
			b.gauge(c.d.sectionAttained, boolValue(s.Attained), s.Name)
		}
	}
	for i, p := range s.MainPollutants {
		if i == 3 {
			break
		}
		b.gauge(c.d.sectionPollutant, float64(i+1), s.Name, p)
	}
	b.gauge(c.d.sectionSamples, float64(s.Samples), s.Name)
	if !s.LastSample.IsZero() {
		b.gauge(c.d.sectionLastSample, unixSeconds(s.LastSample), s.Name)
	}
}

// builder collects const metrics, leaving out values that are not finite:
// the snapshot marks what it cannot compute as NaN, and an absent series is
// what PromQL and Grafana handle as "no data". A label value that is not
// valid UTF-8 (an entity name from a badly encoded file) drops that one
// series instead of panicking in the scrape.
type builder struct {
	out []prometheus.Metric
}

func (b *builder) gauge(d *prometheus.Desc, v float64, labels ...string) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	m, err := prometheus.NewConstMetric(d, prometheus.GaugeValue, v, labels...)
	if err != nil {
		return
	}
	b.out = append(b.out, m)
}

func boolValue(ok bool) float64 {
	if ok {
		return 1
	}
	return 0
}

// unixSeconds is t as Unix seconds with sub-second precision; a zero time
// is NaN, so the builder leaves it out.
func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return math.NaN()
	}
	return float64(t.UnixNano()) / 1e9
}
