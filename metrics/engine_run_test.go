package metrics

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
)

// TestEngineRunRetriesAFailedFirstRun: a first run that fails (InfluxDB
// down at start) is retried after runRetryWaits, not after the interval
// (an hour here), so the exporter gets a snapshot soon.
func TestEngineRunRetriesAFailedFirstRun(t *testing.T) {
	saved := runRetryWaits
	runRetryWaits = []time.Duration{time.Millisecond}
	t.Cleanup(func() { runRetryWaits = saved })
	mem := &memStore{obs: monthly("rural_sewage_stations_built", 2024, 1, 5), fail: errors.New("influxdb down")}
	var st State
	cat, _ := config.DefaultCatalog()
	a := testAnalysis()
	a.Interval = time.Hour
	e, err := New(Options{Indicators: cat.Indicators()[:3], Analysis: a, Reader: mem, State: &st})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitCondition(t, "a failed first run", func() bool {
		mem.mu.Lock()
		defer mem.mu.Unlock()
		if mem.reads > 0 {
			mem.fail = nil
			return true
		}
		return false
	})
	waitCondition(t, "a snapshot from the retried run", func() bool { return st.Current() != nil })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func waitCondition(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
