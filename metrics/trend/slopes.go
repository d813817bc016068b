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
	items   []item   // scratch for flips
	ibuf    []item
	sp      *scratchSpace // where the scratch slices come from
}

// item is a point in a permutation: k is its sort key (orderedBits of a
// float), i its index, and x and t its value and time slot. Carrying x
// and t (slots are integers, and fewer than 2³¹) lets a pass compute keys
// and slopes from the items it is merging, not by indexing the series at
// random: on a million points each such read was a cache miss, and they
// were most of the time.
type item struct {
	k uint64
	x float64
	i int32
	t int32
}

// itemOf is point i of g, without a key.
func itemOf(g points, i int) item {
	return item{x: g.x[i], i: int32(i), t: int32(g.t[i])}
}

// itemSlope is the slope of the pair of u and v, the earlier point first,
// the same value as points.slope.
func itemSlope(u, v item) float64 {
	if u.i > v.i {
		u, v = v, u
	}
	return (v.x - u.x) / (float64(v.t) - float64(u.t))
}

// itemKey is the item's key for the order at θ+: its residual x - θ·t
// (the explicit conversion forbids a fused multiply-add, so that every
// pass computes identical keys, the same as residuals). At θ = -∞ that
// order is time order and at +∞ reverse time order, which index keys
// express.
func itemKey(u item, theta float64) uint64 {
	switch {
	case math.IsInf(theta, -1):
		return orderedBits(float64(u.i))
	case math.IsInf(theta, 1):
		return orderedBits(-float64(u.i))
	}
	return orderedBits(u.x - float64(theta*float64(u.t)))
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
	// A fixed seed keeps runs reproducible. The result does not depend on
	// it (except within rounding in the approximate case of finish), only
	// the running time does.
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

// scratchSpace is the per-point working memory of a slope search, kept in
// a pool: a search over n points needs about 64n bytes of it, and
// allocating (and zeroing, and collecting) that again for every series
// cost as much as a counting pass. Each slice is made on first use: in
// a one-shot command every fresh page is a page fault (≈ 2.5 µs on the
// benchmark machine), and the keys of the main goroutine's own counts
// are rarely needed. floats holds slope buffers free for reuse.
type scratchSpace struct {
	n      int
	keys   [2][]uint64
	items  [2][]item
	floats [][]float64
}

var scratchPool sync.Pool

// getScratch returns scratch space for n points.
func getScratch(n int) *scratchSpace {
	sp, _ := scratchPool.Get().(*scratchSpace)
	if sp == nil {
		sp = &scratchSpace{}
	}
	sp.n = n
	return sp
}

// keysAt returns key slice i, of length n.
func (sp *scratchSpace) keysAt(i int) []uint64 {
	if cap(sp.keys[i]) < sp.n {
		sp.keys[i] = make([]uint64, sp.n)
	}
	return sp.keys[i][:sp.n]
}

// itemsAt returns item slice i, of length n.
func (sp *scratchSpace) itemsAt(i int) []item {
	if cap(sp.items[i]) < sp.n {
		sp.items[i] = make([]item, sp.n)
	}
	return sp.items[i][:sp.n]
}

// space returns the set's scratch space, taking it from the pool on first
// use, with the items of a pass.
func (s *slopeSet) space() *scratchSpace {
	if s.sp == nil {
		s.sp = getScratch(s.n)
		s.items, s.ibuf = s.sp.itemsAt(0), s.sp.itemsAt(1)
	}
	return s.sp
}

// floats returns an empty slope buffer of at least capacity c, a free one
// when there is one.
func (s *slopeSet) floats(c int) []float64 {
	sp := s.space()
	for i, f := range sp.floats {
		if cap(f) >= c {
			last := len(sp.floats) - 1
			sp.floats[i] = sp.floats[last]
			sp.floats = sp.floats[:last]
			return f[:0]
		}
	}
	return make([]float64, 0, c)
}

// recycle hands back a slope buffer that is no longer used.
func (s *slopeSet) recycle(f []float64) {
	if cap(f) > 0 && s.sp != nil {
		s.sp.floats = append(s.sp.floats, f[:0])
	}
}

// release returns the scratch space to the pool; the set must not be
// used afterwards.
func (s *slopeSet) release() {
	if s.sp != nil {
		scratchPool.Put(s.sp)
		s.sp, s.r, s.buf, s.items, s.ibuf = nil, nil, nil, nil, nil
	}
}

// scratch provides the keys of a count on the calling goroutine.
func (s *slopeSet) scratch() {
	sp := s.space()
	if s.r == nil {
		s.r, s.buf = sp.keysAt(0), sp.keysAt(1)
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
		gi, _ := slices.BinarySearch(cum, s.rng.Int64N(s.total)+1)
		g := s.groups[gi]
		i, j := randomPair(s.rng.Uint64(), len(g.x))
		out = append(out, g.slope(i, j))
	}
	return out
}

// uniformSampleOne is uniformSample for a single group, without the group
// draw. The pairs come from splitmix64 seeded by the set's generator: an
// inlined step instead of a call through rand.Rand's interface, a tenth of
// the cost of a draw that is otherwise four loads and a division.
func (s *slopeSet) uniformSampleOne(m int) []float64 {
	g := s.groups[0]
	k := len(g.x)
	x, t := g.x, g.t
	state := s.rng.Uint64()
	// Room for the first pass's sample too: this buffer takes it once
	// the ends are picked.
	out := s.floats(max(m, int(outCap(int64(m)*4, float64(m)))))[:m]
	for p := range out {
		state += 0x9e3779b97f4a7c15
		z := state
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		i, j := randomPair(z^z>>31, k)
		if i > j {
			i, j = j, i
		}
		out[p] = (x[j] - x[i]) / (t[j] - t[i])
	}
	return out
}

// randomPair turns 64 random bits into two distinct indices below k
// (k ≥ 2) by multiply-shift on each half. The bias, below k/2³², only
// affects how fast the search narrows, never its result.
func randomPair(u uint64, k int) (int32, int32) {
	i := int32((u >> 32) * uint64(k) >> 32)
	j := int32((u & 0xffffffff) * uint64(k-1) >> 32)
	if j >= i {
		j++
	}
	return i, j
}

// collector receives the pairs whose order differs between two thresholds:
// all of them, or about a fraction rate of them. It stores at most limit
// slopes and notes an overrun beyond that.
type collector struct {
	seen   int64 // pairs passed so far
	sample bool
	span   float64 // sampling: gaps are uniform on [0, span)
	// next is the position of the next pair wanted, never below seen: the
	// next sampled pair, or seen itself when every pair is wanted. A merge
	// step passing cnt pairs calls the collector when next-seen < cnt.
	next    int64
	state   uint64 // of the generator of the gaps, seeded from rng
	limit   int64
	out     []float64
	overrun bool
}

// never is the next position of a collector that wants no more pairs
// (it overran): beyond any count of pairs, with room to add counts to it.
const never = 1 << 62

// allPairs collects every pair, storing at most limit slopes; about
// expect are expected. The slopes go to buf when it is large enough.
func allPairs(limit int64, expect float64, buf []float64) *collector {
	return &collector{limit: limit, out: outBuf(buf, outCap(limit, expect))}
}

// outBuf is buf emptied if it holds c values, else a new buffer.
func outBuf(buf []float64, c int64) []float64 {
	if int64(cap(buf)) >= c {
		return buf[:0]
	}
	return make([]float64, 0, c)
}

// outCap is the initial capacity of a collector expecting about expect
// slopes: a little more, so that the slice rarely grows, but not the
// limit, which is several times what a pass usually yields.
func outCap(limit int64, expect float64) int64 {
	return min(limit, 1<<20, int64(1.1*expect)+64)
}

// samplePairs collects about a fraction rate of the pairs, at most limit;
// about expect are expected.
func samplePairs(rate float64, limit int64, expect float64, rng *rand.Rand, buf []float64) *collector {
	rate = min(rate, 1)
	c := &collector{sample: true, span: 2 * (1/rate - 1), state: rng.Uint64(), limit: limit,
		out: outBuf(buf, outCap(limit, expect))}
	c.next = c.gap()
	return c
}

// sibling returns an empty collector of the same kind, for the other half
// of a split pass, its gaps seeded by seed, its slopes in buf when it is
// large enough.
func (c *collector) sibling(seed uint64, buf []float64) *collector {
	o := &collector{sample: c.sample, span: c.span, state: seed, limit: c.limit,
		out: outBuf(buf, int64(cap(c.out)/2+64))}
	if o.sample {
		o.next = o.gap()
	}
	return o
}

// absorb appends what the sibling o collected. The pairs o passed count as
// passed by c, so c's next wanted position moves by as many.
func (c *collector) absorb(o *collector) {
	c.seen += o.seen
	c.next += o.seen
	if o.overrun || int64(len(c.out)+len(o.out)) > c.limit {
		c.overrun, c.next = true, never
		return
	}
	c.out = append(c.out, o.out...)
}

// gap draws the number of pairs skipped before the next sampled one:
// uniform with mean 1/rate - 1 (a jittered stride). The sample only
// steers the search, whose result is exact whatever it holds; a uniform
// draw costs a multiplication where a geometric one (Bernoulli sampling)
// costs a logarithm, and it was a fifth of the search's time.
func (c *collector) gap() int64 {
	c.state += 0x9e3779b97f4a7c15 // splitmix64, inlined
	z := c.state
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	return int64(float64(z>>11) * 0x1p-53 * c.span)
}

// block takes the pairs (l[q], v) for every q.
func (c *collector) block(l []item, v item) {
	n := int64(len(l))
	switch {
	case c.overrun:
	case !c.sample:
		if int64(len(c.out))+n > c.limit {
			c.overrun = true
			break
		}
		for _, u := range l {
			c.out = append(c.out, itemSlope(u, v))
		}
	default:
		for c.next < c.seen+n {
			if int64(len(c.out)) >= c.limit {
				c.overrun = true
				break
			}
			c.out = append(c.out, itemSlope(l[c.next-c.seen], v))
			c.next += 1 + c.gap()
		}
	}
	c.seen += n
	switch {
	case c.overrun:
		c.next = never
	case !c.sample:
		c.next = c.seen
	}
}

// flips walks, for every group, the pairs whose slope lies in (lo, hi]:
// exactly the pairs whose relative order differs between the order at lo+
// and the order at hi+ (keys x - θ·t ascending, ties broken by later time
// first). It sorts the points by the lo order, then merge-sorts that
// sequence by the hi order, handing each inversion to c. It returns the
// number of such pairs.
func (s *slopeSet) flips(lo, hi float64, c *collector) int64 {
	s.space()
	var total int64
	for _, g := range s.groups {
		m := len(g.x)
		it := s.items[:m]
		orderKeys(it, g, lo)
		if !math.IsInf(lo, -1) {
			radixSortItemsTop(it, s.ibuf[:m])
		}
		for p := range it {
			it[p].k = itemKey(it[p], hi)
		}
		switch {
		case !c.sample:
			total += listItems(it, s.ibuf[:m], c)
		case m >= splitMerge:
			total += s.mergeSplit(it, s.ibuf[:m], c)
		default:
			total += mergeItems(it, s.ibuf[:m], c)
		}
	}
	return total
}

// listItems is mergeItems for a listing pass: an insertion sort, whose
// n + inversions steps are a quarter of a merge sort's n log n when, as in
// a listing pass, there are only a few inversions per point. Once more
// inversions than the collector can hold have passed (the bracket was
// larger than estimated), it finishes by merge sort, so that the count
// stays exact in O(n log n).
func listItems(it, buf []item, c *collector) int64 {
	var inv int64
	for i := 1; i < len(it); i++ {
		if inv > c.limit {
			inv += mergeItems(it[i:], buf[i:], c)
			inv += mergeRuns(buf, it, i, c)
			copy(it, buf)
			return inv
		}
		v := it[i]
		j := i
		for j > 0 && itemLess(v, it[j-1]) {
			it[j] = it[j-1]
			j--
		}
		if j == i {
			continue
		}
		it[j] = v
		c.block(it[j+1:i+1], v)
		inv += int64(i - j)
	}
	return inv
}

// splitMerge is the group size from which mergeSplit sorts the halves on
// two goroutines: the pass is the longest step of a search round, and the
// count that runs beside it takes a third of its time.
const splitMerge = 1 << 13

// mergeSplit is mergeItems with two parts sorted side by side, the
// second handing its inversions to a sibling collector, and merged at the
// end. The parts are 3:2: the goroutine that sorts the second has first
// counted the slopes below the pass's lower end (step), 2.3 times the
// work of the radix sort that precedes the first part here, and the
// first round's also carries S's count; with halves the first part's
// goroutine waited ≈ 0.2 ms for the second at n = 10⁴.
func (s *slopeSet) mergeSplit(it, buf []item, c *collector) int64 {
	h := len(it) * 3 / 5
	c2 := c.sibling(s.rng.Uint64(), s.floats(cap(c.out)/2+64))
	var inv2 int64
	second := help(func() { inv2 = mergeItems(it[h:], buf[h:], c2) })
	inv := mergeItems(it[:h], buf[:h], c)
	second.join()
	c.absorb(c2)
	s.recycle(c2.out)
	return inv + inv2 + mergeRuns(buf, it, h, c)
}

// orderKeys fills it with the points of g keyed for the order at θ+, in
// reverse time order so that a stable sort by key breaks ties by later
// time first.
func orderKeys(it []item, g points, theta float64) {
	m := len(it)
	if math.IsInf(theta, -1) {
		// The order at -∞ is time order itself.
		for i := range it {
			it[i] = itemOf(g, i)
		}
		return
	}
	for p := range it {
		i := m - 1 - p
		it[p] = itemOf(g, i)
		it[p].k = itemKey(it[p], theta)
	}
}

// radixSortItems sorts it stably by key (LSD radix sort, 11 bits per
// pass, all histograms from one read), using buf as scratch: linear time
// where a comparison sort would dominate the slope selection.
func radixSortItems(it, buf []item) {
	radixSortDigits(it, buf, 0)
}

// radixSortItemsTop is radixSortItems by the high 32 bits of the keys
// (sign, exponent and 20 bits of mantissa: radixSortHigh), then by
// insertion on the whole key. Keys sharing their high 32 bits are rare
// (values within a relative 2⁻²⁰), so the insertion makes a few moves
// where passes over the low bits would move every item once per pass.
// Both sorts are stable, so the order is radixSortItems's. Past 2n moves
// (keys crowded in their low bits) a full radix sort runs after all, on
// the order reached so far, which is still the input's order among equal
// keys.
func radixSortItemsTop(it, buf []item) {
	if len(it) < 64 {
		insertionSortItems(it)
		return
	}
	radixSortHigh(it, buf)
	budget := 2 * len(it)
	for i := 1; i < len(it); i++ {
		v := it[i]
		j := i
		for j > 0 && v.k < it[j-1].k {
			it[j] = it[j-1]
			j--
		}
		it[j] = v
		if budget -= i - j; budget < 0 {
			radixSortDigits(it, buf, 0)
			return
		}
	}
}

// radixSortHigh sorts it stably by the high 32 bits of the keys: LSD
// radix sort by bytes, all histograms from one read, a pass skipped
// when every key shares its byte. Bytes, not 11-bit digits: a scatter
// into 256 buckets writes to 256 cache lines at a time, which the
// first-level cache (32 KB) holds, where 2 048 buckets need 128 KB; and
// the counts take 4 KB of stack, not 96 KB.
func radixSortHigh(it, buf []item) {
	const passes = 4
	var count [passes][256]int32
	for _, e := range it {
		h := uint32(e.k >> 32)
		count[0][h&0xff]++
		count[1][h>>8&0xff]++
		count[2][h>>16&0xff]++
		count[3][h>>24]++
	}
	src, dst := it, buf[:len(it)]
	for p := range passes {
		c := &count[p]
		shift := uint(32 + 8*p)
		if c[(src[0].k>>shift)&0xff] == int32(len(src)) {
			continue // every key shares this byte
		}
		var sum int32
		for d, n := range c {
			c[d] = sum
			sum += n
		}
		for _, e := range src {
			d := (e.k >> shift) & 0xff
			dst[c[d]] = e
			c[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &it[0] {
		copy(it, src)
	}
}

// radixSortDigits is the LSD radix sort of radixSortItems from digit
// first on (the lower digits are left as they come).
func radixSortDigits(it, buf []item, first int) {
	if len(it) < 64 {
		insertionSortItems(it)
		return
	}
	const bits, passes, mask = 11, 6, 1<<11 - 1
	var count [passes][1 << bits]int
	for _, e := range it {
		for p := first; p < passes; p++ {
			count[p][(e.k>>(p*bits))&mask]++
		}
	}
	src, dst := it, buf[:len(it)]
	for p := first; p < passes; p++ {
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
			inv += mergeRuns(dst[lo:hi], src[lo:hi], mid-lo, c)
		}
		src, dst = dst, src
	}
	if n > 0 && &src[0] != &a[0] {
		copy(a, src)
	}
	return inv
}

// insertItems insertion-sorts a short run, handing each element's
// inversions to c in one block: the sorted elements it moves past.
func insertItems(a []item, c *collector) int64 {
	var inv int64
	for i := 1; i < len(a); i++ {
		v := a[i]
		j := i
		for j > 0 && itemLess(v, a[j-1]) {
			a[j] = a[j-1]
			j--
		}
		if j == i {
			continue
		}
		a[j] = v
		// The elements v passed now lie at j+1..i. Most blocks hold no
		// sampled pair: the collector is called only for those that do.
		if cnt := int64(i - j); c.next-c.seen < cnt {
			c.block(a[j+1:i+1], v)
		} else {
			c.seen += cnt
		}
		inv += int64(i - j)
	}
	return inv
}

// mergeRuns merges the sorted runs src[:mid] and src[mid:] into dst by
// itemLess and hands every pair it inverts to c (or, sampling, the pairs
// at c's positions), returning their number.
//
// A step is branch-free: the comparison becomes a flag (conditional sets)
// and the flag picks the item by index arithmetic. Branches on it cost a
// misprediction on every other step of a pass with many inversions, where
// the runs interleave at random: that doubled the time of a sampling
// pass. The only branch, to the collector, is taken for a sampled pair
// (rare) or, listing, for each inversion (few in a listing pass). The
// collector's position lives in locals between calls: kept in the
// struct, every step would wait for the previous step's store.
func mergeRuns(dst, src []item, mid int, c *collector) int64 {
	seen, next := c.seen, c.next
	start := seen
	n := len(src)
	dst = dst[:n]
	i, j, k := 0, mid, 0
	for i < mid && j < n {
		a, b := src[i], src[j]
		t := flag(b.k < a.k) | flag(b.k == a.k)&flag(b.i > a.i)
		dst[k] = src[i+t*(j-i)]
		cnt := int64(t * (mid - i))
		if next-seen < cnt {
			c.seen = seen
			c.block(src[i:mid], b)
			seen, next = c.seen, c.next
		} else {
			seen += cnt
		}
		j += t
		i += 1 - t
		k++
	}
	c.seen = seen
	k += copy(dst[k:], src[i:mid])
	copy(dst[k:], src[j:])
	return seen - start
}

// flag is 1 for true and 0 for false, compiled to a conditional set.
func flag(b bool) int {
	var f int
	if b {
		f = 1
	}
	return f
}
