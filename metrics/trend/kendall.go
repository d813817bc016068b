package trend

import (
	"math"
	"sort"
)

// insertionRun is the run length below which merge sort switches to
// insertion sort; short runs are cheaper to sort by shifting.
const insertionRun = 16

// countInversions sorts a in ascending order, using buf (len(buf) >= len(a))
// as scratch space, and returns the number of strict inversions: pairs i < j
// with a[i] > a[j]. It is Knight's (1966) merge-sort count, O(n log n).
// Keys are floats mapped by orderedBits, whose integer order lets the merge
// run without unpredictable branches.
func countInversions(a, buf []uint64) int64 {
	n := len(a)
	if n < 2 {
		return 0
	}
	var inv int64
	for lo := 0; lo < n; lo += insertionRun {
		inv += insertionCount(a[lo:min(lo+insertionRun, n)])
	}
	src, dst := a, buf[:n]
	for width := insertionRun; width < n; width *= 2 {
		for lo := 0; lo < n; lo += 2 * width {
			mid := min(lo+width, n)
			hi := min(lo+2*width, n)
			inv += mergeCount(dst[lo:hi], src[lo:mid], src[mid:hi])
		}
		src, dst = dst, src
	}
	if &src[0] != &a[0] {
		copy(a, src)
	}
	return inv
}

// insertionCount sorts a by insertion and returns its strict inversions.
func insertionCount(a []uint64) int64 {
	var inv int64
	for i := 1; i < len(a); i++ {
		v := a[i]
		j := i
		for j > 0 && a[j-1] > v {
			a[j] = a[j-1]
			j--
		}
		a[j] = v
		inv += int64(i - j)
	}
	return inv
}

// mergeCount merges the sorted runs l and r into dst and returns the number
// of pairs (x in l, y in r) with x > y. Equal values are taken from l first
// so that ties are not counted.
//
// Each step of a merge waits for the previous one (which run advances
// decides the next load), so the merge runs from both ends at once: the
// front takes the smaller head, the back the larger tail, two independent
// chains the processor overlaps. The front counts, for each y it takes,
// the l values not yet taken by the front; the back, for each x it takes,
// the r values not yet taken by the back. A pair with y in the front half
// and x in the back half is counted by both; there are (l left by the
// front) × (r taken by the front) of them. Exhausted runs read as
// sentinels: all ones (above every key, which orderedBits never gives a
// number) at the front, zero (below every key) at the back. The selects
// compile to conditional moves.
func mergeCount(dst, l, r []uint64) int64 {
	nl, nr := len(l), len(r)
	n := nl + nr
	half := n / 2
	var inv int64
	i, j := 0, 0
	bi, bj := nl-1, nr-1
	for k := 0; k < half; k++ {
		a, b := uint64(math.MaxUint64), uint64(math.MaxUint64)
		if i < nl {
			a = l[i]
		}
		if j < nr {
			b = r[j]
		}
		t := 0
		if b < a {
			t = 1
		}
		v := a
		if t == 1 {
			v = b
		}
		dst[k] = v
		inv += int64(t * (nl - i))
		j += t
		i += 1 - t

		c, d := uint64(0), uint64(0)
		if bi >= 0 {
			c = l[bi]
		}
		if bj >= 0 {
			d = r[bj]
		}
		u := 0
		if c > d {
			u = 1
		}
		w := d
		if u == 1 {
			w = c
		}
		dst[n-1-k] = w
		inv += int64(u * (bj + 1))
		bi -= u
		bj -= 1 - u
	}
	if n%2 == 1 { // the middle element: whichever head the front has left
		if i < nl && (j >= nr || l[i] <= r[j]) {
			dst[half] = l[i]
			i++
		} else {
			dst[half] = r[j]
			inv += int64(nl - i)
			j++
		}
	}
	return inv - int64(nl-i)*int64(j)
}

// orderedBits maps a float64 (not NaN) to a uint64 with the same order:
// negative numbers have all bits flipped, others only the sign bit. Adding
// zero first turns -0 into +0, which compare equal. Branch-free, because
// signs of residuals are unpredictable.
func orderedBits(f float64) uint64 {
	b := math.Float64bits(f + 0)
	return b ^ (uint64(int64(b)>>63) | 1<<63)
}

// tieStats describes the tie groups of a sorted slice.
type tieStats struct {
	pairs int64   // Σ t(t-1)/2: pairs of equal values
	varU  int64   // Σ t(t-1)(2t+5), exact while n < 2^20
	varUf float64 // the same sum in floating point, for larger n
}

// ties scans a sorted slice for runs of equal values.
func ties(sorted []uint64) tieStats {
	var st tieStats
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && sorted[j] == sorted[i] {
			j++
		}
		if t := int64(j - i); t > 1 {
			st.pairs += t * (t - 1) / 2
			st.varU += t * (t - 1) * (2*t + 5)
			tf := float64(t)
			st.varUf += tf * (tf - 1) * (2*tf + 5)
		}
		i = j
	}
	return st
}

// score holds Kendall's S of a series against time, with what var(S) needs.
type score struct {
	s    float64 // Σ_{i<j} sgn(x_j - x_i)
	n    int     // number of values
	ties tieStats
}

// mkScore computes S for valid (non-NaN) values in time order. For a time
// series there are no ties in time, so S = n0 - T - 2D with n0 = n(n-1)/2,
// T the tied pairs and D the strict inversions.
func mkScore(x []float64) score {
	k := getKeys(len(x))
	sc := scoreOfKeys(x, k)
	keyPool.Put(k)
	return sc
}

// scoreOfKeys is mkScore with its key space given; it leaves the keys
// sorted.
func scoreOfKeys(x []float64, k *keyPair) score {
	a := k.a
	for i, v := range x {
		a[i] = orderedBits(v)
	}
	d := countInversions(a, k.buf)
	st := ties(a)
	n := int64(len(a))
	return score{s: float64(n*(n-1)/2 - st.pairs - 2*d), n: len(a), ties: st}
}

// mkScoreMedian is mkScore with the median of the values, read off the
// keys the count sorted (no copy of the values, no selection). A zero
// among the middle values is taken by selection instead: the keys do not
// tell -0 from +0, and the median keeps the sign the values have.
func mkScoreMedian(x []float64) (score, float64) {
	k := getKeys(len(x))
	defer keyPool.Put(k)
	sc := scoreOfKeys(x, k)
	n, a := len(x), k.a
	if n == 0 {
		return sc, math.NaN()
	}
	lo, hi := fromOrderedBits(a[(n-1)/2]), fromOrderedBits(a[n/2])
	if lo == 0 || hi == 0 {
		return sc, median(append([]float64(nil), x...))
	}
	if n%2 == 1 {
		return sc, lo
	}
	return sc, (lo + hi) / 2
}

// fromOrderedBits inverts orderedBits.
func fromOrderedBits(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k ^ 1<<63)
	}
	return math.Float64frombits(^k)
}

// variance is var(S) under the null hypothesis with the tie correction,
// [n(n-1)(2n+5) - Σ t(t-1)(2t+5)] / 18. The numerator is an integer; it is
// formed exactly while it fits so the division is correctly rounded.
func (sc score) variance() float64 {
	n := int64(sc.n)
	if n < 1<<20 {
		return float64(n*(n-1)*(2*n+5)-sc.ties.varU) / 18
	}
	nf := float64(n)
	return (nf*(nf-1)*(2*nf+5) - sc.ties.varUf) / 18
}

// pairs returns n(n-1)/2 as pyMannKendall's Tau denominator computes it.
func pairs(n int) float64 {
	return 0.5 * float64(n) * float64(n-1)
}

// zScore is the continuity-corrected normal score of S.
func zScore(s, varS float64) float64 {
	switch {
	case s > 0:
		return (s - 1) / math.Sqrt(varS)
	case s < 0:
		return (s + 1) / math.Sqrt(varS)
	default:
		return 0
	}
}

// kendallK returns Σ_{i<j} sgn(x_j-x_i)·sgn(z_j-z_i) for two equally long
// complete samples, by Knight's algorithm: sort by (x, z), count strict
// inversions D of z, and correct for pairs tied in x (n1), in z (n2) and in
// both (n3): K = n0 - n1 - n2 + n3 - 2D.
func kendallK(x, z []float64) float64 {
	n := len(x)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool {
		i, j := idx[a], idx[b]
		if x[i] != x[j] {
			return x[i] < x[j]
		}
		return z[i] < z[j]
	})
	zs := make([]uint64, n)
	var n1, n3 int64
	for i := 0; i < n; {
		j := i + 1
		for j < n && x[idx[j]] == x[idx[i]] {
			j++
		}
		t := int64(j - i)
		n1 += t * (t - 1) / 2
		for k := i; k < j; {
			m := k + 1
			for m < j && z[idx[m]] == z[idx[k]] {
				m++
			}
			u := int64(m - k)
			n3 += u * (u - 1) / 2
			k = m
		}
		i = j
	}
	for i, k := range idx {
		zs[i] = orderedBits(z[k])
	}
	d := countInversions(zs, make([]uint64, n))
	n2 := ties(zs).pairs
	n0 := int64(n) * int64(n-1) / 2
	return float64(n0 - n1 - n2 + n3 - 2*d)
}

// averageRanks returns the 1-based ranks of x, ties sharing their mean rank
// (scipy.stats.rankdata's default).
func averageRanks(x []float64) []float64 {
	n := len(x)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	r := make([]float64, n)
	for i := 0; i < n; {
		j := i + 1
		for j < n && x[idx[j]] == x[idx[i]] {
			j++
		}
		mean := float64(i+j+1) / 2
		for k := i; k < j; k++ {
			r[idx[k]] = mean
		}
		i = j
	}
	return r
}
