package ingest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
)

// A RejectionSink records the rows the pipeline refused, durably, for the
// monthly report's data-quality section. A process has one, shared by the
// push API, the drop folder and import through Options.Rejections, so
// that their records cannot interleave (the rejection log serialises its
// appends). *rejectlog.Log is one.
type RejectionSink interface {
	Reject(ctx context.Context, entries []rejectlog.Entry) error
}

// ErrTooManyRows is the error (wrapped in a *SinkError) of an input that
// would deliver more observations than its Input.MaxRows.
var ErrTooManyRows = errors.New("too many observations in one request")

// RejectionEntries turns what the pipeline did with one input into
// entries of the rejection log, under source: the rejections Result lists
// (the first Options.MaxRejections), then one tally per rule for those
// beyond, so that the monthly report counts every rejected row.
func RejectionEntries(source string, res Result, now time.Time) []rejectlog.Entry {
	entries := make([]rejectlog.Entry, 0, len(res.Rejected)+len(res.RejectedByRule))
	listed := map[string]int{}
	for _, r := range res.Rejected {
		entries = append(entries, rejectlog.Entry{Time: now, Source: source, Row: r.Row, Field: r.Field, Rule: r.Rule, Message: r.Message})
		listed[r.Rule]++
	}
	for _, rule := range slices.Sorted(maps.Keys(res.RejectedByRule)) {
		more := res.RejectedByRule[rule] - listed[rule]
		switch {
		case more == 1:
			// A tally of one would read as one listed row without its row.
			entries = append(entries, rejectlog.Entry{Time: now, Source: source, Rule: rule,
				Message: "1 more row rejected by this rule, not listed one by one"})
		case more > 1:
			entries = append(entries, rejectlog.Entry{Time: now, Source: source, Rule: rule, Count: more,
				Message: fmt.Sprintf("%d more rows rejected by this rule, not listed one by one", more)})
		}
	}
	return entries
}

// logRejections hands the rejections of one processed input to the
// rejection sink. An input whose delivery failed (spool full or failing,
// too many rows) is not recorded: it is sent again — the push client
// retries, the drop folder reads the file again — and the retry is.
func (p *Pipeline) logRejections(ctx context.Context, in Input, res Result, err error) {
	var sinkErr *SinkError
	if p.opts.Rejections == nil || res.RejectedCount() == 0 || errors.As(err, &sinkErr) {
		return
	}
	origin := in.Origin
	if origin == "" {
		origin = res.Name
	}
	if lerr := p.opts.Rejections.Reject(ctx, RejectionEntries(origin, res, time.Now())); lerr != nil {
		p.opts.Logger.Error("rejection log: the rejections of an input were not recorded", "input", res.Name, "err", lerr)
	}
}
