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
			seq, split := allPairs(1<<40, 0), allPairs(1<<40, 0)
			a, b := prepared(), prepared()
			nSeq := mergeItems(a, make([]item, len(a)), seq)
			nSplit := s.mergeSplit(b, make([]item, len(b)), split)
			slices.Sort(seq.out)
			slices.Sort(split.out)
			if nSeq != nSplit || nSeq != seq.seen || nSplit != split.seen || !slices.Equal(seq.out, split.out) {
				t.Fatalf("%s n=%d: split pass %d pairs (%d listed), sequential %d (%d listed)", g.name, n, nSplit, len(split.out), nSeq, len(seq.out))
			}
			sampled := samplePairs(0.1, 1<<40, 0, s.rng)
			if got := s.mergeSplit(prepared(), make([]item, len(p.x)), sampled); got != nSeq || sampled.seen != nSeq {
				t.Fatalf("%s n=%d: sampled split pass %d pairs, seen %d; want %d", g.name, n, got, sampled.seen, nSeq)
			}
		}
	}
}
