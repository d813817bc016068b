package metrics

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// AnalysisTrigger runs an analysis soon after new data has reached
// InfluxDB, and on an operator's request, besides the engine's schedule
// (analysis.interval): without it a push waits up to an interval before
// /metrics shows it.
//
// It watches a counter of points delivered to InfluxDB (the spool
// sender's), not appends to the spool: an analysis started before the
// delivery would read the old history. Runs are debounced: a run starts
// once the counter has been still for Quiet, or MaxWait after the first
// change when data keeps coming, so a bulk import causes a few runs, not
// one per batch. Runs of the trigger and of the schedule are serialised by
// the engine.
type AnalysisTrigger struct {
	run       func(context.Context) error
	delivered func() int64
	opts      TriggerOptions
	requests  chan chan error
}

// TriggerOptions time the trigger. Zero values take the defaults, which
// put new data on /metrics within about 30 s of its delivery.
type TriggerOptions struct {
	// Poll is how often the delivered counter is read (default 5 s).
	Poll time.Duration
	// Quiet is how long the counter must be still before a run (10 s).
	Quiet time.Duration
	// MaxWait bounds the wait after the first change (30 s).
	MaxWait time.Duration
}

// NewAnalysisTrigger returns a trigger calling run (the engine's RunOnce)
// when delivered grows.
func NewAnalysisTrigger(run func(context.Context) error, delivered func() int64, opts TriggerOptions) *AnalysisTrigger {
	if opts.Poll <= 0 {
		opts.Poll = 5 * time.Second
	}
	if opts.Quiet <= 0 {
		opts.Quiet = 10 * time.Second
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 30 * time.Second
	}
	return &AnalysisTrigger{run: run, delivered: delivered, opts: opts, requests: make(chan chan error)}
}

// Run watches for new data until ctx ends, then returns nil. It also serves
// the requests of Analyze. A failed run is returned to Analyze's caller or,
// for a data-triggered run, left for the next: the published snapshot
// stays the previous one.
func (t *AnalysisTrigger) Run(ctx context.Context) error {
	ticker := time.NewTicker(t.opts.Poll)
	defer ticker.Stop()
	last := t.delivered()
	var firstChange, lastChange time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case reply := <-t.requests:
			last = t.delivered()
			firstChange = time.Time{}
			reply <- t.run(ctx)
		case now := <-ticker.C:
			if n := t.delivered(); n != last {
				last, lastChange = n, now
				if firstChange.IsZero() {
					firstChange = now
				}
			}
			if firstChange.IsZero() || (now.Sub(lastChange) < t.opts.Quiet && now.Sub(firstChange) < t.opts.MaxWait) {
				continue
			}
			firstChange = time.Time{}
			_ = t.run(ctx)
		}
	}
}

// Analyze runs an analysis now, through Run's goroutine, and returns its
// error. It waits for a run in progress to end first.
func (t *AnalysisTrigger) Analyze(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case t.requests <- reply:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// AnalyzeHandler serves POST /api/v1/analyze: it runs an analysis and
// answers 200 with the time it took once the new snapshot is published
// (so /metrics shows it), 401 when allow refuses the Authorization
// header (pushes' tokens), 500 with the error when the run failed.
func AnalyzeHandler(t *AnalysisTrigger, allow func(authorization string) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if !allow(r.Header.Get("Authorization")) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="greenmetrics"`)
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "missing or unknown token: send Authorization: Bearer <push token>"})
			return
		}
		start := time.Now()
		if err := t.Analyze(r.Context()); err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "analysis failed: " + err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"analyzed": true, "took_seconds": time.Since(start).Seconds()})
	})
}
