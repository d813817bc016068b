package trend

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMergeSplitMatchesSequential checks that a pass sorted in two halves
// on two goroutines walks the same pairs as the sequential merge: the same
// count, the same listed slopes, the same number passed to a sampler
// (run with -race as well).
func TestMergeSplitMatchesSequential(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, g := range generators {
		for _, n := range []int{33, 1000, 2001} {
			p := seriesPoints(g.gen(r, n))
			if len(p.x) < 2 {
				continue
			}
			s := newSlopeSet([]points{p})
			ends := s.uniformSample(300)
			slices.Sort(ends)
			lo, hi := ends[130], ends[170]
			if lo == hi {
				lo = math.Inf(-1)
			}
			prepared := func() []item {
				it := make([]item, len(p.x))
				orderKeys(it, p, lo)
				if !math.IsInf(lo, -1) {
					radixSortItems(it, make([]item, len(it)))
				}
				for q := range it {
					it[q].k = itemKey(it[q], hi)
				}
				return it
			}
			seq, split := allPairs(1<<40, 0, nil), allPairs(1<<40, 0, nil)
			a, b := prepared(), prepared()
			nSeq := mergeItems(a, make([]item, len(a)), seq)
			nSplit := s.mergeSplit(b, make([]item, len(b)), split)
			slices.Sort(seq.out)
			slices.Sort(split.out)
			if nSeq != nSplit || nSeq != seq.seen || nSplit != split.seen || !slices.Equal(seq.out, split.out) {
				t.Fatalf("%s n=%d: split pass %d pairs (%d listed), sequential %d (%d listed)", g.name, n, nSplit, len(split.out), nSeq, len(seq.out))
			}
			sampled := samplePairs(0.1, 1<<40, 0, s.rng, nil)
			if got := s.mergeSplit(prepared(), make([]item, len(p.x)), sampled); got != nSeq || sampled.seen != nSeq {
				t.Fatalf("%s n=%d: sampled split pass %d pairs, seen %d; want %d", g.name, n, got, sampled.seen, nSeq)
			}
		}
	}
}

// TestListItemsMatchesMerge checks that the insertion sort of a listing
// pass walks the same pairs as the merge sort, with a collector that holds
// them all and with one that overruns early (the insertion then finishes
// by merge sort), and leaves the items in the same order.
func TestListItemsMatchesMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for _, g := range generators {
		for _, n := range []int{2, 33, 1000} {
			p := seriesPoints(g.gen(r, n))
			if len(p.x) < 2 {
				continue
			}
			s := newSlopeSet([]points{p})
			ends := s.uniformSample(300)
			slices.Sort(ends)
			lo, hi := ends[100], ends[200]
			it := make([]item, len(p.x))
			orderKeys(it, p, lo)
			radixSortItems(it, make([]item, len(it)))
			for q := range it {
				it[q].k = itemKey(it[q], hi)
			}
			merged := allPairs(1<<40, 0, nil)
			a := slices.Clone(it)
			want := mergeItems(a, make([]item, len(a)), merged)
			slices.Sort(merged.out)
			for _, limit := range []int64{1 << 40, want / 3} {
				listed := allPairs(limit, 0, nil)
				b := slices.Clone(it)
				got := listItems(b, make([]item, len(b)), listed)
				slices.Sort(listed.out)
				if got != want || listed.seen != want || !slices.Equal(a, b) {
					t.Fatalf("%s n=%d limit %d: insertion %d pairs (seen %d), merge %d", g.name, n, limit, got, listed.seen, want)
				}
				if !listed.overrun && !slices.Equal(listed.out, merged.out) {
					t.Fatalf("%s n=%d: insertion listed %d slopes, merge %d", g.name, n, len(listed.out), len(merged.out))
				}
				if limit < want && !listed.overrun {
					t.Fatalf("%s n=%d: %d pairs beyond a limit of %d without an overrun", g.name, n, want, limit)
				}
			}
		}
	}
}

// TestRadixSortTopMatchesFull checks that sorting by the top digits and
// then by insertion gives radixSortItems's order, equal keys included,
// also when the keys differ only in their low bits (the insertion then
// gives up and the low passes run).
func TestRadixSortTopMatchesFull(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	keys := map[string]func(i int) uint64{
		"normal":      func(int) uint64 { return orderedBits(r.NormFloat64()) },
		"ties":        func(int) uint64 { return orderedBits(float64(r.IntN(30))) },
		"low bits":    func(int) uint64 { return orderedBits(1e6 + 1e-9*float64(r.IntN(1<<20))) },
		"ascending":   func(i int) uint64 { return orderedBits(float64(i)) },
		"descending":  func(i int) uint64 { return orderedBits(-float64(i) * 1e-12) },
		"crowded top": func(i int) uint64 { return orderedBits(1 + 0x1p-40*float64(r.IntN(1<<12))) },
	}
	for name, key := range keys {
		for _, n := range []int{1, 63, 64, 1000, 20000} {
			it := make([]item, n)
			for i := range it {
				it[i] = item{k: key(i), i: int32(n - 1 - i)}
			}
			want, got := slices.Clone(it), slices.Clone(it)
			radixSortItems(want, make([]item, n))
			radixSortItemsTop(got, make([]item, n))
			if !slices.Equal(got, want) {
				t.Fatalf("%s n=%d: orders differ", name, n)
			}
		}
	}
}

// TestLongSeriesSlopeRanks runs the search on a series long enough that a
// round's sample (2n slopes) exceeds the collectors' capacity cap (2²⁰),
// and checks the median's ranks by counting: fewer than k slopes below
// each middle slope, at least k up to it.
func TestLongSeriesSlopeRanks(t *testing.T) {
	if testing.Short() {
		t.Skip("a series of 6·10⁵ values")
	}
	x := make([]float64, 600_002) // n(n-1)/2 odd: one middle slope
	r := rand.New(rand.NewPCG(5, 6))
	for i := range x {
		x[i] = r.NormFloat64() + 1e-5*float64(i)
	}
	res, err := Original(x, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	set := newSlopeSet([]points{seriesPoints(x)})
	defer set.release()
	k := (set.total + 1) / 2
	if lt, le := set.countLT(res.Slope), set.countLE(res.Slope); !(lt < k && k <= le) {
		t.Fatalf("slope %v: %d slopes below, %d up to it; the median has rank %d of %d", res.Slope, lt, le, k, set.total)
	}
}
