package spool_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

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

// TestMarksOfQueuedBatchesGoTogether: when InfluxDB is slower than the
// reader, the batches delivered one after another have their marks
// written in one request — far fewer requests than batches — and still
// every batch is acknowledged only after its marks: at each request of
// marks, what is stored of the data is more than what is acknowledged.
func TestMarksOfQueuedBatchesGoTogether(t *testing.T) {
	for _, conc := range []int{1, 2} {
		t.Run(fmt.Sprintf("concurrency=%d", conc), func(t *testing.T) {
			var sp *spool.Spool
			var mu sync.Mutex
			markRequests, dataRequests, storedData := 0, 0, 0
			var unsafe []string
			fake := &fakeInflux{}
			fake.fault = func(_ int, lines []string, _ http.ResponseWriter, _ *http.Request) bool {
				if !strings.HasPrefix(lines[0], store.MeasurementRollupMark) {
					time.Sleep(10 * time.Millisecond) // a busy InfluxDB
					mu.Lock()
					dataRequests++
					storedData += len(lines)
					mu.Unlock()
					return false
				}
				mu.Lock()
				defer mu.Unlock()
				markRequests++
				if acked := 100 - int(sp.Stats().PendingPoints); acked >= storedData {
					unsafe = append(unsafe, fmt.Sprintf("marks with %d points acknowledged and %d stored", acked, storedData))
				}
				return false
			}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			sp = open(t, t.TempDir(), spool.Options{})
			obs := observations(0, 100)
			for i := range obs { // pm25 over five Shanghai months
				obs[i].Time = obs[i].Time.AddDate(0, i/20, 0)
			}
			mustAppend(t, sp, obs)
			opts := spool.SenderOptions{RetryMin: fastRetry.RetryMin, RetryMax: fastRetry.RetryMax, BatchSize: 5, Concurrency: conc, Marks: store.MarkLines}
			snd := spool.NewSender(sp, newStoreFor(t, srv.URL), opts)
			if err := snd.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			if st := snd.Stats(); st.PendingPoints != 0 || st.DeliveredPoints != 100 {
				t.Errorf("pending %d, delivered %d; want 0 and 100", st.PendingPoints, st.DeliveredPoints)
			}
			mu.Lock()
			defer mu.Unlock()
			batches := 100 / (5 * conc)
			if markRequests == 0 || markRequests > batches/3 {
				t.Errorf("%d requests of marks for %d batches (%d data requests); want them written together", markRequests, batches, dataRequests)
			}
			if len(unsafe) > 0 {
				t.Errorf("batches acknowledged before their marks were written: %v", unsafe)
			}
			months := map[string]bool{}
			for _, l := range fake.storedLines() {
				if strings.HasPrefix(l, store.MeasurementRollupMark+",indicator=pm25 ") {
					months[l[strings.LastIndexByte(l, ' ')+1:]] = true
				}
			}
			if len(months) != 5 {
				t.Errorf("marks stored for %d months; want 5", len(months))
			}
		})
	}
}
