package trend

import (
	"math"
	"math/rand/v2"
)

// This file holds the search over a slopeSet: a bracket (lo, hi] around the
// wanted ranks is shrunk with random samples of the slopes inside it until
// few enough remain to list and select from directly.

// bracket is a half-open slope interval (lo, hi] with the counts of slopes
// ≤ lo and ≤ hi.
type bracket struct {
	lo, hi   float64
	cLo, cHi int64
}

func (b bracket) count() int64 { return b.cHi - b.cLo }

// sampleSize is how many slopes a round samples: about 2n, so that each
// round shrinks the bracket by a factor of order √n.
func (s *slopeSet) sampleSize(count int64) int {
	return int(min(count, max(2*int64(s.n), 4096)))
}

// all lists every slope. It is only called when there are at most limit =
// O(n) of them, the same budget as the final candidate set of a search.
func (s *slopeSet) all() []float64 {
	out := make([]float64, 0, s.total)
	for _, g := range s.groups {
		for i := range g.x {
			for j := i + 1; j < len(g.x); j++ {
				out = append(out, (g.x[j]-g.x[i])/(g.t[j]-g.t[i]))
			}
		}
	}
	return out
}

// Select returns the slopes of the given 1-based ranks, ascending. Adjacent
// ranks (a median of an even count) are found in one search.
func (s *slopeSet) Select(ranks ...int64) []float64 {
	if s.total <= s.limit {
		return selectRanks(s.all(), ranks, s.rng)
	}
	out := make([]float64, 0, len(ranks))
	for i := 0; i < len(ranks); {
		j := i + 1
		for j < len(ranks) && ranks[j] == ranks[j-1]+1 {
			j++
		}
		out = append(out, s.search(ranks[i], ranks[j-1])...)
		i = j
	}
	return out
}

// search finds ranks k1..k2. Each round picks new ends from the sample,
// then makes one pass over the new bracket that counts it and either
// samples it for the next round or, once it is small, lists it; the count
// of slopes below the new lower end runs alongside.
func (s *slopeSet) search(k1, k2 int64) []float64 {
	b := bracket{lo: math.Inf(-1), hi: math.Inf(1), cHi: s.total}
	sample := s.uniformSample(s.sampleSize(s.total))
	for round := 0; round < maxRounds && len(sample) > 0; round++ {
		next, est := s.pickEnds(b, sample, k1, k2)
		s.recycle(sample) // the ends are picked: the pass may write there
		var pass *collector
		next.cLo, pass = s.step(b, next, est)
		next.cHi = next.cLo + pass.seen
		switch {
		case next.cLo >= k2: // every rank lies at or below the new lower end
			b.hi, b.cHi = next.lo, next.cLo
			sample = s.sampleBracket(b)
			continue
		case next.cHi < k1: // every rank lies above the new upper end
			b.lo, b.cLo = next.hi, next.cHi
			sample = s.sampleBracket(b)
			continue
		case next.cLo >= k1:
			return s.split(k1, k2, next.cLo)
		case next.cHi < k2:
			return s.split(k1, k2, next.cHi)
		}
		before := b.count()
		b = next
		if !pass.sample && !pass.overrun {
			vals, ok := s.selectVerified(b, pass.out, k1, k2)
			s.recycle(pass.out)
			if ok {
				return vals
			}
			return s.finish(b, k1, k2)
		}
		sample = pass.out
		if pass.overrun {
			sample = s.sampleBracket(b)
		}
		if b.count() > before/2 {
			if done, vals := s.settleTies(&b, sample, k1, k2); done {
				return vals
			}
			sample = s.sampleBracket(b)
		}
	}
	return s.finish(b, k1, k2)
}

// split searches ranks k1..c and c+1..k2 separately, c being the count
// below an end that fell between them.
func (s *slopeSet) split(k1, k2, c int64) []float64 {
	return append(s.search(k1, c), s.search(c+1, k2)...)
}

// pickEnds places the new ends at sample order statistics three binomial
// standard deviations either side of where ranks k1..k2 are expected, and
// estimates how many slopes the new bracket holds. The new lower end's
// count is filled in by step.
func (s *slopeSet) pickEnds(b bracket, sample []float64, k1, k2 int64) (bracket, float64) {
	m := float64(len(sample))
	count := float64(b.count())
	p1 := float64(k1-b.cLo-1) / count
	p2 := float64(k2-b.cLo) / count
	next := bracket{lo: b.lo, hi: b.hi, cLo: b.cLo}
	first, last := 0, len(sample)
	i := int(math.Floor(p1*m - spread(m, p1)))
	j := int(math.Ceil(p2*m + spread(m, p2)))
	var vi, vj float64
	switch {
	case i >= 0 && j < len(sample):
		vi, vj = selectTwo(sample, i, j, s.rng)
	case i >= 0:
		vi, _ = selectTwo(sample, i, i, s.rng)
	case j < len(sample):
		_, vj = selectTwo(sample, j, j, s.rng)
	}
	if i >= 0 && vi > b.lo && vi < b.hi {
		next.lo, first = vi, i
	}
	if j < len(sample) && vj > next.lo && vj < b.hi {
		next.hi, last = vj, j
	}
	return next, float64(last-first+1) / m * count
}

// spread is the margin, in sample positions, around the expected position
// p·m of a rank: three standard deviations of a binomial(m, p) count.
func spread(m, p float64) float64 {
	p = min(max(p, 0), 1)
	return 3*math.Sqrt(m*p*(1-p)) + 1
}

// step makes the pass over next = (lo, hi]: it lists the slopes when about
// est ≤ 0.8·limit of them are expected (the estimate is good to a few
// per cent), otherwise samples ~2n of them; and,
// if the lower end moved, counts the slopes below it at the same time. It
// returns that count and the pass.
func (s *slopeSet) step(b, next bracket, est float64) (int64, *collector) {
	var c *collector
	if est <= 0.8*float64(s.limit) {
		c = allPairs(s.limit, est, s.floats(int(outCap(s.limit, est))))
	} else {
		m := float64(s.sampleSize(int64(est)))
		c = samplePairs(m/est, int64(4*m), m, s.rng, s.floats(int(outCap(int64(4*m), m))))
	}
	cLo := b.cLo
	if next.lo == b.lo {
		s.flips(next.lo, next.hi, c)
		return cLo, c
	}
	count := help(func() {
		// Keys from the pool S's count returns its own to: that count
		// ran before on the same processor, usually.
		k := getKeys(s.n)
		cLo = s.countLEWith(next.lo, k.a, k.buf)
		keyPool.Put(k)
	})
	s.flips(next.lo, next.hi, c)
	count.join()
	return cLo, c
}

// sampleBracket draws about sampleSize slopes from a bracket whose count
// is known.
func (s *slopeSet) sampleBracket(b bracket) []float64 {
	count := b.count()
	if count <= 0 {
		return nil
	}
	m := s.sampleSize(count)
	c := samplePairs(float64(m)/float64(count), int64(4*m), float64(m), s.rng, s.floats(int(outCap(int64(4*m), float64(m)))))
	s.flips(b.lo, b.hi, c)
	return c.out
}

// selectVerified selects ranks k1..k2 among the listed slopes of b. The
// residual comparison may misplace a slope lying within margin() of an
// end, so the answer is accepted only when it lies farther than that from
// both ends (at an end where the comparison is exact, on the right side).
func (s *slopeSet) selectVerified(b bracket, cand []float64, k1, k2 int64) ([]float64, bool) {
	if k1 <= b.cLo || int64(len(cand)) < k2-b.cLo {
		return nil, false
	}
	rel := make([]int64, 0, k2-k1+1)
	for k := k1; k <= k2; k++ {
		rel = append(rel, k-b.cLo)
	}
	vals := selectRanks(cand, rel, s.rng)
	return vals, clearOf(vals[0], b.lo, s.margin(b.lo), 1) &&
		clearOf(vals[len(vals)-1], b.hi, s.margin(b.hi), -1)
}

// clearOf reports whether v lies more than d beyond end in direction dir
// (+1 above, -1 below), or at least on that side when d is zero.
func clearOf(v, end, d float64, dir float64) bool {
	if math.IsInf(end, 0) {
		return true
	}
	if d == 0 {
		return dir*(v-end) >= 0
	}
	return dir*(v-end) > d
}

// settleTies handles brackets that stop shrinking because many slopes are
// (nearly) equal: the sample value v at the target position either holds
// all the ranks, or the bracket moves to v.
func (s *slopeSet) settleTies(b *bracket, sample []float64, k1, k2 int64) (bool, []float64) {
	pos := float64(k1-b.cLo-1) / float64(b.count()) * float64(len(sample))
	v := sampleAt(sample, int(pos), s.rng)
	lt, le := s.countLT(v), s.countLE(v)
	switch {
	case lt < k1 && k2 <= le:
		return true, s.around(v, k1, k2)
	case le < k1:
		if v > b.lo {
			b.lo, b.cLo = v, le
		}
	case lt >= k2:
		if v < b.hi {
			b.hi, b.cHi = v, le
		}
	default:
		// The ranks straddle the block at v: settle each rank alone.
		var vals []float64
		for k := k1; k <= k2; k++ {
			vals = append(vals, s.search(k, k)...)
		}
		return true, vals
	}
	return false, nil
}

// around answers ranks k1..k2 known to lie in a block of slopes equal to v
// up to margin(v). At v = 0 the classification is exact and so is v.
// Otherwise the block's neighbourhood is listed when it fits; if it does
// not, v itself is returned, within margin(v) of the exact value.
func (s *slopeSet) around(v float64, k1, k2 int64) []float64 {
	if d := 2 * s.margin(v); d > 0 {
		b := bracket{lo: v - d, hi: v + d}
		b.cLo, b.cHi = s.countLE(b.lo), s.countLE(b.hi)
		if b.cLo < k1 && k2 <= b.cHi && b.count() <= s.limit {
			return s.finish(b, k1, k2)
		}
	}
	vals := make([]float64, k2-k1+1)
	for i := range vals {
		vals[i] = v
	}
	return vals
}

// finish lists the slopes of the bracket and selects the ranks among
// them, widening the ends past rounding and trying again when the answer
// lies too close to one. If the candidates then no longer fit in memory (a
// dense block of near-equal slopes), the unverified answer is returned: it
// is within margin() of the exact order statistic.
func (s *slopeSet) finish(b bracket, k1, k2 int64) []float64 {
	var best []float64
	for attempt := 0; attempt < 4; attempt++ {
		c := allPairs(s.limit, float64(b.count()), s.floats(int(outCap(s.limit, float64(b.count())))))
		if n := s.flips(b.lo, b.hi, c); c.overrun || n != b.count() {
			break
		}
		vals, ok := s.selectVerified(b, c.out, k1, k2)
		s.recycle(c.out)
		if vals == nil {
			break
		}
		if best = vals; ok {
			return best
		}
		if !clearOf(vals[0], b.lo, s.margin(b.lo), 1) {
			b.lo -= 4 * s.margin(b.lo)
			b.cLo = s.countLE(b.lo)
		}
		if !clearOf(vals[len(vals)-1], b.hi, s.margin(b.hi), -1) {
			b.hi += 4 * s.margin(b.hi)
			b.cHi = s.countLE(b.hi)
		}
	}
	if best == nil {
		best = s.approximate(b, k1, k2)
	}
	return best
}

// approximate answers from a sample when the bracket cannot be listed: it
// only happens for blocks of slopes equal to within rounding, so any
// member of the block is the answer to that precision.
func (s *slopeSet) approximate(b bracket, k1, k2 int64) []float64 {
	sample := s.sampleBracket(b)
	vals := make([]float64, 0, k2-k1+1)
	for k := k1; k <= k2; k++ {
		if len(sample) == 0 {
			vals = append(vals, b.hi)
			continue
		}
		pos := float64(k-b.cLo-1) / float64(b.count()) * float64(len(sample))
		vals = append(vals, sampleAt(sample, int(pos), s.rng))
	}
	return vals
}

// sampleAt returns the sample value of 0-based rank i, clamped to the
// sample.
func sampleAt(sample []float64, i int, rng *rand.Rand) float64 {
	i = min(max(i, 0), len(sample)-1)
	selectK(sample, i, rng)
	return sample[i]
}

// selectRanks returns the values of the given ascending 1-based ranks of
// a, reordering a.
func selectRanks(a []float64, ranks []int64, rng *rand.Rand) []float64 {
	switch len(ranks) {
	case 1:
		v, _ := selectTwo(a, int(ranks[0]-1), int(ranks[0]-1), rng)
		return []float64{v}
	case 2:
		v, w := selectTwo(a, int(ranks[0]-1), int(ranks[1]-1), rng)
		return []float64{v, w}
	}
	out := make([]float64, 0, len(ranks))
	base := 0
	for _, k := range ranks {
		idx := int(k-1) - base
		if idx == 1 && len(out) > 0 {
			// The next rank after one just selected is the least of
			// what lies above it: one scan, no partitioning.
			selectNext(a[base:])
		} else {
			selectK(a[base:], idx, rng)
		}
		out = append(out, a[base+idx])
		base += idx
	}
	return out
}

// selectTwo returns the values of the 0-based ranks i ≤ j of a,
// reordering a. On long slices it first narrows the search to the values
// between two pivots drawn from a subsample; otherwise, or when the
// pivots miss, it selects by partitioning the whole slice.
func selectTwo(a []float64, i, j int, rng *rand.Rand) (float64, float64) {
	if len(a) >= filterMin {
		if vi, vj, ok := selectTwoFiltered(a, i, j, rng); ok {
			return vi, vj
		}
	}
	return selectTwoPlain(a, i, j, rng)
}

// selectTwoPlain is selectTwo by partitioning the whole slice.
func selectTwoPlain(a []float64, i, j int, rng *rand.Rand) (float64, float64) {
	selectK(a, i, rng)
	switch {
	case j == i:
		return a[i], a[i]
	case j == i+1:
		selectNext(a[i:])
	default:
		selectK(a[i+1:], j-i-1, rng)
	}
	return a[i], a[j]
}

// filterMin is the length from which selectTwo filters first: below it a
// subsample costs about what it saves.
const filterMin = 1 << 12

// selectTwoFiltered is selectTwo by Floyd and Rivest's idea: two values
// of a random subsample of about m^(2/3) bracket ranks i..j with high
// probability; one pass counts the values below the lower one and moves
// those between the two to the front, and the ranks are selected among
// those few. A quickselect on the whole slice makes about three such
// passes with unpredictable branches, and a second one for j. It reports
// false when the bracket misses a rank or would be wide (ranks far
// apart); the answer is exact either way.
func selectTwoFiltered(a []float64, i, j int, rng *rand.Rand) (float64, float64, bool) {
	m := len(a)
	q := int(math.Cbrt(float64(m) * float64(m)))
	fm, fq := float64(m), float64(q)
	pi, pj := float64(i)/fm, float64(j+1)/fm
	li := int(math.Floor(pi*fq - spread(fq, pi)))
	hj := int(math.Ceil(pj*fq + spread(fq, pj)))
	if hj-li > q/4 {
		return 0, 0, false
	}
	sub := make([]float64, q)
	state := rng.Uint64()
	for p := range sub {
		state += 0x9e3779b97f4a7c15 // splitmix64, inlined
		z := state
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		sub[p] = a[int((z>>32)*uint64(m)>>32)]
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	switch {
	case li >= 0 && hj < q:
		lo, hi = selectTwoPlain(sub, li, hj, rng)
	case li >= 0:
		lo, _ = selectTwoPlain(sub, li, li, rng)
	case hj < q:
		_, hi = selectTwoPlain(sub, hj, hj, rng)
	default:
		return 0, 0, false
	}
	// Half the values lie below lo, in no order a branch could predict:
	// the comparisons become flags (conditional sets), and the only
	// branch, taken for the few between the pivots, is predictable.
	below, w := 0, 0
	for p, v := range a {
		lt, le := 0, 0
		if v < lo {
			lt = 1
		}
		if v <= hi {
			le = 1
		}
		below += lt
		if le > lt {
			a[w], a[p] = v, a[w]
			w++
		}
	}
	if below > i || below+w <= j {
		return 0, 0, false
	}
	vi, vj := selectTwoPlain(a[:w], i-below, j-below, rng)
	return vi, vj, true
}

// selectNext moves the least of a[1:] to a[1].
func selectNext(a []float64) {
	m := 1
	for i := 2; i < len(a); i++ {
		if a[i] < a[m] {
			m = i
		}
	}
	a[1], a[m] = a[m], a[1]
}

// selectK reorders a so that a[k] is the value of 0-based rank k, with
// a[:k] ≤ a[k] ≤ a[k+1:]: Hoare's FIND with random pivots. Its scans stop
// on values equal to the pivot, so runs of equal values split evenly.
func selectK(a []float64, k int, rng *rand.Rand) {
	lo, hi := 0, len(a)-1
	for lo < hi {
		p := a[lo+rng.IntN(hi-lo+1)]
		i, j := lo, hi
		for i <= j {
			for a[i] < p {
				i++
			}
			for a[j] > p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}
