package spool_test

import (
	"context"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/store"
)

func realStore(t *testing.T) *store.Store {
	t.Helper()
	srv := influxtest.New(t)
	st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Org: "greenmetrics", Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// countSum reads back how many figure points InfluxDB holds and the
// sum of their values.
func countSum(t *testing.T, st *store.Store) (int64, float64) {
	t.Helper()
	series, err := st.Query(context.Background(), `SELECT count("value"), sum("value") FROM "figure"`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) == 0 || len(series[0].Values) == 0 {
		return 0, 0
	}
	row := series[0].Values[0]
	n, _ := store.Float(row[1])
	sum, _ := store.Float(row[2])
	return int64(n), sum
}

func TestDeliveryToRealInfluxDBIsIdempotent(t *testing.T) {
	st := realStore(t)
	sp := open(t, t.TempDir(), spool.Options{SegmentBytes: 256 << 10})
	snd := spool.NewSender(sp, st, spool.SenderOptions{BatchSize: 5000})
	obs := observations(0, 20_000)
	var want float64
	for _, o := range obs {
		want += o.Value
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for round := range 2 {
		// The second round replays every point, as a restart after a
		// crash between delivery and ack would: still one copy each.
		for i := 0; i < len(obs); i += 1000 {
			mustAppend(t, sp, obs[i:i+1000])
		}
		if err := snd.Drain(ctx); err != nil {
			t.Fatalf("round %d: Drain = %v", round, err)
		}
		n, sum := countSum(t, st)
		if n != int64(len(obs)) || sum != want {
			t.Fatalf("round %d: InfluxDB holds count %d, sum %v; want %d, %v", round, n, sum, len(obs), want)
		}
	}
	if s := snd.Stats(); s.DeliveredPoints != 40_000 || s.PendingPoints != 0 || !s.InfluxUp {
		t.Errorf("Stats = %+v", s)
	}
}

// TestRealPartialWriteDeadLettersOnlyTheBadLine proves bisection against
// InfluxDB 1.8 itself: a string value for the float field "value" is a
// field type conflict, which 1.8 answers with 400 "partial write".
func TestRealPartialWriteDeadLettersOnlyTheBadLine(t *testing.T) {
	st := realStore(t)
	sp := open(t, t.TempDir(), spool.Options{})
	obs := observations(0, 1000)
	var lines [][]byte
	var want float64
	for i, o := range obs {
		lines = append(lines, store.AppendObservation(nil, o))
		want += o.Value
		if i == 500 {
			lines = append(lines, []byte(`figure,entity=conflict,indicator=pm25 provider="test",value="high" 1717171200`))
		}
	}
	if err := sp.AppendLines(context.Background(), lines...); err != nil {
		t.Fatal(err)
	}
	snd := spool.NewSender(sp, st, spool.SenderOptions{BatchSize: 5000})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := snd.Drain(ctx); err != nil {
		t.Fatalf("Drain = %v", err)
	}
	if n, sum := countSum(t, st); n != 1000 || sum != want {
		t.Errorf("InfluxDB holds count %d, sum %v; want 1000, %v", n, sum, want)
	}
	if s := snd.Stats(); s.DeadLetteredPoints != 1 || s.DeliveredPoints != 1000 {
		t.Errorf("Stats = dead %d, delivered %d; want 1, 1000", s.DeadLetteredPoints, s.DeliveredPoints)
	}
	checkDeadLetters(t, sp.DeadLetterDir(), []string{`figure,entity=conflict,indicator=pm25 provider="test",value="high" 1717171200`})
}
