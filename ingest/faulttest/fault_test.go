package faulttest

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
)

// TestNoLossUnderFaults pushes 100 000 observations from 8 concurrent
// clients in batches of 500 CSV rows while InfluxDB is stopped for 20 s
// (with the spool bounded so that clients also meet 503 backpressure) and
// the daemon is killed with SIGKILL twice mid-stream — once while
// InfluxDB is down, once while the backlog is being delivered — and
// restarted. Afterwards InfluxDB must hold every acknowledged observation
// exactly once: same count, same checksum (sum of values).
func TestNoLossUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end fault test; skipped with -short")
	}
	const (
		clients = 8
		batch   = 500
		batches = 200
		total   = batch * batches
		outage  = 20 * time.Second
	)
	influx := newInfluxd(t)
	const db = "faulttest"
	if err := influxtest.CreateDatabase(influx.url(), db); err != nil {
		t.Fatal(err)
	}
	// 3 MB of spool holds about 30 000 spooled points: the outage phase
	// pushes more than that, so clients see 503 until delivery resumes.
	d := newDaemon(t, daemonConfig{influxURL: influx.url(), database: db, spoolMaxBytes: 3 << 20})
	d.start(t)

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	queue := make(chan int)
	var acked atomic.Int64
	var ackedSum atomic.Int64
	var stats pushStats
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range queue {
				push(ctx, t, client, d.url(), csvBatch(b*batch, batch), batch, &stats)
				var sum int64
				for k := b * batch; k < (b+1)*batch; k++ {
					sum += int64(rowValue(k))
				}
				ackedSum.Add(sum)
				acked.Add(batch)
			}
		}()
	}
	feed := func(from, to int) {
		for b := from; b < to; b++ {
			select {
			case queue <- b:
			case <-ctx.Done():
				return
			}
		}
	}
	ackedAtLeast := func(n int) func() bool { return func() bool { return acked.Load() >= int64(n) } }

	// Phase 1: all well.
	feed(0, 50)
	waitUntil(t, "phase 1 acknowledged", 2*time.Minute, ackedAtLeast(50*batch))

	// Phase 2: InfluxDB down for 20 s; the daemon is killed mid-stream and
	// restarted while it is down, with undelivered points in its spool.
	influx.stop(t)
	down := time.Now()
	t.Logf("InfluxDB stopped at %d acknowledged", acked.Load())
	go feed(50, 100)
	waitUntil(t, "first pushes during the outage", time.Minute, ackedAtLeast(60*batch))
	d.kill(t)
	t.Logf("daemon killed (SIGKILL) at %d acknowledged, InfluxDB down", acked.Load())
	d.start(t)
	time.Sleep(time.Until(down.Add(outage)))
	influx.start(t)
	t.Logf("InfluxDB restarted after %v at %d acknowledged", time.Since(down).Round(time.Second), acked.Load())
	waitUntil(t, "phase 2 acknowledged", 3*time.Minute, ackedAtLeast(100*batch))

	// Phase 3: killed again while the backlog and new pushes are delivered.
	go feed(100, 150)
	waitUntil(t, "pushes after the outage", time.Minute, ackedAtLeast(115*batch))
	d.kill(t)
	t.Logf("daemon killed (SIGKILL) at %d acknowledged, InfluxDB up", acked.Load())
	d.start(t)
	waitUntil(t, "phase 3 acknowledged", 3*time.Minute, ackedAtLeast(150*batch))

	// Phase 4: all well again.
	feed(150, batches)
	close(queue)
	wg.Wait()
	if t.Failed() {
		return
	}
	d.waitDelivered(t)

	count, sum := influxCountSum(t, influx.url(), db)
	n := acked.Load()
	lost := n - count
	msg := fmt.Sprintf("lost %d of %d (InfluxDB holds %d points, sum %d; acknowledged sum %d; client retries: %d connection errors, %d × 503, %d other 5xx)",
		lost, n, count, sum, ackedSum.Load(), stats.connErrors, stats.status503, stats.otherRetry)
	fmt.Println(msg)
	t.Log(msg)
	if n != total || count != n || sum != ackedSum.Load() {
		t.Errorf("InfluxDB holds %d points with sum %d; want exactly the %d acknowledged (of %d) with sum %d",
			count, sum, n, total, ackedSum.Load())
	}
	if stats.connErrors == 0 {
		t.Error("no client met a connection error: the kills did not happen mid-stream")
	}
	d.terminate(t)
}
