package spool_test

import (
	"context"
	"testing"

	"github.com/greenmetrics/greenmetrics/ingest/spool"
)

// BenchmarkAppend is one client appending batches of 500 observations,
// each fsync'ed before Append returns.
func BenchmarkAppend(b *testing.B) {
	sp := open(b, b.TempDir(), spool.Options{MaxBytes: 1 << 40})
	obs := observations(0, 500)
	b.ResetTimer()
	for b.Loop() {
		if err := sp.Append(context.Background(), obs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(obs))/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkAppendParallel is many clients at once: group commit lets them
// share fsyncs, so throughput should rise well above BenchmarkAppend's.
func BenchmarkAppendParallel(b *testing.B) {
	sp := open(b, b.TempDir(), spool.Options{MaxBytes: 1 << 40})
	obs := observations(0, 500)
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := sp.Append(context.Background(), obs); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*len(obs))/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkReadAck is the sender's side without InfluxDB: read a batch
// of 5000 records, acknowledge it.
func BenchmarkReadAck(b *testing.B) {
	sp := open(b, b.TempDir(), spool.Options{MaxBytes: 1 << 40})
	obs := observations(0, 5000)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if err := sp.Append(context.Background(), obs); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		batch, err := sp.TryNext(5000)
		if err != nil || len(batch.Lines) != len(obs) {
			b.Fatalf("TryNext = %d lines, %v", len(batch.Lines), err)
		}
		if err := sp.Ack(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(obs))/b.Elapsed().Seconds(), "points/s")
}
