package faulttest

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
)

// TestTwoDaemonsStoreWhatOneDoes sends the same 20 000 observations once
// through a single daemon into one database and once split across two
// daemons (each with its own spool, as behind a load balancer) into
// another, and checks that the two databases hold identical point sets.
func TestTwoDaemonsStoreWhatOneDoes(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test; skipped with -short")
	}
	const batch, batches = 500, 40
	single := influxtest.New(t)
	split := influxtest.New(t)
	one := newDaemon(t, daemonConfig{influxURL: single.URL, database: single.Database})
	a := newDaemon(t, daemonConfig{influxURL: split.URL, database: split.Database})
	b := newDaemon(t, daemonConfig{influxURL: split.URL, database: split.Database})
	for _, d := range []*daemon{one, a, b} {
		d.start(t)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	client := &http.Client{Timeout: 30 * time.Second}
	var stats pushStats
	var wg sync.WaitGroup
	for i := range batches {
		body := csvBatch(i*batch, batch)
		target := a
		if i%2 == 1 {
			target = b
		}
		wg.Add(2)
		go func() { defer wg.Done(); push(ctx, t, client, one.url(), body, batch, &stats) }()
		go func() { defer wg.Done(); push(ctx, t, client, target.url(), body, batch, &stats) }()
	}
	wg.Wait()
	for _, d := range []*daemon{one, a, b} {
		d.waitDelivered(t)
	}

	want := points(t, single)
	got := points(t, split)
	if len(want) != batch*batches {
		t.Fatalf("single daemon stored %d points, want %d", len(want), batch*batches)
	}
	if len(got) != len(want) {
		t.Fatalf("two daemons stored %d points, one daemon %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("point %d: two daemons stored %s, one daemon %s", i, got[i], want[i])
		}
	}
	t.Logf("one daemon and two daemons stored the same %d points", len(want))
	for _, d := range []*daemon{one, a, b} {
		d.terminate(t)
	}
}

// points returns every figure point of srv as sorted text.
func points(t *testing.T, srv influxtest.Server) []string {
	t.Helper()
	st := openStore(t, srv.URL, srv.Database)
	series, err := st.Query(context.Background(), `SELECT "value", "provider", "indicator", "entity" FROM "figure"`, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range series {
		for _, row := range s.Values {
			out = append(out, fmt.Sprint(row...))
		}
	}
	sort.Strings(out)
	return out
}
