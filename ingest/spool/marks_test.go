package spool_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/store"
)

// TestMarksAfterDataBeforeAck: the Sender writes a batch's marks after
// every share of its data is stored and before it acknowledges the batch;
// a crash between the data and the marks leaves the batch in the spool,
// and the replay writes both, the marks last.
func TestMarksAfterDataBeforeAck(t *testing.T) {
	var mu sync.Mutex
	var kinds []string // per request: "data" or "marks"
	ctx, crash := context.WithCancel(context.Background())
	crashed := false
	fake := &fakeInflux{}
	fake.fault = func(_ int, lines []string, w http.ResponseWriter, _ *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		kind := "data"
		if strings.HasPrefix(lines[0], store.MeasurementRollupMark) {
			kind = "marks"
			if !crashed {
				// The process dies before the marks reach InfluxDB.
				crashed = true
				crash()
				influxError(w, http.StatusServiceUnavailable, "gone")
				return true
			}
		}
		kinds = append(kinds, kind)
		return false
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	dir := t.TempDir()
	sp := open(t, dir, spool.Options{})
	obs := observations(0, 100)
	for i := range obs { // pm25 over five Shanghai months
		obs[i].Time = obs[i].Time.AddDate(0, i/20, 0)
	}
	mustAppend(t, sp, obs)
	opts := spool.SenderOptions{RetryMin: fastRetry.RetryMin, RetryMax: fastRetry.RetryMax, BatchSize: 1000, Concurrency: 2, Marks: store.MarkLines}
	if err := spool.NewSender(sp, newStoreFor(t, srv.URL), opts).Drain(ctx); err == nil {
		t.Fatal("Drain through the crash = nil; want the context's error")
	}
	if got := sp.Stats().PendingPoints; got != 100 {
		t.Fatalf("pending after a crash between data and marks = %d; want 100 (not acknowledged)", got)
	}
	for _, l := range fake.storedLines() {
		if strings.HasPrefix(l, store.MeasurementRollupMark) {
			t.Fatalf("a mark was stored before the crash: %s", l)
		}
	}
	mu.Lock()
	kinds = nil
	mu.Unlock()

	sp.Close()
	sp = open(t, dir, spool.Options{})
	if err := spool.NewSender(sp, newStoreFor(t, srv.URL), opts).Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sp.Stats().PendingPoints; got != 0 {
		t.Errorf("pending after the replay = %d; want 0", got)
	}
	mu.Lock()
	if len(kinds) < 2 || kinds[len(kinds)-1] != "marks" || strings.Count(strings.Join(kinds, " "), "marks") != 1 {
		t.Errorf("requests of the replay = %v; want the data, then one request of marks", kinds)
	}
	mu.Unlock()
	marks := 0
	for _, l := range fake.storedLines() {
		if strings.HasPrefix(l, store.MeasurementRollupMark+",indicator=pm25 ") {
			marks++
		}
	}
	if want := len(store.MarkLines(linesOf(obs))); marks != want || want != 5 {
		t.Errorf("marks stored = %d; want one per Shanghai month touched, %d (5)", marks, want)
	}
}
