package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
)

// rejectionEntries turns what the pipeline did with one input into entries
// of the rejection log: the rejections Result lists (the first
// ingest.Options.MaxRejections), then one tally per rule for those beyond,
// so that the monthly report counts every rejected row.
func rejectionEntries(source string, res ingest.Result, now time.Time) []rejectlog.Entry {
	entries := make([]rejectlog.Entry, 0, len(res.Rejected)+len(res.RejectedByRule))
	listed := map[string]int{}
	for _, r := range res.Rejected {
		entries = append(entries, rejectlog.Entry{Time: now, Source: source, Row: r.Row, Field: r.Field, Rule: r.Rule, Message: r.Message})
		listed[r.Rule]++
	}
	rules := make([]string, 0, len(res.RejectedByRule))
	for rule := range res.RejectedByRule {
		rules = append(rules, rule)
	}
	sort.Strings(rules)
	for _, rule := range rules {
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

// loggingProcessor records the rejections of each push in the rejection
// log, for the monthly report. A push refused for want of room (503) is
// not recorded: its client sends it again, and the retry is.
type loggingProcessor struct {
	p   *ingest.Pipeline
	rl  *rejectlog.Log
	log *slog.Logger
}

func (lp loggingProcessor) Process(ctx context.Context, in ingest.Input) (ingest.Result, error) {
	res, err := lp.p.Process(ctx, in)
	var sinkErr *ingest.SinkError
	if ingest.IsBackpressure(err) || errors.As(err, &sinkErr) {
		return res, err
	}
	if lerr := lp.rl.Append(rejectionEntries("push:"+in.Provider, res, time.Now())...); lerr != nil {
		lp.log.Error("rejection log", "err", lerr)
	}
	return res, err
}
