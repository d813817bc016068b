package spool_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

var t0 = time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai)

// observations returns n distinct observations (one series per entity,
// one hour apart), starting at index from.
func observations(from, n int) []models.Observation {
	obs := make([]models.Observation, n)
	for i := range obs {
		k := from + i
		obs[i] = models.Observation{
			Time:      t0.Add(time.Duration(k) * time.Hour),
			Indicator: "pm25",
			Entity:    fmt.Sprintf("station %d", k%7),
			Value:     float64(k) + 0.5,
			Provider:  "test",
		}
	}
	return obs
}

func linesOf(obs []models.Observation) []string {
	out := make([]string, len(obs))
	for i, o := range obs {
		out[i] = string(store.AppendObservation(nil, o))
	}
	return out
}

func open(t testing.TB, dir string, opts spool.Options) *spool.Spool {
	t.Helper()
	sp, err := spool.Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%s) = %v", dir, err)
	}
	t.Cleanup(func() { sp.Close() })
	return sp
}

func mustAppend(t *testing.T, sp *spool.Spool, obs []models.Observation) {
	t.Helper()
	if err := sp.Append(context.Background(), obs); err != nil {
		t.Fatalf("Append(%d observations) = %v", len(obs), err)
	}
}

// drain reads and acknowledges everything waiting, returning the lines and
// the damaged records skipped.
func drain(t *testing.T, sp *spool.Spool, batch int) (lines []string, damaged int) {
	t.Helper()
	for {
		b, err := sp.TryNext(batch)
		if err != nil {
			t.Fatalf("TryNext = %v", err)
		}
		if b.Empty() {
			return lines, damaged
		}
		if len(b.Lines) > batch {
			t.Fatalf("TryNext(%d) returned %d lines", batch, len(b.Lines))
		}
		lines = append(lines, b.Lines...)
		damaged += b.Damaged
		if err := sp.Ack(b); err != nil {
			t.Fatalf("Ack = %v", err)
		}
	}
}

func equalLines(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("line %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestAppendNextAckRoundTrip(t *testing.T) {
	sp := open(t, t.TempDir(), spool.Options{})
	obs := observations(0, 1234)
	mustAppend(t, sp, obs[:1000])
	mustAppend(t, sp, obs[1000:])
	if st := sp.Stats(); st.PendingPoints != 1234 || st.AppendedPoints != 1234 || st.PendingBytes <= 0 {
		t.Fatalf("Stats after append = %+v, want 1234 pending", st)
	}
	got, damaged := drain(t, sp, 500)
	equalLines(t, got, linesOf(obs))
	if damaged != 0 {
		t.Errorf("damaged = %d, want 0", damaged)
	}
	st := sp.Stats()
	if st.PendingPoints != 0 || st.PendingBytes != 0 || st.OldestPendingAge != 0 {
		t.Errorf("Stats after drain = %+v, want nothing pending", st)
	}
	if st.Latency.Count != 1234 || st.Latency.Counts[len(st.Latency.Counts)-1] > st.Latency.Count {
		t.Errorf("Latency = %+v, want 1234 observations", st.Latency)
	}
}

func TestNextRepeatsUnacknowledgedBatch(t *testing.T) {
	sp := open(t, t.TempDir(), spool.Options{})
	mustAppend(t, sp, observations(0, 10))
	first, err := sp.TryNext(4)
	if err != nil {
		t.Fatal(err)
	}
	again, err := sp.TryNext(4)
	if err != nil {
		t.Fatal(err)
	}
	equalLines(t, again.Lines, first.Lines)
}

func TestNextWaitsForAppend(t *testing.T) {
	sp := open(t, t.TempDir(), spool.Options{})
	got := make(chan spool.Batch)
	go func() {
		b, err := sp.Next(context.Background(), 10)
		if err != nil {
			t.Errorf("Next = %v", err)
		}
		got <- b
	}()
	obs := observations(0, 3)
	mustAppend(t, sp, obs)
	b := <-got
	equalLines(t, b.Lines, linesOf(obs))
}

func TestNextReturnsWhenContextEnds(t *testing.T) {
	sp := open(t, t.TempDir(), spool.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := sp.Next(ctx, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("Next(cancelled) = %v, want context.Canceled", err)
	}
}

func TestReopenReplaysUnacknowledged(t *testing.T) {
	dir := t.TempDir()
	sp, err := spool.Open(dir, spool.Options{SegmentBytes: 2000})
	if err != nil {
		t.Fatal(err)
	}
	obs := observations(0, 100)
	mustAppend(t, sp, obs)
	b, err := sp.TryNext(30)
	if err != nil || len(b.Lines) != 30 {
		t.Fatalf("TryNext(30) = %d lines, %v", len(b.Lines), err)
	}
	if err := sp.Ack(b); err != nil {
		t.Fatal(err)
	}
	unacked, err := sp.TryNext(30) // read but never acknowledged: must come back
	if err != nil || len(unacked.Lines) == 0 {
		t.Fatalf("TryNext = %v", err)
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	sp = open(t, dir, spool.Options{SegmentBytes: 2000})
	if st := sp.Stats(); st.PendingPoints != 70 {
		t.Errorf("pending after reopen = %d, want 70", st.PendingPoints)
	}
	got, _ := drain(t, sp, 1000)
	equalLines(t, got, linesOf(obs[30:]))
	if n := countSegments(t, dir); n != 1 {
		t.Errorf("%d segment files after drain, want 1 (the active one)", n)
	}
}

func countSegments(t *testing.T, dir string) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "segments", "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

func TestSegmentsRotateAndDeleteWhenDelivered(t *testing.T) {
	dir := t.TempDir()
	sp := open(t, dir, spool.Options{SegmentBytes: 4096})
	var all []models.Observation
	for i := range 20 {
		obs := observations(i*50, 50)
		all = append(all, obs...)
		mustAppend(t, sp, obs)
	}
	if n := countSegments(t, dir); n < 10 {
		t.Fatalf("%d segments for ~100 KB in 4 KB segments, want many", n)
	}
	got, _ := drain(t, sp, 77)
	equalLines(t, got, linesOf(all))
	if n := countSegments(t, dir); n != 1 {
		t.Errorf("%d segments after delivery, want 1", n)
	}
	if st := sp.Stats(); st.Segments != 1 || st.PendingBytes != 0 {
		t.Errorf("Stats = %+v, want 1 segment, nothing pending", st)
	}
}

// lastSegment returns the path of the newest segment file.
func lastSegment(t *testing.T, dir string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "segments", "*.seg"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no segments in %s: %v", dir, err)
	}
	sort.Strings(m)
	return m[len(m)-1]
}

func appendToFile(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
}

func TestTornTailIsTruncated(t *testing.T) {
	line := string(store.AppendObservation(nil, observations(999, 1)[0]))
	tails := map[string][]byte{
		"half a record":            []byte("1a2b3c4d figure,entity=x provider=\"a\",value=1"),
		"checksum only":            []byte("deadbeef"),
		"zeros from a lost page":   make([]byte, 4096),
		"complete line, bad crc":   []byte("00000000 " + line + "\n"),
		"bad crc then half record": []byte("00000000 " + line + "\nabc"),
		"garbage without newline":  bytes.Repeat([]byte{0xff, 'x'}, 100_000),
	}
	for name, tail := range tails {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			sp, err := spool.Open(dir, spool.Options{})
			if err != nil {
				t.Fatal(err)
			}
			obs := observations(0, 50)
			mustAppend(t, sp, obs)
			sp.Close()
			seg := lastSegment(t, dir)
			info, _ := os.Stat(seg)
			appendToFile(t, seg, tail)

			sp = open(t, dir, spool.Options{})
			if after, _ := os.Stat(seg); after.Size() != info.Size() {
				t.Errorf("segment is %d bytes after recovery, want %d (torn tail cut)", after.Size(), info.Size())
			}
			more := observations(50, 5)
			mustAppend(t, sp, more)
			got, damaged := drain(t, sp, 1000)
			equalLines(t, got, linesOf(append(obs, more...)))
			if damaged != 0 {
				t.Errorf("damaged = %d, want 0: a torn tail is cut, not skipped", damaged)
			}
		})
	}
}

func TestDamagedRecordInTheMiddleIsSkippedAlone(t *testing.T) {
	dir := t.TempDir()
	sp, err := spool.Open(dir, spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	obs := observations(0, 20)
	mustAppend(t, sp, obs)
	sp.Close()

	seg := lastSegment(t, dir)
	data, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	// Flip one byte inside the value of record 7.
	lines := bytes.SplitAfter(data, []byte("\n"))
	rec := lines[7]
	rec[len(rec)-5] ^= 0x01
	if err := os.WriteFile(seg, bytes.Join(lines, nil), 0o644); err != nil {
		t.Fatal(err)
	}

	sp = open(t, dir, spool.Options{})
	if st := sp.Stats(); st.PendingPoints != 19 {
		t.Errorf("pending = %d, want 19 intact records", st.PendingPoints)
	}
	got, damaged := drain(t, sp, 1000)
	want := linesOf(append(append([]models.Observation{}, obs[:7]...), obs[8:]...))
	equalLines(t, got, want)
	if damaged != 1 || sp.Stats().DamagedRecords != 1 {
		t.Errorf("damaged = %d (stats %d), want 1", damaged, sp.Stats().DamagedRecords)
	}
}

func TestDamagedAckFileReplaysEverything(t *testing.T) {
	dir := t.TempDir()
	sp, err := spool.Open(dir, spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	obs := observations(0, 10)
	mustAppend(t, sp, obs)
	b, _ := sp.TryNext(5)
	if err := sp.Ack(b); err != nil {
		t.Fatal(err)
	}
	sp.Close()
	if err := os.WriteFile(filepath.Join(dir, "ack"), []byte("rubbish"), 0o644); err != nil {
		t.Fatal(err)
	}
	sp = open(t, dir, spool.Options{})
	got, _ := drain(t, sp, 100)
	equalLines(t, got, linesOf(obs))
}

func TestFullSpoolRefusesWithRetryAfter(t *testing.T) {
	obs := observations(0, 10)
	one := len(linesOf(obs[:1])[0]) + 10
	sp := open(t, t.TempDir(), spool.Options{MaxBytes: int64(one * 15)})
	mustAppend(t, sp, obs)

	err := sp.Append(context.Background(), observations(10, 10))
	if !errors.Is(err, spool.ErrFull) || spool.RetryAfter(err) <= 0 {
		t.Fatalf("Append over MaxBytes = %v (retry after %v), want ErrFull with a wait", err, spool.RetryAfter(err))
	}
	if err := sp.Err(); !errors.Is(err, spool.ErrFull) {
		t.Errorf("Err() = %v after a refused append, want ErrFull: readiness says so at once", err)
	}
	if st := sp.Stats(); st.PendingPoints != 10 {
		t.Errorf("pending = %d after a refused append, want 10", st.PendingPoints)
	}
	drain(t, sp, 100)
	if err := sp.Err(); err != nil {
		t.Errorf("Err() = %v once delivery freed room, want nil", err)
	}
	mustAppend(t, sp, observations(10, 10))

	if err := sp.Append(context.Background(), observations(0, 20)); !errors.Is(err, spool.ErrTooLarge) {
		t.Errorf("Append larger than the spool = %v, want ErrTooLarge", err)
	}
}

func TestSecondOpenIsRefused(t *testing.T) {
	dir := t.TempDir()
	open(t, dir, spool.Options{})
	if _, err := spool.Open(dir, spool.Options{}); !errors.Is(err, spool.ErrLocked) {
		t.Errorf("second Open = %v, want ErrLocked", err)
	}
}

func TestAppendAfterCloseFails(t *testing.T) {
	sp, err := spool.Open(t.TempDir(), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sp.Close()
	if err := sp.Append(context.Background(), observations(0, 1)); !errors.Is(err, spool.ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
	if _, err := sp.TryNext(1); !errors.Is(err, spool.ErrClosed) {
		t.Errorf("TryNext after Close = %v, want ErrClosed", err)
	}
}

func TestAppendRefusesLinesThatBreakFraming(t *testing.T) {
	sp := open(t, t.TempDir(), spool.Options{})
	tests := []struct {
		name  string
		lines [][]byte
	}{
		{"newline", [][]byte{[]byte("figure,indicator=a provider=\"a\",value=1 1\nx")}},
		{"empty", [][]byte{{}}},
		{"huge", [][]byte{bytes.Repeat([]byte("a"), 70_000)}},
	}
	for _, tc := range tests {
		if err := sp.AppendLines(context.Background(), tc.lines...); err == nil {
			t.Errorf("AppendLines(%s) = nil, want an error", tc.name)
		}
	}
	if st := sp.Stats(); st.PendingPoints != 0 {
		t.Errorf("pending = %d, want 0", st.PendingPoints)
	}
}

func TestConcurrentAppendsKeepEveryPointOnce(t *testing.T) {
	dir := t.TempDir()
	sp := open(t, dir, spool.Options{SegmentBytes: 64 << 10})
	const clients, calls, per = 8, 40, 25
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range calls {
				if err := sp.Append(context.Background(), observations((c*calls+k)*per, per)); err != nil {
					t.Errorf("Append = %v", err)
					return
				}
			}
		}()
	}
	// A consumer runs alongside, as the Sender does.
	var got []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for len(got) < clients*calls*per {
			b, err := sp.Next(context.Background(), 333)
			if err != nil {
				t.Errorf("Next = %v", err)
				return
			}
			got = append(got, b.Lines...)
			if err := sp.Ack(b); err != nil {
				t.Errorf("Ack = %v", err)
				return
			}
		}
	}()
	wg.Wait()
	<-done
	want := linesOf(observations(0, clients*calls*per))
	sort.Strings(got)
	sort.Strings(want)
	equalLines(t, got, want)
}

func TestSegmentLinesArePlainLineProtocolAfterTheChecksum(t *testing.T) {
	dir := t.TempDir()
	sp := open(t, dir, spool.Options{})
	obs := observations(0, 3)
	mustAppend(t, sp, obs)
	data, err := os.ReadFile(lastSegment(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	var stripped []string
	for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		stripped = append(stripped, l[9:])
	}
	equalLines(t, stripped, linesOf(obs))
}

func TestReadAheadThenAcknowledgeInOrder(t *testing.T) {
	sp := open(t, t.TempDir(), spool.Options{})
	obs := observations(0, 10)
	mustAppend(t, sp, obs)
	first, err := sp.TryNext(4)
	if err != nil {
		t.Fatal(err)
	}
	second, err := sp.TryNextAfter(first, 4)
	if err != nil {
		t.Fatal(err)
	}
	equalLines(t, append(first.Lines, second.Lines...), linesOf(obs[:8]))
	if err := sp.Ack(second); err == nil {
		t.Error("Ack of the second batch before the first = nil, want an error")
	}
	if err := sp.Ack(first); err != nil {
		t.Fatal(err)
	}
	if err := sp.Ack(second); err != nil {
		t.Fatal(err)
	}
	if _, err := sp.TryNextAfter(first, 4); err == nil {
		t.Error("TryNextAfter an acknowledged batch = nil, want an error")
	}
	rest, _ := drain(t, sp, 100)
	equalLines(t, rest, linesOf(obs[8:]))
}

// segmentBytes is the size of all segment files on disk.
func segmentBytes(t *testing.T, dir string) int64 {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "segments", "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, p := range m {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		n += info.Size()
	}
	return n
}

// TestDeliveredActiveSegmentIsReclaimed: once everything in the active
// segment is delivered, its space is given back (a new empty segment
// replaces it) when it holds reclaimMin (1 MiB) or more; a smaller one is
// kept, so that a quiet daemon does not create a file per push. The spool
// reopens with nothing pending.
func TestDeliveredActiveSegmentIsReclaimed(t *testing.T) {
	dir := t.TempDir()
	sp := open(t, dir, spool.Options{})
	small := observations(0, 10)
	mustAppend(t, sp, small)
	drain(t, sp, 1000)
	if n := segmentBytes(t, dir); n == 0 {
		t.Errorf("a delivered active segment of %d points was reclaimed; below 1 MiB it is kept", len(small))
	}
	var big []models.Observation
	for i := 0; segmentBytes(t, dir) < 1<<20; i++ {
		obs := observations(10+i*1000, 1000)
		big = append(big, obs...)
		mustAppend(t, sp, obs)
	}
	got, _ := drain(t, sp, 5000)
	equalLines(t, got, linesOf(big))
	if n, k := segmentBytes(t, dir), countSegments(t, dir); n != 0 || k != 1 {
		t.Errorf("after delivering everything: %d bytes in %d segments, want 0 bytes in 1 (empty) segment", n, k)
	}
	after := observations(900_000, 5)
	mustAppend(t, sp, after)
	got, _ = drain(t, sp, 100)
	equalLines(t, got, linesOf(after))
	sp.Close()
	sp = open(t, dir, spool.Options{})
	if st := sp.Stats(); st.PendingPoints != 0 {
		t.Errorf("reopened spool has %d points pending, want 0", st.PendingPoints)
	}
}

// TestRequestLargerThanSpoolIsTooLarge: under ForRequest, a full spool
// refuses a request whose own data is more than the whole spool with
// ErrTooLarge (no wait would help), and a request that would fit an
// empty spool with ErrFull (waiting helps).
func TestRequestLargerThanSpoolIsTooLarge(t *testing.T) {
	obs := observations(0, 10)
	one := len(linesOf(obs[:1])[0]) + 10
	sp := open(t, t.TempDir(), spool.Options{MaxBytes: int64(one * 15)})
	req := spool.ForRequest(context.Background())
	if err := sp.Append(req, obs); err != nil {
		t.Fatal(err)
	}
	err := sp.Append(req, observations(10, 10))
	if !errors.Is(err, spool.ErrTooLarge) || errors.Is(err, spool.ErrFull) {
		t.Errorf("second part of a request of 20 points into a spool of 15 = %v, want ErrTooLarge", err)
	}
	other := spool.ForRequest(context.Background())
	if err := sp.Append(other, observations(20, 10)); !errors.Is(err, spool.ErrFull) {
		t.Errorf("another request of 10 points into the full spool = %v, want ErrFull", err)
	}
}
