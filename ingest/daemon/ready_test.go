package daemon_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/daemon"
	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/store"
)

// blockedSetup is a spool holding points and a Sender to st that tries
// once and then waits an hour: whatever readiness says after the first
// failed write, it says after exactly one answer.
func blockedSetup(t *testing.T, st *store.Store) (*spool.Spool, *spool.Sender, func() error) {
	t.Helper()
	sp, err := spool.Open(t.TempDir(), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	if err := sp.Append(context.Background(), observations(20)); err != nil {
		t.Fatal(err)
	}
	// One writer: with more, each would send its share and be refused.
	snd := spool.NewSender(sp, st, spool.SenderOptions{RetryMin: time.Hour, RetryMax: time.Hour, Concurrency: 1})
	return sp, snd, daemon.Ready(sp, snd, time.Hour, nil)
}

// runUntilFirstFailure runs the Sender until InfluxDB has refused one
// write of kind, then stops it.
func runUntilFirstFailure(t *testing.T, snd *spool.Sender, kind string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = snd.Run(ctx) }()
	waitUntil(t, "the first refused write ("+kind+")", func() bool { return snd.Stats().WriteErrors[kind] > 0 })
	cancel()
	wg.Wait()
	if n := snd.Stats().WriteErrors[kind]; n != 1 {
		t.Fatalf("%d refused writes, want exactly 1", n)
	}
}

// TestReadyLeavesRotationWhenTheDatabaseIsMissing: the real InfluxDB
// answers 404 for a database that does not exist; readiness turns not
// ready on that first answer, naming the status and InfluxDB's message,
// and ready again once the database exists and a write succeeds.
func TestReadyLeavesRotationWhenTheDatabaseIsMissing(t *testing.T) {
	srv := influxtest.New(t)
	db := srv.Database + "_missing"
	t.Cleanup(func() { _ = influxtest.Exec(srv.URL, "DROP DATABASE "+db) })
	st, err := store.New(store.Config{URL: srv.URL, Bucket: db + "/autogen", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	sp, snd, ready := blockedSetup(t, st)
	runUntilFirstFailure(t, snd, spool.KindNotFound)
	err = ready()
	if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "database not found") {
		t.Fatalf("Ready after a 404 = %v, want not ready naming 404 and InfluxDB's message", err)
	}

	if err := influxtest.CreateDatabase(srv.URL, db); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := snd.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ready(); err != nil {
		t.Errorf("Ready after a successful write = %v, want ready", err)
	}
	if st := sp.Stats(); st.PendingPoints != 0 {
		t.Errorf("%d points pending after the drain, want 0", st.PendingPoints)
	}
}

// TestReadyLeavesRotationOnAuthFailures: 401 and 403 (a fake InfluxDB
// injects them) take the daemon out of rotation on the first answer, and
// a successful write brings it back.
func TestReadyLeavesRotationOnAuthFailures(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var refuse atomic.Bool
			refuse.Store(true)
			fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if refuse.Load() && r.URL.Path != "/ping" {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(status)
					_, _ = w.Write([]byte(`{"code":"unauthorized","message":"authorization failed"}`))
					return
				}
				w.WriteHeader(http.StatusNoContent)
			}))
			t.Cleanup(fake.Close)
			st, err := store.New(store.Config{URL: fake.URL, Bucket: "db/autogen", Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(st.Close)
			_, snd, ready := blockedSetup(t, st)
			runUntilFirstFailure(t, snd, spool.KindAuth)
			err = ready()
			if err == nil || !strings.Contains(err.Error(), http.StatusText(status)) || !strings.Contains(err.Error(), "authorization failed") {
				t.Fatalf("Ready after a %d = %v, want not ready naming the status and InfluxDB's message", status, err)
			}
			refuse.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := snd.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			if err := ready(); err != nil {
				t.Errorf("Ready after a successful write = %v, want ready", err)
			}
		})
	}
}
