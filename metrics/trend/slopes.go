package trend

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// points is one group of observations in time order: t holds the original
// slot positions (strictly increasing), x the values. Slopes are formed only
// between points of the same group (a season, a site).
type points struct {
	t, x []float64
}

// slopeSet is the multiset of pairwise slopes (x_j - x_i)/(t_j - t_i), i < j,
// taken within each group. It is never materialised: ranks are found by
// randomised slope selection (Matoušek 1991; Dillencourt, Mount & Netanyahu
// 1992), whose primitive is that, for a threshold θ, the number of slopes
// ≤ θ equals the number of pairs i < j with r_j ≤ r_i, r = x - θ·t — an
// inversion count, O(n log n).
type slopeSet struct {
	groups  []points
	n       int   // points over all groups
	total   int64 // slopes over all groups
	maxAbsX float64
	maxT    float64
	limit   int64 // most candidate slopes held for the final selection
	rng     *rand.Rand
	r, buf  []uint64 // scratch for counting
	r2      []uint64 // scratch for a second, concurrent count
	buf2    []uint64
	items   []item // scratch for flips
	ibuf    []item
}

// item is a point in a permutation: k is its sort key (orderedBits of a
// float), i its index.
type item struct {
	k uint64
	i int32
}

const (
	// enumCap is the floor on how many candidate slopes may be held in
	// memory for the final exact selection; above it the interval is
	// contracted further. The working cap is max(enumCap, 4n), keeping
	// memory O(n).
	enumCap = 1 << 14
	// maxRounds bounds the contraction loop; each round shrinks the
	// candidate interval by a factor ~√m, so a handful always suffices.
	maxRounds = 48
)

func newSlopeSet(groups []points) *slopeSet {
	s := &slopeSet{groups: groups}
	for _, g := range groups {
		m := int64(len(g.x))
		s.n += len(g.x)
		s.total += m * (m - 1) / 2
		for _, v := range g.x {
			s.maxAbsX = max(s.maxAbsX, math.Abs(v))
		}
		if len(g.t) > 0 {
			s.maxT = max(s.maxT, math.Abs(g.t[0]), math.Abs(g.t[len(g.t)-1]))
		}
	}
	s.limit = max(int64(enumCap), 4*int64(s.n))
	// A fixed seed keeps runs reproducible; the result never depends on
	// it, only the running time does.
	s.rng = rand.New(rand.NewPCG(uint64(s.n), uint64(s.total)))
	return s
}

// slope is the value pyMannKendall computes for the pair i < j of g.
func (g points) slope(i, j int32) float64 {
	if i > j {
		i, j = j, i
	}
	return (g.x[j] - g.x[i]) / (g.t[j] - g.t[i])
}

// residuals fills r with the ordered keys of x - θ·t for group g. The
// explicit conversion forbids a fused multiply-add, so every pass computes
// identical keys.
func residuals(r []uint64, g points, theta float64) []uint64 {
	for i, v := range g.x {
		r[i] = orderedBits(v - float64(theta*g.t[i]))
	}
	return r
}

func (s *slopeSet) scratch() {
	if s.r == nil {
		s.r = make([]uint64, s.n)
		s.buf = make([]uint64, s.n)
	}
}

// countLE returns the number of slopes ≤ θ.
func (s *slopeSet) countLE(theta float64) int64 {
	s.scratch()
	return s.countLEWith(theta, s.r, s.buf)
}

// countLEWith is countLE with caller-provided scratch space of length n.

func (s *slopeSet) countLEWith(theta float64, r, buf []uint64) int64 {
	switch {
	case math.IsInf(theta, -1):
		return 0
	case math.IsInf(theta, 1):
		return s.total
	}
	var c int64
	for _, g := range s.groups {
		key := residuals(r[:len(g.x)], g, theta)
		c += countInversions(key, buf) + ties(key).pairs
	}
	return c
}

// countLT returns the number of slopes < θ.
func (s *slopeSet) countLT(theta float64) int64 {
	switch {
	case math.IsInf(theta, -1):
		return 0
	case math.IsInf(theta, 1):
		return s.total
	}
	s.scratch()
	var c int64
	for _, g := range s.groups {
		c += countInversions(residuals(s.r[:len(g.x)], g, theta), s.buf)
	}
	return c
}

// margin is how far from θ a computed slope may lie and still be classified
// on the wrong side by the residual comparison: the keys carry about two
// roundings of size ε·(|x| + |θ·t|) and the computed slope one of its own.
// At θ = 0 the keys are the values themselves and the comparison is exact.
func (s *slopeSet) margin(theta float64) float64 {
	if theta == 0 || math.IsInf(theta, 0) {
		return 0
	}
	return 64 * 0x1p-53 * (s.maxAbsX + math.Abs(theta)*s.maxT)
}

// uniformSample draws m slopes uniformly from all pairs, unordered.
func (s *slopeSet) uniformSample(m int) []float64 {
	if len(s.groups) == 1 {
		return s.uniformSampleOne(m)
	}
	cum := make([]int64, len(s.groups))
	var acc int64
	for gi, g := range s.groups {
		k := int64(len(g.x))
		acc += k * (k - 1) / 2
		cum[gi] = acc
	}
	out := make([]float64, 0, m)
	for range m {
		u := s.rng.Int64N(s.total)
		gi, _ := slices.BinarySearch(cum, u+1)
		g := s.groups[gi]
		k := len(g.x)
		i := s.rng.IntN(k)
		j := s.rng.IntN(k - 1)
		if j >= i {
			j++
		}
		out = append(out, g.slope(int32(i), int32(j)))
	}
	return out
}

// uniformSampleOne is uniformSample for a single group, without the group
// draw.
func (s *slopeSet) uniformSampleOne(m int) []float64 {
	g := s.groups[0]
	k := len(g.x)
	out := make([]float64, m)
	for p := range out {
		i := s.rng.IntN(k)
		j := s.rng.IntN(k - 1)
		if j >= i {
			j++
		}
		out[p] = g.slope(int32(i), int32(j))
	}
	return out
}

// collector receives the pairs whose order differs between two thresholds,
// either all of them (up to a limit) or those at sampled positions.
type collector struct {
	g       points
	seen    int64   // pairs passed so far
	want    []int64 // sorted positions still to take; nil means take all
	limit   int64   // when taking all, stop storing beyond this many
	out     []float64
	overrun bool
}

// block takes the pairs (l[q], v) for every q.
func (c *collector) block(l []item, v item) {
	n := int64(len(l))
	if c.want == nil {
		if int64(len(c.out))+n > c.limit {
			c.overrun = true
		} else {
			for _, u := range l {
				c.out = append(c.out, c.g.slope(u.i, v.i))
			}
		}
	} else {
		for len(c.want) > 0 && c.want[0] < c.seen+n {
			c.out = append(c.out, c.g.slope(l[c.want[0]-c.seen].i, v.i))
			c.want = c.want[1:]
		}
	}
	c.seen += n
}

// flips walks, for every group, the pairs whose slope lies in (lo, hi]:
// exactly the pairs whose relative order differs between the order at lo+
// and the order at hi+ (keys x - θ·t ascending, ties broken by later time
// first). It sorts the points by the lo order, then merge-sorts that
// sequence by the hi order, handing each inversion to c. It returns the
// number of such pairs.
func (s *slopeSet) flips(lo, hi float64, c *collector) int64 {
	if s.items == nil {
		s.items = make([]item, s.n)
		s.ibuf = make([]item, s.n)
	}
	var total int64
	for _, g := range s.groups {
		m := len(g.x)
		it := s.items[:m]
		orderKeys(it, g, lo)
		if !math.IsInf(lo, -1) {
			radixSortItems(it, s.ibuf[:m])
		}
		for p := range it {
			it[p].k = orderKeyBits(g, int(it[p].i), hi)
		}
		c.g = g
		total += mergeItems(it, s.ibuf[:m], c)
	}
	return total
}

// orderKeys fills it with the points of g keyed for the order at θ+, in
// reverse time order so that a stable sort by key breaks ties by later
// time first.
func orderKeys(it []item, g points, theta float64) {
	m := len(it)
	if math.IsInf(theta, -1) {
		// The order at -∞ is time order itself.
		for i := range it {
			it[i] = item{i: int32(i)}
		}
		return
	}
	for p := range it {
		i := m - 1 - p
		it[p] = item{k: orderKeyBits(g, i, theta), i: int32(i)}
	}
}

// radixSortItems sorts it stably by key (LSD radix sort, 11 bits per
// pass, all histograms from one read), using buf as scratch: linear time
// where a comparison sort would dominate the slope selection.
func radixSortItems(it, buf []item) {
	if len(it) < 64 {
		insertionSortItems(it)
		return
	}
	const bits, passes, mask = 11, 6, 1<<11 - 1
	var count [passes][1 << bits]int
	for _, e := range it {
		for p := range passes {
			count[p][(e.k>>(p*bits))&mask]++
		}
	}
	src, dst := it, buf[:len(it)]
	for p := range passes {
		c := &count[p]
		shift := uint(p * bits)
		if c[(src[0].k>>shift)&mask] == len(src) {
			continue // every key shares this digit
		}
		sum := 0
		for d, n := range c {
			c[d] = sum
			sum += n
		}
		for _, e := range src {
			d := (e.k >> shift) & mask
			dst[c[d]] = e
			c[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &it[0] {
		copy(it, src)
	}
}

// insertionSortItems is a stable sort by key for short runs.
func insertionSortItems(a []item) {
	for i := 1; i < len(a); i++ {
		v := a[i]
		j := i
		for j > 0 && v.k < a[j-1].k {
			a[j] = a[j-1]
			j--
		}
		a[j] = v
	}
}

// orderKey is point i's key for the order at θ+. At θ = -∞ that order is
// time order and at +∞ reverse time order, which index keys express.
func orderKey(g points, i int, theta float64) float64 {
	switch {
	case math.IsInf(theta, -1):
		return float64(i)
	case math.IsInf(theta, 1):
		return -float64(i)
	}
	return g.x[i] - float64(theta*g.t[i])
}

// orderKeyBits is orderKey as an integer sort key.
func orderKeyBits(g points, i int, theta float64) uint64 {
	return orderedBits(orderKey(g, i, theta))
}

// itemLess orders by key, ties by later time first.
func itemLess(a, b item) bool {
	return a.k < b.k || (a.k == b.k && a.i > b.i)
}

// mergeItems sorts a by itemLess (buf is scratch) and reports every
// inversion of the original sequence to c, returning their number.
func mergeItems(a, buf []item, c *collector) int64 {
	n := len(a)
	var inv int64
	for lo := 0; lo < n; lo += insertionRun {
		inv += insertItems(a[lo:min(lo+insertionRun, n)], c)
	}
	src, dst := a, buf
	for width := insertionRun; width < n; width *= 2 {
		for lo := 0; lo < n; lo += 2 * width {
			mid := min(lo+width, n)
			hi := min(lo+2*width, n)
			inv += mergeRuns(dst[lo:hi], src[lo:mid], src[mid:hi], c)
		}
		src, dst = dst, src
	}
	if n > 0 && &src[0] != &a[0] {
		copy(a, src)
	}
	return inv
}

func insertItems(a []item, c *collector) int64 {
	var inv int64
	for i := 1; i < len(a); i++ {
		v := a[i]
		j := i
		for j > 0 && itemLess(v, a[j-1]) {
			c.block(a[j-1:j], v)
			a[j] = a[j-1]
			j--
		}
		a[j] = v
		inv += int64(i - j)
	}
	return inv
}

func mergeRuns(dst, l, r []item, c *collector) int64 {
	var inv int64
	i, j, k := 0, 0, 0
	for i < len(l) && j < len(r) {
		if itemLess(r[j], l[i]) {
			c.block(l[i:], r[j])
			inv += int64(len(l) - i)
			dst[k] = r[j]
			j++
		} else {
			dst[k] = l[i]
			i++
		}
		k++
	}
	k += copy(dst[k:], l[i:])
	copy(dst[k:], r[j:])
	return inv
}

// sampleBetween draws m slopes uniformly from the `count` slopes in
// (lo, hi], unordered.
func (s *slopeSet) sampleBetween(lo, hi float64, count int64, m int) []float64 {
	c := &collector{want: s.sortedPositions(count, m), out: make([]float64, 0, m)}
	s.flips(lo, hi, c)
	return c.out
}

// sortedPositions returns m uniform random positions in [0, count) in
// ascending order, in O(m): normalised partial sums of m+1 exponential
// variates are distributed as the order statistics of m uniforms.
func (s *slopeSet) sortedPositions(count int64, m int) []int64 {
	sums := make([]float64, m+1)
	var acc float64
	for i := range sums {
		acc += s.rng.ExpFloat64()
		sums[i] = acc
	}
	pos := make([]int64, m)
	for i := range pos {
		pos[i] = min(int64(sums[i]/acc*float64(count)), count-1)
	}
	return pos
}

// enumerateBetween returns all slopes in (lo, hi], or ok=false when there
// are more than limit of them or the count disagrees with want (floating
// point made the two orders inconsistent).
func (s *slopeSet) enumerateBetween(lo, hi float64, want, limit int64) ([]float64, bool) {
	c := &collector{limit: limit, out: make([]float64, 0, min(want, limit))}
	n := s.flips(lo, hi, c)
	return c.out, !c.overrun && n == want
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
	out := make([]float64, 0, len(ranks))
	if s.total <= s.limit {
		return selectRanks(s.all(), ranks, s.rng)
	}
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

// bracket is a half-open slope interval (lo, hi] with the counts of slopes
// ≤ lo and ≤ hi.
type bracket struct {
	lo, hi   float64
	cLo, cHi int64
}

// search finds ranks k1..k2 by contracting a bracket around them with
// random samples until few enough slopes remain to select directly.
func (s *slopeSet) search(k1, k2 int64) []float64 {
	b := bracket{lo: math.Inf(-1), hi: math.Inf(1), cHi: s.total}
	limit := s.limit
	for round := 0; b.cHi-b.cLo > limit && round < maxRounds; round++ {
		var sample []float64
		if round == 0 {
			sample = s.uniformSample(s.sampleSize(b.cHi))
		} else {
			sample = s.sampleBetween(b.lo, b.hi, b.cHi-b.cLo, s.sampleSize(b.cHi-b.cLo))
		}
		if len(sample) == 0 {
			break
		}
		before := b.cHi - b.cLo
		if done, vals := s.contract(&b, sample, k1, k2); done {
			return vals
		}
		if b.cHi-b.cLo > before/2 {
			if done, vals := s.settleTies(&b, sample, k1, k2); done {
				return vals
			}
		}
	}
	return s.finish(b, k1, k2)
}

func (s *slopeSet) sampleSize(count int64) int {
	return int(min(count, max(2*int64(s.n), 4096)))
}

// contract moves the bracket ends to sample order statistics placed three
// binomial standard deviations either side of where ranks k1..k2 are
// expected. When the two ranks fall either side of a new end it splits
// the search and reports done.
func (s *slopeSet) contract(b *bracket, sample []float64, k1, k2 int64) (bool, []float64) {
	m := float64(len(sample))
	count := float64(b.cHi - b.cLo)
	p1 := float64(k1-b.cLo-1) / count
	p2 := float64(k2-b.cLo) / count
	var ends []float64
	i1 := int(math.Floor(p1*m - spread(m, p1)))
	i2 := int(math.Ceil(p2*m + spread(m, p2)))
	if i1 >= 0 {
		selectK(sample, i1, s.rng)
		if v := sample[i1]; v > b.lo && v < b.hi {
			ends = append(ends, v)
		}
	}
	if i2 < len(sample) {
		lo := max(i1+1, 0)
		selectK(sample[lo:], i2-lo, s.rng)
		if v := sample[i2]; v > b.lo && v < b.hi {
			ends = append(ends, v)
		}
	}
	for i, c := range s.countsLE(ends) {
		v := ends[i]
		switch {
		case c < k1:
			if v > b.lo {
				b.lo, b.cLo = v, c
			}
		case c >= k2:
			if v < b.hi {
				b.hi, b.cHi = v, c
			}
		default:
			// k1 ≤ c < k2: v separates the ranks; search each side alone.
			return true, append(s.search(k1, c), s.search(c+1, k2)...)
		}
	}
	return false, nil
}

// spread is the margin, in sample positions, around the expected position
// p·m of a rank: three standard deviations of a binomial(m, p) count.
func spread(m, p float64) float64 {
	p = min(max(p, 0), 1)
	return 3*math.Sqrt(m*p*(1-p)) + 1
}

// countsLE counts the slopes ≤ each threshold, two at a time in parallel
// (each pass is an independent O(n log n) merge sort).
func (s *slopeSet) countsLE(thetas []float64) []int64 {
	out := make([]int64, len(thetas))
	if len(thetas) == 2 {
		if s.r2 == nil {
			s.r2 = make([]uint64, s.n)
			s.buf2 = make([]uint64, s.n)
		}
		var wg sync.WaitGroup
		wg.Go(func() { out[1] = s.countLEWith(thetas[1], s.r2, s.buf2) })
		out[0] = s.countLE(thetas[0])
		wg.Wait()
		return out
	}
	for i, th := range thetas {
		out[i] = s.countLE(th)
	}
	return out
}

// settleTies handles brackets that stop shrinking because many slopes are
// (nearly) equal: the sample value v at the target position either holds
// all the ranks, or the bracket moves to v.
func (s *slopeSet) settleTies(b *bracket, sample []float64, k1, k2 int64) (bool, []float64) {
	pos := float64(k1-b.cLo-1) / float64(b.cHi-b.cLo) * float64(len(sample))
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
// Otherwise the block's neighbourhood is enumerated when it fits; if it
// does not, v itself is returned, within margin(v) of the exact value.
func (s *slopeSet) around(v float64, k1, k2 int64) []float64 {
	if d := 2 * s.margin(v); d > 0 {
		b := bracket{lo: v - d, hi: v + d}
		b.cLo, b.cHi = s.countLE(b.lo), s.countLE(b.hi)
		if b.cLo < k1 && k2 <= b.cHi && b.cHi-b.cLo <= s.limit {
			return s.finish(b, k1, k2)
		}
	}
	vals := make([]float64, k2-k1+1)
	for i := range vals {
		vals[i] = v
	}
	return vals
}

// finish enumerates the slopes in the bracket and selects the ranks among
// them. The residual comparison may misplace slopes lying within margin()
// of an end, so the answer is accepted only when it lies farther than
// that from both ends; otherwise the ends are widened and the selection
// repeated. If the candidates then no longer fit in memory (a dense block
// of near-equal slopes), the unverified answer is returned: it is then
// within margin() of the exact order statistic.
func (s *slopeSet) finish(b bracket, k1, k2 int64) []float64 {
	ranks := make([]int64, 0, k2-k1+1)
	for k := k1; k <= k2; k++ {
		ranks = append(ranks, k)
	}
	var best []float64
	for attempt := 0; attempt < 4; attempt++ {
		cand, ok := s.enumerateBetween(b.lo, b.hi, b.cHi-b.cLo, s.limit)
		if !ok || int64(len(cand)) < k2-b.cLo || k1 <= b.cLo {
			break
		}
		rel := make([]int64, len(ranks))
		for i, k := range ranks {
			rel[i] = k - b.cLo
		}
		best = selectRanks(cand, rel, s.rng)
		loOK := best[0] >= b.lo+s.margin(b.lo)
		hiOK := best[len(best)-1] <= b.hi-s.margin(b.hi)
		if loOK && hiOK {
			return best
		}
		if !loOK {
			b.lo -= 4 * s.margin(b.lo)
			b.cLo = s.countLE(b.lo)
		}
		if !hiOK {
			b.hi += 4 * s.margin(b.hi)
			b.cHi = s.countLE(b.hi)
		}
	}
	if best == nil {
		best = s.approximate(b, k1, k2)
	}
	return best
}

// approximate answers from a sample when the bracket cannot be enumerated:
// it only happens for blocks of slopes equal to within rounding, so any
// member of the block is the answer to that precision.
func (s *slopeSet) approximate(b bracket, k1, k2 int64) []float64 {
	count := b.cHi - b.cLo
	if count <= 0 {
		count = 1
	}
	sample := s.sampleBetween(b.lo, b.hi, count, s.sampleSize(count))
	vals := make([]float64, 0, k2-k1+1)
	for k := k1; k <= k2; k++ {
		if len(sample) == 0 {
			vals = append(vals, b.hi)
			continue
		}
		pos := float64(k-b.cLo-1) / float64(count) * float64(len(sample))
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
	out := make([]float64, 0, len(ranks))
	base := 0
	for _, k := range ranks {
		idx := int(k-1) - base
		selectK(a[base:], idx, rng)
		out = append(out, a[base+idx])
		base += idx
	}
	return out
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
