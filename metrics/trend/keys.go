package trend

import "sync"

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
