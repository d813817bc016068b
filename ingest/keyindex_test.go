package ingest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// The index with a tiny budget, spilling run after run, answers every
// lookup as a plain map does, in any order of keys and periods.
func TestKeyIndexSpilledAnswersLikeAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := newKeyIndex(100, t.TempDir())
	defer x.close()
	ref := map[uint64]keyState{}
	type k struct {
		key, series uint64
		t           int64
	}
	var keys []k
	for i := range 5000 {
		// Ten series, periods in random order, some keys reused.
		var kk k
		if len(keys) > 0 && rng.IntN(4) == 0 {
			kk = keys[rng.IntN(len(keys))]
		} else {
			kk = k{key: rng.Uint64(), series: uint64(rng.IntN(10)), t: rng.Int64N(1e12)}
			keys = append(keys, kk)
		}
		got, ok, err := x.get(kk.key, kk.series, kk.t)
		if err != nil {
			t.Fatal(err)
		}
		want, wantOK := ref[kk.key]
		if ok != wantOK || got != want {
			t.Fatalf("lookup %d of %x = %+v %v, want %+v %v", i, kk.key, got, ok, want, wantOK)
		}
		st := keyState{bits: rng.Uint64(), row: int32(i), at: int32(rng.IntN(5000))}
		if ok && rng.IntN(2) == 0 {
			st = got
			st.at = keyConflicted
		}
		x.put(kk.key, kk.series, kk.t, st)
		ref[kk.key] = st
		if !ok && rng.IntN(20) == 0 {
			// A new key held back at flush leaves the index; its span stays.
			x.remove(kk.key)
			delete(ref, kk.key)
		}
		if i%37 == 0 {
			if err := x.spill(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(x.runs) < 10 {
		t.Errorf("%d runs spilled, want the test to exercise many", len(x.runs))
	}
	if len(x.mem) > 100+37 {
		t.Errorf("%d keys in memory, budget 100", len(x.mem))
	}
}

// shuffledFigures is a CSV of hourly figures at three stations, each
// figure sent once to three times — the same value (a duplicate) or
// another (a conflict) — in random order.
func shuffledFigures(seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 7))
	var rows []string
	for h := range 800 {
		for s := range 3 {
			ts := fmt.Sprintf("2023-%02d-%02d %02d:00", 1+h/(24*28), 1+(h/24)%28, h%24)
			v := float64(rng.IntN(300))
			for range 1 + rng.IntN(3) {
				w := v
				if rng.IntN(5) == 0 {
					w = v + 1
				}
				rows = append(rows, fmt.Sprintf("%s,pm25,station-%d,%g,ug/m3", ts, s, w))
			}
		}
	}
	rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	return "time,indicator,entity,value,unit\n" + strings.Join(rows, "\n") + "\n"
}

// The bounded index (a budget of 64 keys, so nearly every lookup of an
// earlier key goes to a run on disk) rejects exactly what the in-memory
// index does, with the same messages, and delivers the same rows.
func TestBoundedIndexRejectsLikeTheInMemoryOne(t *testing.T) {
	in := shuffledFigures(42)
	run := func(budget int) (Result, []string) {
		p, sink := newTestPipeline(t, Options{BatchSize: 50, MaxRejections: 1 << 20, IndexMemoryKeys: budget, IndexSpillDir: t.TempDir()})
		res, err := process(t, p, "shuffled.csv", in)
		if err != nil {
			t.Fatal(err)
		}
		checkCounts(t, res)
		var got []string
		for _, o := range sink.all() {
			got = append(got, fmt.Sprintf("%s %s %s %g", o.Time, o.Indicator, o.Entity, o.Value))
		}
		return res, got
	}
	want, wantObs := run(1 << 30)
	got, gotObs := run(64)
	if want.Duplicates == 0 || want.RejectedByRule[RuleConflictingDuplicate] == 0 {
		t.Fatalf("the input has %d duplicates and %v rejections: it tests nothing", want.Duplicates, want.RejectedByRule)
	}
	delivered := 0
	for _, rej := range want.Rejected {
		if strings.Contains(rej.Message, "already delivered in an earlier batch") {
			delivered++
		}
	}
	if delivered == 0 {
		t.Fatal("no conflict with a row of an earlier batch: the spilled keys are not put to the test")
	}
	if got.Accepted != want.Accepted || got.Duplicates != want.Duplicates || !reflect.DeepEqual(got.RejectedByRule, want.RejectedByRule) {
		t.Errorf("bounded: accepted %d, duplicates %d, rejected %v; in memory: %d, %d, %v",
			got.Accepted, got.Duplicates, got.RejectedByRule, want.Accepted, want.Duplicates, want.RejectedByRule)
	}
	if !reflect.DeepEqual(got.Rejected, want.Rejected) {
		for i := range min(len(got.Rejected), len(want.Rejected)) {
			if got.Rejected[i] != want.Rejected[i] {
				t.Errorf("rejection %d:\nbounded   %+v\nin memory %+v", i, got.Rejected[i], want.Rejected[i])
				break
			}
		}
		t.Errorf("%d rejections bounded, %d in memory", len(got.Rejected), len(want.Rejected))
	}
	if !reflect.DeepEqual(gotObs, wantObs) {
		t.Errorf("bounded delivered %d observations, in memory %d, not the same", len(gotObs), len(wantObs))
	}
}

// BenchmarkProcessSpilledIndex is BenchmarkProcessLongCSV's 100 000 rows
// with the duplicate index in memory and with a budget of 8 192 keys
// (twelve runs on disk), on the rows sorted by time and shuffled: what
// the bounded index costs per row when the period spans answer, and when
// the Bloom filters must.
func BenchmarkProcessSpilledIndex(b *testing.B) {
	const rows = 100_000
	sorted := longCSV(rows)
	lines := strings.Split(strings.TrimSuffix(string(sorted), "\n"), "\n")
	body := lines[1:]
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })
	shuffled := []byte(lines[0] + "\n" + strings.Join(body, "\n") + "\n")
	cat := testCatalog(b)
	for _, bc := range []struct {
		name   string
		data   []byte
		budget int
	}{
		{"in memory", sorted, 1 << 30},
		{"spilled sorted", sorted, 8192},
		{"spilled shuffled", shuffled, 8192},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink := &discardSink{}
				p, err := NewPipeline(cat, nil, sink, Options{IndexMemoryKeys: bc.budget, IndexSpillDir: b.TempDir()})
				if err != nil {
					b.Fatal(err)
				}
				res, err := p.Process(context.Background(), Input{Name: "bench.csv", Reader: bytes.NewReader(bc.data)})
				if err != nil {
					b.Fatal(err)
				}
				if res.Accepted != rows {
					b.Fatalf("accepted %d, want %d (rejected %v)", res.Accepted, rows, res.RejectedByRule)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
}

// BenchmarkProcessIndexBudget is a million rows of the air replay through
// the pipeline with several key budgets: a smaller map misses the CPU
// caches less on every new key, and spills more often.
func BenchmarkProcessIndexBudget(b *testing.B) {
	const rows = 1_000_000
	data := longCSV(rows)
	cat := testCatalog(b)
	for _, budget := range []int{1 << 15, 1 << 16, 1 << 17, 1 << 18} {
		b.Run(fmt.Sprintf("budget=%d", budget), func(b *testing.B) {
			for b.Loop() {
				p, err := NewPipeline(cat, nil, &discardSink{}, Options{IndexMemoryKeys: budget, IndexSpillDir: b.TempDir()})
				if err != nil {
					b.Fatal(err)
				}
				res, err := p.Process(context.Background(), Input{Name: "bench.csv", Reader: bytes.NewReader(data)})
				if err != nil {
					b.Fatal(err)
				}
				if res.Accepted != rows {
					b.Fatalf("accepted %d, want %d (rejected %v)", res.Accepted, rows, res.RejectedByRule)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
}
