package metrics

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// startTrigger runs a trigger with millisecond timings until the test
// ends; runs reports every run.
func startTrigger(t *testing.T, delivered *atomic.Int64, runErr error) (*AnalysisTrigger, chan struct{}) {
	t.Helper()
	runs := make(chan struct{}, 100)
	trig := NewAnalysisTrigger(func(context.Context) error { runs <- struct{}{}; return runErr },
		delivered.Load, TriggerOptions{Poll: time.Millisecond, Quiet: 5 * time.Millisecond, MaxWait: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = trig.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return trig, runs
}

// waitRun fails the test when no run comes; the bound is a deadlock
// guard, not a timing claim.
func waitRun(t *testing.T, runs chan struct{}) {
	t.Helper()
	select {
	case <-runs:
	case <-time.After(10 * time.Second):
		t.Fatal("no analysis run")
	}
}

func TestTriggerRunsAfterDelivery(t *testing.T) {
	var delivered atomic.Int64
	trig, runs := startTrigger(t, &delivered, nil)
	// Once a request has gone through Run's loop, the loop has read the
	// counter: later deliveries are changes.
	if err := trig.Analyze(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitRun(t, runs)
	delivered.Add(500)
	waitRun(t, runs)
	delivered.Add(1)
	waitRun(t, runs)
}

func TestTriggerNoDeliveryNoRun(t *testing.T) {
	var delivered atomic.Int64
	trig, runs := startTrigger(t, &delivered, nil)
	// A synchronous request goes through Run's loop: when it returns, every
	// earlier poll has happened, and none saw a change.
	if err := trig.Analyze(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitRun(t, runs)
	if len(runs) != 0 {
		t.Errorf("%d runs without a delivery; want only the requested one", len(runs))
	}
}

func TestAnalyzeHandler(t *testing.T) {
	var delivered atomic.Int64
	failing := errors.New("influx down")
	tests := []struct {
		name   string
		runErr error
		auth   string
		want   int
		body   string
	}{
		{"authorised run", nil, "Bearer good", http.StatusOK, `"analyzed":true`},
		{"no token", nil, "", http.StatusUnauthorized, "missing or unknown token"},
		{"failed run", failing, "Bearer good", http.StatusInternalServerError, "influx down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trig, _ := startTrigger(t, &delivered, tt.runErr)
			h := AnalyzeHandler(trig, func(a string) bool { return a == "Bearer good" })
			req := httptest.NewRequest(http.MethodPost, "/api/v1/analyze", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want || !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("POST /api/v1/analyze = %d %s; want %d with %q", rec.Code, rec.Body, tt.want, tt.body)
			}
		})
	}
}
