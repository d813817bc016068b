package trend

import (
	"sync"
	"unsafe"
)

// Reserve readies the working memory of a trend test on about n values in
// the pools the test takes it from: the slope search's scratch space and
// slope buffers, and the keys of S's count, made and written page by
// page. A one-shot command calls it on its second core while the first
// parses the input: each fresh page costs a page fault (≈ 2.5 µs on the
// benchmark machine, a virtual one), and the test on 10⁴ values touches
// about 260 of them. It only pays where the garbage collector is off
// (a collection may empty the pools).
func Reserve(n int) {
	if n < 2 {
		return
	}
	sp := getScratch(n)
	for i := range sp.items {
		touchPages(sp.itemsAt(i))
	}
	// The keys of the count beside a pass (those of the main goroutine's
	// own counts are rarely needed).
	touchPages(sp.keysAt(2))
	touchPages(sp.keysAt(3))
	// Two slope buffers, of the size the first round's sample asks for:
	// the search passes its samples between them.
	m := int64(2 * n)
	for range 2 {
		f := make([]float64, outCap(4*m, float64(m)))
		touchPages(f)
		sp.floats = append(sp.floats, f[:0])
	}
	scratchPool.Put(sp)
	k := getKeys(n)
	touchPages(k.a)
	touchPages(k.buf)
	keyPool.Put(k)
}

// touchPages writes the zero value into every 4 KiB page of s, so that its
// page faults happen now (make does not touch fresh memory from the
// system, which is zero already).
func touchPages[T any](s []T) {
	var zero T
	step := max(1, 4096/int(unsafe.Sizeof(zero)))
	for i := 0; i < len(s); i += step {
		s[i] = zero
	}
}

// keyPair is the scratch space of a count of inversions on the values.
type keyPair struct {
	a, buf []uint64
}

var keyPool sync.Pool

// getKeys returns key space for n values, from the pool when it holds
// enough.
func getKeys(n int) *keyPair {
	k, _ := keyPool.Get().(*keyPair)
	if k == nil || cap(k.a) < n {
		k = &keyPair{a: make([]uint64, n), buf: make([]uint64, n)}
	}
	k.a, k.buf = k.a[:n], k.buf[:n]
	return k
}
