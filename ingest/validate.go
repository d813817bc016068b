package ingest

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"github.com/greenmetrics/greenmetrics/models"
)

// Rule codes of rejections and input errors. They are stable: reports,
// alerts and the reasons files of the drop folder key on them.
const (
	// Row and value rules.
	RuleUnknownIndicator     = "unknown_indicator"     // not in the catalogue
	RuleUnitNotConvertible   = "unit_not_convertible"  // unknown unit, or another quantity
	RuleNonNumeric           = "non_numeric"           // the value is not a number
	RuleNonFinite            = "non_finite"            // NaN, ±Inf, or overflows (1e309)
	RuleMissingValue         = "missing_value"         // a long row without a value
	RuleOutOfRange           = "out_of_range"          // outside the indicator's physical bounds
	RuleBadTime              = "bad_time"              // empty or unreadable time
	RuleFutureTime           = "future_time"           // later than now + max_future
	RuleConflictingDuplicate = "conflicting_duplicate" // same indicator, entity and time, other value
	RuleMissingEntity        = "missing_entity"        // a per-entity indicator without entity
	RuleUnexpectedEntity     = "unexpected_entity"     // a district-wide indicator with an entity
	RuleBadTag               = "bad_tag"               // entity or provider unfit for a tag
	RuleBadCharacters        = "bad_characters"        // a control, bidi or zero-width character in a name
	RuleLooksLikePercent     = "looks_like_percent"    // a bare number > 1 for a ratio indicator
	RuleImplausibleValue     = "implausible_value"     // held: far from the figure's history or its annual figure; enters when confirmed
	RuleProviderNotAllowed   = "provider_not_allowed"  // a row names a provider it may not claim
	RuleBadEncoding          = "bad_encoding"          // not UTF-8 text
	RuleMalformedRow         = "malformed_row"         // a row that does not parse
	RuleStatusNotAccepted    = "status_not_accepted"   // the row's status column says it is not valid
	RuleLineTooLong          = "line_too_long"         // a row over Options.MaxRecordBytes

	// Input rules (InputError only).
	RuleEmptyInput        = "empty_input"        // no bytes at all
	RuleNoDataRows        = "no_data_rows"       // a header and nothing else
	RuleMalformedHeader   = "malformed_header"   // the header does not fit any layout
	RuleMalformedInput    = "malformed_input"    // broken JSON, gzip or workbook
	RuleTooDeep           = "too_deep"           // JSON nested beyond any row shape
	RuleUnsupportedFormat = "unsupported_format" // a format or mapping that cannot apply
	RuleTooLarge          = "too_large"          // a workbook over Options.MaxXLSXBytes
)

// candidate is a parsed row value, not yet checked against the catalogue.
// The *Field members name the column or field each part came from.
type candidate struct {
	row            int
	raw            *rawRow
	time           time.Time
	timeField      string
	indicator      string
	indicatorField string
	entity         string
	entityField    string
	unit           string
	unitField      string
	value          float64
	valueField     string
	source         string
	sourceField    string
	confirm        bool // the row's confirm column, field or tag said yes
}

// rawRow is a row as read, rendered only when a rejection needs it.
type rawRow struct {
	text  string
	cells []string
}

func (r *rawRow) String() string {
	if r == nil {
		return ""
	}
	if r.text != "" || r.cells == nil {
		return r.text
	}
	return csvLine(r.cells)
}

// csvLine renders cells as one CSV line without the line end.
func csvLine(cells []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(cells) // a strings.Builder does not fail
	w.Flush()
	return strings.TrimRight(b.String(), "\n")
}

// pending is an accepted observation waiting for its batch to be delivered.
type pending struct {
	obs   models.Observation
	key   uint64
	row   int
	field string
	raw   *rawRow
	// dropped says why the row is not delivered after all.
	dropped dropReason
	// ledgered marks a monthly, quarterly or annual figure: the
	// plausibility rules and the revision ledger look at it at flush.
	ledgered  bool
	confirmed bool
	overrode  bool // confirmed, and a plausibility rule would have held it
}

// dropReason says why a queued row was not delivered.
type dropReason uint8

const (
	keep         dropReason = iota
	dropConflict            // rejected as a conflicting duplicate
	dropHeld                // held by a plausibility rule
	dropDemo                // a demo figure where real data exist
)

// keyState is what the duplicate index keeps per indicator, entity and
// time. It is 16 bytes because the index holds one per distinct key of the
// whole input (in memory up to Options.IndexMemoryKeys, then on disk,
// keyindex.go): the state is folded into at rather than kept in a flag
// that would pad it to 24.
type keyState struct {
	bits uint64 // the accepted value
	row  int32  // the row it came from, for messages
	// at is the position the row was queued at in its batch, or
	// keyConflicted. It is not reset when the batch is delivered: the row
	// is in the current batch only if the batch holds its key there
	// (run.queuedAt), which spares a second pass over the index per batch.
	at int32
}

// keyConflicted: the key had conflicting values; every later row with it
// is rejected too.
const keyConflicted = -2

// queuedAt returns where the current batch holds key, whose state is st;
// false when its row went out in an earlier batch or the key conflicted.
// A key is queued at most once per batch, so a position left over from an
// earlier batch holds another key.
func (r *run) queuedAt(key uint64, st keyState) (int, bool) {
	if st.at < 0 || int(st.at) >= len(r.batch) || r.batch[st.at].key != key {
		return 0, false
	}
	return int(st.at), true
}

type convKey struct{ from, to string }

type conv struct {
	from, to float64
	err      error
}

// run is the state of one Process call.
type run struct {
	p         *Pipeline
	ctx       context.Context
	in        Input
	res       Result
	maxTime   time.Time
	batch     []pending
	out       []models.Observation // the batch as handed to the sink, reused
	rejects   []Rejection
	index     *keyIndex
	seed      maphash.Seed
	convs     map[convKey]conv
	lastCheck int
	// ledgered counts the batch's rows that flush must screen.
	ledgered int
	// providers caches the verdict on provider names rows gave: "" when
	// allowed, else the reason.
	providers map[string]string
	history   []float64 // scratch for the hold rule
}

func (p *Pipeline) newRun(ctx context.Context, in Input) *run {
	return &run{
		p:       p,
		ctx:     ctx,
		in:      in,
		res:     Result{Name: in.Name, Format: in.Format, Provider: in.Provider, RejectedByRule: map[string]int{}},
		maxTime: p.opts.Now().Add(p.opts.MaxFuture),
		index:   newKeyIndex(p.opts.IndexMemoryKeys, p.opts.IndexSpillDir),
		seed:    maphash.MakeSeed(),
		convs:   map[convKey]conv{},
	}
}

// rowSeen counts a data row.
func (r *run) rowSeen() { r.res.Rows++ }

// notMeasured counts cells marked as not measured.
func (r *run) notMeasured(n int) { r.res.NotMeasured += n }

// reject records a rejection of one value (or a whole row).
func (r *run) reject(rej Rejection) error {
	r.queueReject(rej)
	return r.maybeFlush()
}

// queueReject records a rejection without flushing, so batch positions
// stay valid for the caller.
func (r *run) queueReject(rej Rejection) {
	r.res.Values++
	rej.Source = r.in.Name
	r.rejects = append(r.rejects, rej)
}

// rejectRow rejects a row as a whole.
func (r *run) rejectRow(row int, raw *rawRow, field, rule, msg string) error {
	return r.reject(Rejection{Row: row, Field: field, Rule: rule, Message: msg, Raw: raw.String()})
}

// add checks a candidate and queues it for delivery or rejects it.
func (r *run) add(c candidate) error {
	obs, ledgered, rej := r.check(c)
	if rej != nil {
		return r.reject(*rej)
	}
	if err := r.dedupe(obs, c, ledgered); err != nil {
		return err
	}
	return r.maybeFlush()
}

func (r *run) maybeFlush() error {
	if n := len(r.batch) + len(r.rejects); n-r.lastCheck >= 1024 {
		r.lastCheck = n
		if err := r.ctx.Err(); err != nil {
			return err
		}
	}
	if len(r.batch)+len(r.rejects) >= r.p.opts.BatchSize {
		return r.flush()
	}
	return nil
}

// flush delivers the batch and publishes its rejections in row order. A
// batch with monthly, quarterly or annual figures is screened first (the
// plausibility rules, demo masking) and, with a ledger, delivered and
// recorded under one ledger update, so that the ledger's view of each
// figure is the one the decision was made on.
func (r *run) flush() error {
	var err error
	switch {
	case r.ledgered > 0 && r.p.opts.Ledger != nil:
		err = r.p.opts.Ledger.Update(func(tx *ledger.Tx) error {
			r.screen(tx)
			if err := r.deliver(); err != nil {
				return err
			}
			r.record(tx)
			return nil
		})
		var se *SinkError
		if err != nil && !errors.As(err, &se) {
			err = &SinkError{Source: r.in.Name, Err: fmt.Errorf("revision ledger: %w", err)}
		}
	case r.ledgered > 0:
		r.screen(nil)
		err = r.deliver()
	default:
		err = r.deliver()
	}
	if err != nil {
		return err
	}
	for _, pe := range r.batch {
		if pe.dropped == dropHeld {
			// A held row is not in: a later row of the figure is judged
			// on its own.
			r.index.remove(pe.key)
		}
	}
	if err := r.index.spill(); err != nil {
		return err
	}
	r.batch = r.batch[:0]
	r.ledgered = 0
	rejects := r.rejects
	r.rejects = nil
	r.lastCheck = 0
	sortRejections(rejects)
	for _, rej := range rejects {
		r.res.RejectedByRule[rej.Rule]++
		if len(r.res.Rejected) < r.p.opts.MaxRejections {
			r.res.Rejected = append(r.res.Rejected, rej)
		}
		if r.in.OnReject != nil {
			if err := r.in.OnReject(rej); err != nil {
				return err
			}
		}
	}
	return nil
}

// deliver hands the batch's rows that are still in to the sink.
func (r *run) deliver() error {
	obs := r.out[:0]
	for _, pe := range r.batch {
		if pe.dropped == keep {
			obs = append(obs, pe.obs)
		}
	}
	r.out = obs[:0]
	if len(obs) == 0 {
		return nil
	}
	if r.in.MaxRows > 0 && r.res.Accepted+len(obs) > r.in.MaxRows {
		return &SinkError{Source: r.in.Name, Err: ErrTooManyRows}
	}
	if err := r.p.sink.Append(r.ctx, obs); err != nil {
		return &SinkError{Source: r.in.Name, Err: err}
	}
	r.res.Accepted += len(obs)
	return nil
}

// check validates a candidate against the catalogue and the clock, and
// stamps it at the start of its period. ledgered reports a monthly,
// quarterly or annual figure, which flush screens for plausibility and
// records in the ledger.
func (r *run) check(c candidate) (obs models.Observation, ledgered bool, rejection *Rejection) {
	rej := func(field, rule, format string, args ...any) (models.Observation, bool, *Rejection) {
		return models.Observation{}, false, &Rejection{Row: c.row, Field: field, Rule: rule, Message: fmt.Sprintf(format, args...), Raw: c.raw.String()}
	}
	for _, name := range [...]struct{ field, def, v string }{
		{c.indicatorField, "indicator", c.indicator}, {c.entityField, "entity", c.entity}, {c.sourceField, "source", c.source},
	} {
		if i := strings.IndexFunc(name.v, isHiddenRune); i >= 0 {
			ch, _ := utf8.DecodeRuneInString(name.v[i:])
			return rej(fieldOr(name.field, name.def), RuleBadCharacters, "%s %q holds the invisible character %U at byte %d (a control, direction or zero-width character, e.g. copied from a web page): it would make two names that look the same differ; remove it",
				name.def, name.v, ch, i)
		}
	}
	ind, ok := r.p.cat.Lookup(c.indicator)
	if !ok {
		if c.indicator == "" {
			return rej(c.indicatorField, RuleUnknownIndicator, "indicator is empty")
		}
		return rej(c.indicatorField, RuleUnknownIndicator, "unknown indicator %q: not in the catalogue", c.indicator)
	}
	if ind.Entity == "" && c.entity != "" && r.p.opts.Scope.IsDistrict(c.entity) {
		// "通州区" in the entity column of a district-wide figure names
		// the district itself: its own figures carry no entity.
		c.entity = ""
	}
	// The label is built only for a rejection: this runs once per value.
	switch {
	case ind.Entity != "" && c.entity == "":
		return rej(fieldOr(c.entityField, "entity"), RuleMissingEntity, "%s is measured per %s: the entity is missing", indicatorLabel(ind), ind.Entity)
	case ind.Entity == "" && c.entity != "":
		return rej(fieldOr(c.entityField, "entity"), RuleUnexpectedEntity, "%s is a district-wide figure: entity %q must be empty%s", indicatorLabel(ind), c.entity, districtHint(r.p.opts.Scope))
	}
	v, err := r.convert(c.value, c.unit, ind.Unit)
	if err != nil {
		if errors.Is(err, models.ErrUnknownUnit) {
			return rej(fieldOr(c.unitField, c.valueField), RuleUnitNotConvertible, "unknown unit %q for %s (unit %s)", c.unit, indicatorLabel(ind), ind.Unit)
		}
		return rej(fieldOr(c.unitField, c.valueField), RuleUnitNotConvertible, "unit %q cannot be converted to %s, the unit of %s", c.unit, ind.Unit, indicatorLabel(ind))
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return rej(c.valueField, RuleNonFinite, "value %g %s of %s is not finite in %s", c.value, c.unit, indicatorLabel(ind), ind.Unit)
	}
	if c.unit == "" && ind.Unit == "ratio" && math.Abs(v) > 1 {
		return rej(c.valueField, RuleLooksLikePercent, "%s looks like a percentage: write %s%% or %s; %s is a ratio (0.05 = 5%%)",
			formatValue(v), formatValue(v), formatValue(v/100), indicatorLabel(ind))
	}
	if !ind.InRange(v) {
		return rej(c.valueField, RuleOutOfRange, "value %s is outside the physical range %s of %s",
			quantity(ind, v), rangeText(ind), indicatorLabel(ind))
	}
	if c.time.After(r.maxTime) {
		return rej(c.timeField, RuleFutureTime, "time %s is in the future: at most %s after now is accepted", c.time.Format(time.RFC3339), r.p.opts.MaxFuture)
	}
	period := models.PeriodOf(ind.Frequency, c.time)
	if err := models.CheckStorable(period.Start); err != nil {
		return rej(fieldOr(c.timeField, "time"), RuleBadTime, "time %s cannot be stored: InfluxDB keeps times from 1677-09-22 to 2262-04-11 only (%s is %s)",
			c.time.In(models.Shanghai).Format("2006-01-02 15:04:05"), indicatorLabel(ind), ind.Frequency)
	}
	provider := r.res.Provider
	if c.source != "" && c.source != provider {
		if why := r.providerRefusal(c.source); why != "" {
			return rej(fieldOr(c.sourceField, "source"), RuleProviderNotAllowed, "%s", why)
		}
		provider = c.source
	}
	obs = models.Observation{Time: period.Start, Indicator: ind.Code, Entity: c.entity, Value: v, Provider: provider}
	if err := obs.Validate(); err != nil {
		return rej(validateField(err, c), validateRule(err), "%v", err)
	}
	return obs, ledger.Ledgered(ind.Frequency), nil
}

// validateField names the field an Observation.Validate error is about, by
// the error rather than by elimination: a time or value fault must not be
// reported as the entity's.
func validateField(err error, c candidate) string {
	msg := err.Error()
	switch {
	case errors.Is(err, models.ErrNoTime):
		return fieldOr(c.timeField, "time")
	case errors.Is(err, models.ErrNonFinite):
		return fieldOr(c.valueField, "value")
	case errors.Is(err, models.ErrNoIndicator):
		return fieldOr(c.indicatorField, "indicator")
	case strings.HasPrefix(msg, "provider"):
		return fieldOr(c.sourceField, "source")
	}
	return fieldOr(c.entityField, "entity")
}

// validateRule is the rule of an Observation.Validate error.
func validateRule(err error) string {
	switch {
	case errors.Is(err, models.ErrNoTime):
		return RuleBadTime
	case errors.Is(err, models.ErrNonFinite):
		return RuleNonFinite
	case errors.Is(err, models.ErrNoIndicator):
		return RuleUnknownIndicator
	}
	return RuleBadTag
}

// isHiddenRune reports characters no name may hold: C0 and C1 controls,
// the bidirectional controls (U+061C, U+200E/F, U+202A–U+202E,
// U+2066–U+2069), and zero-width characters (U+200B–U+200D, U+2060,
// U+FEFF). They are invisible, so two names that look alike would be
// stored as two entities, and a direction override can make a name read
// as another on a dashboard.
func isHiddenRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e,
		r >= 0x2060 && r <= 0x2069, r == 0xfeff:
		return true
	}
	return false
}

// providerPattern is the syntax of provider names, wherever they come
// from (a row's source, a mapping, a token, --provider): they become label
// values and ledger entries, so they are short and plain.
var providerPattern = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

// ValidProviderName reports whether s is a well-formed provider name:
// 1 to 64 ASCII letters, digits, '_', '.', ':' or '-'.
func ValidProviderName(s string) bool { return providerPattern.MatchString(s) }

// providerRefusal says why a row may not name provider p ("" if it may).
// The input's own provider is always allowed and never gets here.
func (r *run) providerRefusal(p string) string {
	if why, ok := r.providers[p]; ok {
		return why
	}
	why := ""
	switch {
	case !ValidProviderName(p):
		why = fmt.Sprintf("source %q is not a provider name: 1 to 64 letters, digits, '_', '.', ':' or '-'", p)
	case models.IsReservedProvider(p):
		why = fmt.Sprintf("source %q is reserved: %s marks the engine's derived figures and %s the demo's; give your own provider name or none",
			p, models.ProviderDerived, models.ProviderDemo)
	case r.in.FixedProvider:
		why = fmt.Sprintf("source %q: rows of this input are %q's (the push token's name) and cannot name another provider", p, r.in.Provider)
	case slices.Contains(r.p.opts.ReservedProviders, p) && p != r.in.Provider:
		why = fmt.Sprintf("source %q is the name of a push token: only that token's pushes are %q's", p, p)
	}
	if r.providers == nil {
		r.providers = map[string]string{}
	}
	if len(r.providers) < 1024 {
		r.providers[p] = why
	}
	return why
}

func fieldOr(field, fallback string) string {
	if field != "" {
		return field
	}
	return fallback
}

// convert converts v from unit to the indicator's unit; an empty unit is
// the indicator's. Factors are cached per unit pair, and applied as
// models.Convert does, so results are bit-identical to it.
func (r *run) convert(v float64, from, to string) (float64, error) {
	if from == "" || from == to {
		return v, nil
	}
	k := convKey{from, to}
	c, ok := r.convs[k]
	if !ok {
		c.err = models.ConvertibleUnits(from, to)
		if c.err == nil {
			f, _ := models.LookupUnit(from)
			t, _ := models.LookupUnit(to)
			c.from, c.to = f.Factor, t.Factor
		}
		r.convs[k] = c
	}
	if c.err != nil {
		return 0, c.err
	}
	if c.from == c.to {
		return v, nil
	}
	return v * c.from / c.to, nil
}

// dedupe queues obs unless an observation with the same indicator, entity
// and period was seen in this input. An identical value is counted as a
// duplicate; a different one rejects every row of the key that is not yet
// delivered (docs/ingest.md, "Periods and conflicts"). It fails only when
// the index cannot read what it spilled to disk.
func (r *run) dedupe(obs models.Observation, c candidate, ledgered bool) error {
	key, series := r.key(obs)
	t := obs.Time.UnixNano()
	bits := math.Float64bits(obs.Value)
	st, seen, err := r.index.get(key, series, t)
	if err != nil {
		return err
	}
	if !seen {
		r.res.Values++
		r.index.put(key, series, t, keyState{bits: bits, row: int32(c.row), at: int32(len(r.batch))})
		r.batch = append(r.batch, pending{obs: obs, key: key, row: c.row, field: c.valueField, raw: c.raw,
			ledgered: ledgered, confirmed: c.confirm || r.in.Confirm})
		if ledgered {
			r.ledgered++
		}
		return nil
	}
	if st.at != keyConflicted && st.bits == bits {
		r.res.Values++
		r.res.Duplicates++
		if at, ok := r.queuedAt(key, st); ok && c.confirm {
			// A confirmation on any copy of the row confirms the value.
			r.batch[at].confirmed = true
		}
		return nil
	}
	what := r.figureName(obs)
	first := math.Float64frombits(st.bits)
	msg := fmt.Sprintf("value %s conflicts with value %s in row %d for %s", r.valueText(obs.Indicator, obs.Value), r.valueText(obs.Indicator, first), st.row, what)
	at, queued := r.queuedAt(key, st)
	switch {
	case st.at == keyConflicted:
		msg += "; that figure already has conflicting values"
	case queued:
		pe := &r.batch[at]
		pe.dropped = dropConflict
		r.res.Values-- // the first row moves from queued to rejected
		r.queueReject(Rejection{Row: pe.row, Field: pe.field, Rule: RuleConflictingDuplicate, Raw: pe.raw.String(),
			Message: fmt.Sprintf("value %s conflicts with value %s in row %d for %s; both rejected: send one value per period",
				r.valueText(obs.Indicator, first), r.valueText(obs.Indicator, obs.Value), c.row, what)})
		msg += "; both rejected: send one value per period"
	default:
		msg += "; row " + strconv.Itoa(int(st.row)) + " was already delivered in an earlier batch and stays"
	}
	st.at = keyConflicted
	r.index.put(key, series, t, st)
	r.queueReject(Rejection{Row: c.row, Field: c.valueField, Rule: RuleConflictingDuplicate, Message: msg, Raw: c.raw.String()})
	return nil
}

// figureName names a figure for messages: "prefab_building_started_area
// (新开工装配式建筑面积) for 2024-06 (2024年6月)", with "of ENTITY".
func (r *run) figureName(o models.Observation) string {
	label, freq := o.Indicator, models.FrequencyHourly
	if ind, ok := r.p.cat.Lookup(o.Indicator); ok {
		label, freq = indicatorLabel(ind), ind.Frequency
	}
	p := models.Period{Frequency: freq, Start: o.Time}
	if o.Entity != "" {
		return fmt.Sprintf("%s of %s for %s (%s)", label, o.Entity, p.Label(), p.LabelZh())
	}
	return fmt.Sprintf("%s for %s (%s)", label, p.Label(), p.LabelZh())
}

// valueText writes a base-unit value of an indicator in its display unit.
func (r *run) valueText(code string, v float64) string {
	if ind, ok := r.p.cat.Lookup(code); ok {
		return quantity(ind, v)
	}
	return formatValue(v)
}

// key hashes indicator, entity and time, and series indicator and entity
// alone (the index keeps the periods it spilled per series). A 64-bit hash
// keeps the index at 24 bytes per key; a collision (odds about n²/2⁶⁵)
// would reject a row as a conflicting duplicate, never drop one silently.
func (r *run) key(o models.Observation) (key, series uint64) {
	var h maphash.Hash
	h.SetSeed(r.seed)
	h.WriteString(o.Indicator)
	h.WriteByte(0)
	h.WriteString(o.Entity)
	h.WriteByte(0)
	series = h.Sum64()
	var b [8]byte
	ns := o.Time.UnixNano()
	for i := range b {
		b[i] = byte(ns >> (8 * i))
	}
	h.Write(b[:])
	return h.Sum64(), series
}

// formatValue writes a value without float noise: 6.03, 3e+10.
func formatValue(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// rangeText renders an indicator's bounds: "[0, 14]", "≥ 0", "≤ 1".
func rangeText(ind models.Indicator) string {
	lo, hi := ind.Bounds()
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("[%s, %s]", quantity(ind, *lo), quantity(ind, *hi))
	case lo != nil:
		return "≥ " + quantity(ind, *lo)
	case hi != nil:
		return "≤ " + quantity(ind, *hi)
	}
	return "(unbounded)"
}

// quantity writes a base-unit value of ind in the user's unit: "−2万平方米",
// "5%".
// Ten significant digits keep what a file can state and drop float noise
// (0.05/0.01 = 5.000000000000001).
func quantity(ind models.Indicator, v float64) string {
	unit := ind.DisplayUnit
	if unit == "" {
		unit = ind.Unit
	}
	d, err := models.Convert(v, ind.Unit, unit)
	if err != nil {
		d, unit = v, ind.Unit
	}
	s := strconv.FormatFloat(d, 'g', 10, 64)
	if unit == "ratio" {
		return s
	}
	if len(unit) > 0 && unit[0] < 0x80 && unit != "%" {
		return s + " " + unit
	}
	return s + unit
}

// districtHint names the district for the unexpected-entity message.
func districtHint(s config.Scope) string {
	if s.District == "" {
		return ""
	}
	return " (or the district's name " + s.District + ")"
}
