package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Measurements lists the measurements of the bucket.
func (s *Store) Measurements(ctx context.Context) ([]string, error) {
	series, err := s.Query(ctx, `SHOW MEASUREMENTS`, nil)
	if err != nil {
		return nil, fmt.Errorf("listing measurements: %w", err)
	}
	var out []string
	for _, se := range series {
		for _, row := range se.Values {
			if len(row) > 0 {
				if name, ok := row[0].(string); ok {
					out = append(out, name)
				}
			}
		}
	}
	return out, nil
}

// NeedsMigration reports whether the bucket holds schema-1 figures
// (measurement "observation") and no schema-2 figures yet: the state
// after an upgrade, before `greenmetrics migrate`.
func (s *Store) NeedsMigration(ctx context.Context) (bool, error) {
	names, err := s.Measurements(ctx)
	if err != nil {
		return false, err
	}
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
	}
	return has[MeasurementLegacyObservation] && !has[MeasurementFigure] && !has[MeasurementDerived], nil
}

// MigrateOptions configure MigrateSchema1.
type MigrateOptions struct {
	// Frequency is the catalogue frequency of an indicator, which defines
	// its period; false for an indicator the catalogue does not know (its
	// points are not migrated, and counted in Report.Unknown).
	Frequency func(indicator string) (models.Frequency, bool)
	// DryRun reads and resolves everything but writes nothing.
	DryRun bool
	// BatchSize is the number of points per write; 0: 5000.
	BatchSize int
	// OnCollision, when set, sees every collision as it is resolved.
	OnCollision func(Collision)
}

// Candidate is one schema-1 point of a figure.
type Candidate struct {
	Time     time.Time
	Provider string // the schema-1 source tag
	Value    float64
}

// Collision is a figure (indicator, entity, period) that several schema-1
// points stood for, as two sources or two stamps of one period did. Kept
// is the point migrated; Dropped the others.
type Collision struct {
	Indicator, Entity string
	Period            models.Period
	Kept              Candidate
	Dropped           []Candidate
}

// MigrateReport counts what a migration did.
type MigrateReport struct {
	Indicators int // indicators with schema-1 points
	Read       int // schema-1 points of known indicators read
	// Figures and Derived count the schema-2 points of the migration:
	// written, or to be written in a dry run.
	Figures, Derived int
	// Present counts figures schema 2 already held with the same value
	// (a second run of the migration); not written again.
	Present int
	// KeptNewer counts figures schema 2 already held with another value:
	// written since the upgrade, so newer than schema 1's; kept.
	KeptNewer int
	// Collisions counts the figures several schema-1 points stood for.
	Collisions int
	// Unknown counts points of indicators the catalogue does not know, by
	// indicator; they stay in schema 1.
	Unknown map[string]int
}

// MigrateSchema1 copies the schema-1 measurement "observation" (tags
// indicator, entity, source; field value) into schema 2: each point is
// moved to the start of its indicator's period, points of source "derived"
// go to MeasurementDerived and all others to MeasurementFigure with the
// source as provider. Where several points stand for one (indicator,
// entity, period) one is kept (ResolveCollision). A figure schema 2
// already holds is never overwritten: it is either the same (a second run)
// or newer. Running it twice gives the same result. The schema-1
// measurement is left in place for the operator to drop.
//
// It reads one indicator and one Shanghai calendar year at a time (no
// period crosses a year), so memory stays bounded by the largest such
// chunk.
func (s *Store) MigrateSchema1(ctx context.Context, opts MigrateOptions) (MigrateReport, error) {
	rep := MigrateReport{Unknown: map[string]int{}}
	if opts.Frequency == nil {
		return rep, fmt.Errorf("migrate: the catalogue's frequencies are required")
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	indicators, err := s.legacyIndicators(ctx)
	if err != nil {
		return rep, err
	}
	rep.Indicators = len(indicators)
	w := &migrationWriter{s: s, dry: opts.DryRun, batch: opts.BatchSize}
	for _, ind := range indicators {
		if err := s.migrateIndicator(ctx, ind, opts, w, &rep); err != nil {
			return rep, err
		}
	}
	if err := w.flush(ctx); err != nil {
		return rep, err
	}
	return rep, nil
}

// legacyIndicators lists the indicator tag values of schema 1, sorted.
func (s *Store) legacyIndicators(ctx context.Context) ([]string, error) {
	q := fmt.Sprintf(`SHOW TAG VALUES FROM %s WITH KEY = %s`, QuoteIdent(MeasurementLegacyObservation), QuoteIdent(TagIndicator))
	series, err := s.Query(ctx, q, nil)
	if err != nil {
		return nil, fmt.Errorf("listing schema-1 indicators: %w", err)
	}
	var out []string
	for _, se := range series {
		for _, row := range se.Values {
			if len(row) > 1 {
				if v, ok := row[1].(string); ok {
					out = append(out, v)
				}
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func (s *Store) migrateIndicator(ctx context.Context, ind string, opts MigrateOptions, w *migrationWriter, rep *MigrateReport) error {
	first, last, n, err := s.legacySpan(ctx, ind)
	if err != nil || n == 0 {
		return err
	}
	freq, known := opts.Frequency(ind)
	if !known {
		rep.Unknown[ind] = n
		return nil
	}
	for year := first.In(models.Shanghai).Year(); year <= last.In(models.Shanghai).Year(); year++ {
		start := time.Date(year, 1, 1, 0, 0, 0, 0, models.Shanghai)
		if err := s.migrateChunk(ctx, ind, freq, start, start.AddDate(1, 0, 0), opts, w, rep); err != nil {
			return err
		}
	}
	return nil
}

// legacySpan is the first and last time and the number of an indicator's
// schema-1 points.
func (s *Store) legacySpan(ctx context.Context, ind string) (first, last time.Time, n int, err error) {
	q := fmt.Sprintf(`SELECT count(%[1]s) FROM %[2]s WHERE %[3]s = $indicator`,
		QuoteIdent(FieldValue), QuoteIdent(MeasurementLegacyObservation), QuoteIdent(TagIndicator))
	params := map[string]any{"indicator": ind}
	series, err := s.Query(ctx, q, params)
	if err != nil {
		return first, last, 0, fmt.Errorf("counting schema-1 %s: %w", ind, err)
	}
	if len(series) == 0 || len(series[0].Values) == 0 {
		return first, last, 0, nil
	}
	c, _ := Float(series[0].Values[0][1])
	n = int(c)
	for _, fn := range []string{"first", "last"} {
		q := fmt.Sprintf(`SELECT %s(%s) FROM %s WHERE %s = $indicator`,
			fn, QuoteIdent(FieldValue), QuoteIdent(MeasurementLegacyObservation), QuoteIdent(TagIndicator))
		series, err := s.Query(ctx, q, params)
		if err != nil {
			return first, last, 0, fmt.Errorf("reading the span of schema-1 %s: %w", ind, err)
		}
		if len(series) == 0 || len(series[0].Values) == 0 {
			return first, last, 0, nil
		}
		ts, _ := Float(series[0].Values[0][0])
		if fn == "first" {
			first = time.Unix(int64(ts), 0)
		} else {
			last = time.Unix(int64(ts), 0)
		}
	}
	return first, last, n, nil
}

// figureKey identifies a schema-2 point of one indicator.
type figureKey struct {
	measurement, entity string
	period              int64 // Unix seconds of the period start
}

func (s *Store) migrateChunk(ctx context.Context, ind string, freq models.Frequency, start, end time.Time, opts MigrateOptions, w *migrationWriter, rep *MigrateReport) error {
	q := fmt.Sprintf(`SELECT %s FROM %s WHERE %s = $indicator AND time >= $start AND time < $end GROUP BY %s, %s`,
		QuoteIdent(FieldValue), QuoteIdent(MeasurementLegacyObservation), QuoteIdent(TagIndicator),
		QuoteIdent(TagEntity), QuoteIdent(TagLegacySource))
	series, err := s.Query(ctx, q, map[string]any{
		"indicator": ind,
		"start":     start.UTC().Format(time.RFC3339),
		"end":       end.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return fmt.Errorf("reading schema-1 %s of %d: %w", ind, start.Year(), err)
	}
	groups := map[figureKey][]Candidate{}
	for _, se := range series {
		measurement := MeasurementFigure
		if se.Tags[TagLegacySource] == models.ProviderDerived {
			measurement = MeasurementDerived
		}
		for _, row := range se.Values {
			ts, ok1 := Float(row[0])
			v, ok2 := Float(row[1])
			if !ok1 || !ok2 {
				continue
			}
			rep.Read++
			c := Candidate{Time: time.Unix(int64(ts), 0).In(models.Shanghai), Provider: se.Tags[TagLegacySource], Value: v}
			k := figureKey{measurement, se.Tags[TagEntity], models.PeriodOf(freq, c.Time).Start.Unix()}
			groups[k] = append(groups[k], c)
		}
	}
	existing, err := s.schema2Values(ctx, ind, start, end)
	if err != nil {
		return err
	}
	for _, k := range sortedFigureKeys(groups) {
		kept, dropped := ResolveCollision(groups[k])
		period := models.PeriodOf(freq, time.Unix(k.period, 0).In(models.Shanghai))
		if len(dropped) > 0 {
			rep.Collisions++
			if opts.OnCollision != nil {
				opts.OnCollision(Collision{Indicator: ind, Entity: k.entity, Period: period, Kept: kept, Dropped: dropped})
			}
		}
		if v, ok := existing[k]; ok {
			if v == kept.Value {
				rep.Present++
			} else {
				rep.KeptNewer++
			}
			continue
		}
		if k.measurement == MeasurementDerived {
			rep.Derived++
		} else {
			rep.Figures++
		}
		o := models.Observation{Time: period.Start, Indicator: ind, Entity: k.entity, Value: kept.Value, Provider: kept.Provider}
		if err := w.add(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// ResolveCollision picks the schema-1 point a figure is migrated from
// when several stand for one (indicator, entity, period): the one stamped
// latest (a figure sent as 2024-06-30 was meant to replace the one of
// 2024-06-01), and among points stamped alike the first provider by name,
// which is the one schema 1's readers used. Reported and derived points
// never compete: they go to different measurements, and readers take the
// reported one.
func ResolveCollision(cands []Candidate) (kept Candidate, dropped []Candidate) {
	sorted := append([]Candidate(nil), cands...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.After(b.Time)
		}
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		return a.Value < b.Value
	})
	return sorted[0], sorted[1:]
}

// schema2Values reads the figures schema 2 already holds for an indicator
// in [start, end), reported and derived.
func (s *Store) schema2Values(ctx context.Context, ind string, start, end time.Time) (map[figureKey]float64, error) {
	out := map[figureKey]float64{}
	for _, m := range []string{MeasurementFigure, MeasurementDerived} {
		obs, err := s.readMeasurement(ctx, m, models.FigureQuery{Indicator: ind, Start: start, End: end})
		if err != nil {
			return nil, err
		}
		for _, o := range obs {
			out[figureKey{m, o.Entity, o.Time.Unix()}] = o.Value
		}
	}
	return out, nil
}

func sortedFigureKeys(m map[figureKey][]Candidate) []figureKey {
	keys := make([]figureKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.measurement != b.measurement {
			return a.measurement < b.measurement
		}
		if a.entity != b.entity {
			return a.entity < b.entity
		}
		return a.period < b.period
	})
	return keys
}

// migrationWriter writes migrated points in batches.
type migrationWriter struct {
	s     *Store
	dry   bool
	batch int
	lines []string
}

func (w *migrationWriter) add(ctx context.Context, o models.Observation) error {
	if w.dry {
		return nil
	}
	w.lines = append(w.lines, string(AppendObservation(nil, o)))
	if len(w.lines) >= w.batch {
		return w.flush(ctx)
	}
	return nil
}

func (w *migrationWriter) flush(ctx context.Context) error {
	if len(w.lines) == 0 {
		return nil
	}
	if err := w.s.WriteLines(ctx, w.lines...); err != nil {
		return fmt.Errorf("writing migrated figures: %w", err)
	}
	// Migrated figures change days the analysis may have rolled up
	// already: mark them, after the figures, as the spool does.
	if err := w.s.WriteLines(ctx, MarkLines(w.lines)...); err != nil {
		return fmt.Errorf("marking the days of migrated figures: %w", err)
	}
	w.lines = w.lines[:0]
	return nil
}
