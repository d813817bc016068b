package spool_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// revisions returns rounds revisions of the same entities × hours points:
// round r gives every point the value r, so the last round is what must
// be stored.
func revisions(entities, hours, rounds int) []models.Observation {
	var obs []models.Observation
	for r := range rounds {
		for h := range hours {
			for e := range entities {
				obs = append(obs, models.Observation{
					Time:      t0.Add(time.Duration(h) * time.Hour),
					Indicator: "pm25",
					Entity:    fmt.Sprintf("station-%d", e), // no space: the checker cuts at the first one
					Value:     float64(r),
					Provider:  "test",
				})
			}
		}
	}
	return obs
}

// appendInChunks appends obs in uneven chunks, so that batches and
// appends do not line up.
func appendInChunks(t *testing.T, sp *spool.Spool, obs []models.Observation) {
	t.Helper()
	for i := 0; i < len(obs); {
		n := min(len(obs)-i, 37+i%91)
		mustAppend(t, sp, obs[i:i+n])
		i += n
	}
}

// orderCheckingWriter stores lines like InfluxDB (the last write of a
// point wins) after a random delay, fails some requests, and records
// every time a point's value went backwards — a later revision
// overtaken by an earlier one.
type orderCheckingWriter struct {
	mu       sync.Mutex
	stored   map[string]float64 // point (series key and time) → value
	regress  []string
	inFlight int
	maxSeen  int
}

func (w *orderCheckingWriter) WriteLines(ctx context.Context, lines ...string) error {
	w.mu.Lock()
	w.inFlight++
	w.maxSeen = max(w.maxSeen, w.inFlight)
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.inFlight--
		w.mu.Unlock()
	}()
	time.Sleep(time.Duration(rand.IntN(400)) * time.Microsecond)
	if rand.IntN(10) == 0 {
		return errors.New("connection reset (injected)")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range lines {
		series, rest, _ := strings.Cut(l, " ")
		_, after, _ := strings.Cut(rest, "value=")
		value, ts, _ := strings.Cut(after, " ")
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return fmt.Errorf("line %q: %w", l, err)
		}
		point := series + " " + ts
		if old, ok := w.stored[point]; ok && v < old {
			w.regress = append(w.regress, fmt.Sprintf("%s: %v after %v", point, v, old))
		}
		w.stored[point] = v
	}
	return nil
}

// Parallel writers must never let an earlier revision of a point land
// after a later one, whatever the timing, failures and retries.
func TestParallelDeliveryKeepsLastWriteWinsPerPoint(t *testing.T) {
	const entities, hours, rounds = 3, 5, 150 // each batch holds every point several times
	for _, conc := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("concurrency %d", conc), func(t *testing.T) {
			sp := open(t, t.TempDir(), spool.Options{SegmentBytes: 64 << 10})
			w := &orderCheckingWriter{stored: map[string]float64{}}
			opts := fastRetry
			opts.Concurrency = conc
			opts.BatchSize = 50
			snd := spool.NewSender(sp, w, opts)
			obs := revisions(entities, hours, rounds)
			appendInChunks(t, sp, obs)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := snd.Drain(ctx); err != nil {
				t.Fatalf("Drain = %v", err)
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			for i, r := range w.regress {
				if i == 5 {
					t.Errorf("… %d regressions in all", len(w.regress))
					break
				}
				t.Errorf("went backwards: %s", r)
			}
			if len(w.stored) != entities*hours {
				t.Errorf("%d points stored, want %d", len(w.stored), entities*hours)
			}
			for p, v := range w.stored {
				if v != rounds-1 {
					t.Errorf("%s = %v, want the last revision %d", p, v, rounds-1)
				}
			}
			if w.maxSeen > conc {
				t.Errorf("%d requests in flight at once, want at most %d", w.maxSeen, conc)
			}
			if st := snd.Stats(); st.PendingPoints != 0 || st.DeliveredPoints != int64(len(obs)) {
				t.Errorf("Stats = pending %d, delivered %d; want 0, %d", st.PendingPoints, st.DeliveredPoints, len(obs))
			}
		})
	}
}

// The same against InfluxDB itself: many revisions of the same figures,
// delivered by four writers, leave exactly the last revision of each.
func TestRealParallelDeliveryStoresTheLastRevision(t *testing.T) {
	st := realStore(t)
	const entities, hours, rounds = 5, 8, 100 // each batch holds every point more than twice
	sp := open(t, t.TempDir(), spool.Options{SegmentBytes: 256 << 10})
	snd := spool.NewSender(sp, st, spool.SenderOptions{BatchSize: 100, Concurrency: 4})
	appendInChunks(t, sp, revisions(entities, hours, rounds))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := snd.Drain(ctx); err != nil {
		t.Fatalf("Drain = %v", err)
	}
	series, err := st.Query(ctx, `SELECT count("value"), min("value"), max("value") FROM "figure"`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 1 || len(series[0].Values) != 1 {
		t.Fatalf("query answered %+v", series)
	}
	row := series[0].Values[0]
	n, _ := store.Float(row[1])
	lo, _ := store.Float(row[2])
	hi, _ := store.Float(row[3])
	if n != entities*hours || lo != rounds-1 || hi != rounds-1 {
		t.Errorf("InfluxDB holds %v points with values %v…%v; want %d, all %d", n, lo, hi, entities*hours, rounds-1)
	}
}
