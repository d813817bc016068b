package ingest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"github.com/greenmetrics/greenmetrics/models"
)

// The hold rule (docs/ingest.md, "Plausibility and confirmation"): a
// monthly, quarterly or annual figure is held out, as a rejection with rule
// implausible_value, when
//
//   - it is a flow of the district (no entity) for a month or quarter and
//     exceeds the indicator's whole annual figure: the larger of its
//     absolute target and its baseline (no history needed), or
//   - its indicator is a flow, stock, cumulative total or level, the ledger
//     holds at least historyMin figures of the same indicator and entity
//     among the historyPeriods periods before it, their median is
//     positive, and the value lies outside [median/historyFactor,
//     median×historyFactor].
//
// A value the ledger already holds for the figure is never held again, and
// a confirmed row (confirm column, field or tag; Input.Confirm) enters
// whatever the rules say. Ratios (bounded to ±100 %) and classes are not
// judged against history: a growth rate near zero makes any ratio to it
// meaningless.
const (
	historyPeriods = 12
	historyMin     = 3
	historyFactor  = 10
)

// confirmHint tells the user how to let a held value in.
const confirmHint = "held until confirmed: if it is right, send it again confirmed (a row: confirm=true in its CSV column, JSON field or line-protocol tag confirm; a whole input: import --confirm, or the push's confirm option)"

// screen applies demo masking and the hold rule to the batch's ledgered
// rows. tx is nil without a ledger: then only the annual-figure rule
// applies.
func (r *run) screen(tx *ledger.Tx) {
	for i := range r.batch {
		pe := &r.batch[i]
		if !pe.ledgered || pe.dropped != keep {
			continue
		}
		ind, ok := r.p.cat.Lookup(pe.obs.Indicator)
		if !ok {
			continue
		}
		var old ledger.Figure
		has := false
		if tx != nil {
			old, has = tx.Lookup(ledger.KeyOf(pe.obs.Indicator, pe.obs.Entity, pe.obs.Time))
		}
		if pe.obs.Provider == models.ProviderDemo && has && old.Provider != models.ProviderDemo {
			// Demo data never mask real data.
			pe.dropped = dropDemo
			r.res.DemoSkipped++
			continue
		}
		if has && old.Value == pe.obs.Value {
			continue // accepted before, perhaps confirmed then
		}
		reason := r.implausible(tx, ind, pe.obs)
		if reason == "" {
			continue
		}
		if pe.confirmed {
			pe.overrode = true
			continue
		}
		pe.dropped = dropHeld
		r.res.Held++
		r.res.Values-- // moves from queued to rejected
		r.queueReject(Rejection{Row: pe.row, Field: pe.field, Rule: RuleImplausibleValue, Raw: pe.raw.String(),
			Message: reason + "; " + confirmHint})
	}
}

// implausible says why the hold rule holds obs ("" when it does not).
func (r *run) implausible(tx *ledger.Tx, ind models.Indicator, obs models.Observation) string {
	p := models.Period{Frequency: ind.Frequency, Start: obs.Time}
	when := fmt.Sprintf("%s (%s)", p.Label(), p.LabelZh())
	if ind.Kind == models.KindFlow && ind.Frequency != models.FrequencyAnnual && obs.Entity == "" {
		if annual, what, year := annualFigure(ind); annual > 0 && obs.Value > annual {
			return fmt.Sprintf("%s is more than the whole annual %s %s of %s: a %s figure cannot exceed its year",
				quantity(ind, obs.Value), what, quantity(ind, annual)+" ("+strconv.Itoa(year)+")", indicatorLabel(ind), when)
		}
	}
	if tx == nil {
		return ""
	}
	switch ind.Kind {
	case models.KindFlow, models.KindStock, models.KindCumulative, models.KindLevel:
	default:
		return ""
	}
	hist := r.history[:0]
	first := p
	for k := 1; k <= historyPeriods; k++ {
		q := p.Add(-k)
		if f, ok := tx.Lookup(ledger.KeyOf(obs.Indicator, obs.Entity, q.Start)); ok {
			hist = append(hist, f.Value)
			first = q
		}
	}
	r.history = hist
	if len(hist) < historyMin {
		return ""
	}
	med := median(hist)
	if med <= 0 || (obs.Value >= med/historyFactor && obs.Value <= med*historyFactor) {
		return ""
	}
	side := "more than " + strconv.Itoa(historyFactor) + "×"
	if obs.Value < med/historyFactor {
		side = "less than 1/" + strconv.Itoa(historyFactor) + " of"
	}
	of := ""
	if obs.Entity != "" {
		of = " for " + obs.Entity
	}
	return fmt.Sprintf("%s for %s is %s the median %s of the %d figures of %s%s from %s to %s",
		quantity(ind, obs.Value), when, side, quantity(ind, med), len(hist), indicatorLabel(ind), of,
		first.Label(), p.Previous().Label())
}

// annualFigure is the size of the indicator's whole year: the larger of
// its absolute target and its baseline, which of the two it is, and its
// year.
func annualFigure(ind models.Indicator) (v float64, what string, year int) {
	if t := ind.Target; t != nil && t.Kind == models.TargetAbsolute && t.Value > v {
		v, what, year = t.Value, "target", t.Year
	}
	if b := ind.Baseline; b != nil && b.Value > v {
		v, what, year = b.Value, "figure", b.Year
	}
	return v, what, year
}

// median of vs, which it reorders.
func median(vs []float64) float64 {
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

// record writes the batch's delivered ledgered rows to the ledger.
func (r *run) record(tx *ledger.Tx) {
	now := r.p.opts.Now()
	for _, pe := range r.batch {
		if !pe.ledgered || pe.dropped != keep {
			continue
		}
		ind, _ := r.p.cat.Lookup(pe.obs.Indicator)
		p := models.Period{Frequency: ind.Frequency, Start: pe.obs.Time}
		_, revision := tx.Record(ledger.Entry{Accepted: now, Indicator: pe.obs.Indicator, Entity: pe.obs.Entity,
			Frequency: ind.Frequency, Period: p.Start, Label: p.Label(), Value: pe.obs.Value, Provider: pe.obs.Provider,
			Origin: r.origin(pe.row, pe.obs.Provider), Confirmed: pe.overrode})
		if revision {
			r.res.Revised++
		}
	}
}

// origin names where a row came from, for the ledger: "file.csv:12",
// "push zjw 7f3a row 3" for an input named "push zjw 7f3a", or "demo".
func (r *run) origin(row int, provider string) string {
	switch {
	case provider == models.ProviderDemo:
		return models.ProviderDemo
	case strings.HasPrefix(r.in.Name, "push "):
		return r.in.Name + " row " + strconv.Itoa(row)
	}
	return r.in.Name + ":" + strconv.Itoa(row)
}

// parseConfirm reads a row's confirm cell: yes (true, 1, yes, y, 是, 确认),
// no (empty, false, 0, no, n, 否) or neither (ok false).
func parseConfirm(s string) (yes, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "y", "是", "确认":
		return true, true
	case "", "false", "0", "no", "n", "否":
		return false, true
	}
	return false, false
}

// confirmProblem is the message of a confirm cell that is neither yes nor no.
func confirmProblem(s string) string {
	return fmt.Sprintf("confirm %q is not a yes (true, 1, yes, y, 是, 确认) or a no (false, 0, no, n, 否, empty)", s)
}
