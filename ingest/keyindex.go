package ingest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math/bits"
	"os"
	"slices"
	"sort"
)

// keyIndex is the duplicate index of one input: for every indicator,
// entity and period seen so far, the accepted value and its row. A
// conflicting duplicate may come a million rows after the first value, so
// nothing may be forgotten; but a ten-million-row file must not need ten
// million entries in memory. The index therefore keeps at most budget keys
// in a map and, once a flushed batch leaves more, writes them all to a
// sorted run file on disk and starts the map afresh (docs/ingest.md,
// "Duplicates"). A lookup asks the map first, then the runs, newest first,
// so the newest state of a key wins. It stays exact: a key is only ever
// looked for where it can be, never guessed.
//
// Three things keep lookups in the runs rare and cheap:
//   - spans: per series (indicator and entity), the earliest and latest
//     period stored in any run. Data arrive sorted by time per series
//     (a station's hours, a section's months), so a new key is nearly
//     always later than everything spilled of its series and needs no
//     look at the runs at all.
//   - per run, the same spans, and a blocked Bloom filter of its keys
//     (10 bits a key, about 1 % false positives): a key that is not in a
//     run costs one cache line, not a disk read.
//   - per run, every fenceEvery-th key in memory, so that a lookup that
//     reaches the disk reads one block of fenceEvery entries.
//
// Memory: the map (budget keys), plus about 1.4 bytes per spilled key
// (filter and fences) and the spans (per series, not per row).
type keyIndex struct {
	mem     map[uint64]keyState
	memSpan map[uint64]span // series → periods of the keys in mem
	budget  int
	dir     string // where runs go; "" is os.TempDir()

	runs    []*keyRun
	spilled map[uint64]span // series → periods of the keys in all runs
	scratch []runEntry      // reused by spill
	block   []byte          // reused by find
}

// span is a closed range of period starts (Unix nanoseconds).
type span struct{ lo, hi int64 }

func (s span) has(t int64) bool { return t >= s.lo && t <= s.hi }

func (s *span) add(t int64) {
	s.lo, s.hi = min(s.lo, t), max(s.hi, t)
}

// addSpan widens spans[series] to cover t.
func addSpan(spans map[uint64]span, series uint64, t int64) {
	sp, ok := spans[series]
	if !ok {
		spans[series] = span{t, t}
		return
	}
	sp.add(t)
	spans[series] = sp
}

// defaultIndexKeys is the default budget: about 10 MB of map.
const defaultIndexKeys = 1 << 18

func newKeyIndex(budget int, dir string) *keyIndex {
	if budget <= 0 {
		budget = defaultIndexKeys
	}
	return &keyIndex{mem: map[uint64]keyState{}, memSpan: map[uint64]span{}, budget: budget, dir: dir, spilled: map[uint64]span{}}
}

// get returns the state of key, whose series and period start are given.
// The map is asked only when its spans say the key can be there: a
// series' next period, the common case, costs a look in the small map of
// spans instead of a cache miss in the large map of keys.
func (x *keyIndex) get(key, series uint64, t int64) (keyState, bool, error) {
	if sp, ok := x.memSpan[series]; ok && sp.has(t) {
		if st, ok := x.mem[key]; ok {
			return st, true, nil
		}
	}
	if sp, ok := x.spilled[series]; !ok || !sp.has(t) {
		return keyState{}, false, nil
	}
	for i := len(x.runs) - 1; i >= 0; i-- {
		r := x.runs[i]
		if sp, ok := r.spans[series]; !ok || !sp.has(t) || !r.mayHave(key) {
			continue
		}
		st, ok, err := r.find(key, &x.block)
		if err != nil || ok {
			return st, ok, err
		}
	}
	return keyState{}, false, nil
}

// put sets the state of key in memory; a key from a run comes back to
// memory when its state changes (a conflict), and wins over the run.
func (x *keyIndex) put(key, series uint64, t int64, st keyState) {
	addSpan(x.memSpan, series, t)
	x.mem[key] = st
}

// remove forgets a key of the current batch (a held row is not in). The
// spans stay as wide: they may cover periods no key has, never miss one.
func (x *keyIndex) remove(key uint64) { delete(x.mem, key) }

// runEntry is one key of a run, 24 bytes on disk (little-endian).
type runEntry struct {
	key uint64
	st  keyState
}

const runEntrySize = 24

// fenceEvery is how many entries of a run one fence key covers: a lookup
// that reaches the disk reads 64 × 24 bytes.
const fenceEvery = 64

// keyRun is a sorted run of spilled keys in an unlinked temporary file.
type keyRun struct {
	f      *os.File
	path   string // set only while the file could not be unlinked
	n      int
	fences []uint64 // fences[i] is the key of entry i·fenceEvery
	filter []uint64 // blocked Bloom filter, 8 words (one cache line) a block
	spans  map[uint64]span
}

// spill writes the map to a new run when it holds budget keys or more.
// It is called after a flush, when no key in memory belongs to a batch
// still being built.
func (x *keyIndex) spill() error {
	if len(x.mem) < x.budget {
		return nil
	}
	entries := x.scratch[:0]
	for k, st := range x.mem {
		entries = append(entries, runEntry{k, st})
	}
	slices.SortFunc(entries, func(a, b runEntry) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	x.scratch = entries[:0]
	r, err := writeRun(x.dir, entries)
	if err != nil {
		return fmt.Errorf("duplicate index: spilling %d keys to disk: %w", len(entries), err)
	}
	r.spans = x.memSpan
	for series, sp := range x.memSpan {
		addSpan(x.spilled, series, sp.lo)
		addSpan(x.spilled, series, sp.hi)
	}
	x.runs = append(x.runs, r)
	clear(x.mem) // keeps its buckets: the map does not grow again
	x.memSpan = map[uint64]span{}
	return nil
}

func writeRun(dir string, entries []runEntry) (*keyRun, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("duplicate index spill folder: %w", err)
		}
	}
	f, err := os.CreateTemp(dir, "greenmetrics-dedupe-*.run")
	if err != nil {
		return nil, err
	}
	r := &keyRun{f: f, n: len(entries)}
	if err := os.Remove(f.Name()); err != nil {
		r.path = f.Name() // not unlinkable while open here: remove at close
	}
	blocks := max(1, (len(entries)*10+511)/512)
	r.filter = make([]uint64, 8*blocks)
	r.fences = make([]uint64, 0, (len(entries)+fenceEvery-1)/fenceEvery)
	w := bufio.NewWriterSize(f, 256<<10)
	var buf [runEntrySize]byte
	for i, e := range entries {
		if i%fenceEvery == 0 {
			r.fences = append(r.fences, e.key)
		}
		r.addToFilter(e.key)
		binary.LittleEndian.PutUint64(buf[0:], e.key)
		binary.LittleEndian.PutUint64(buf[8:], e.st.bits)
		binary.LittleEndian.PutUint32(buf[16:], uint32(e.st.row))
		binary.LittleEndian.PutUint32(buf[20:], uint32(e.st.at))
		if _, err := w.Write(buf[:]); err != nil {
			r.close()
			return nil, err
		}
	}
	if err := w.Flush(); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// filterBits picks a key's block and its 8 bits, one per word of the
// block, from a remix of the key (which is a hash already).
func (r *keyRun) filterBits(key uint64) (block int, pattern uint64) {
	h := key * 0x9e3779b97f4a7c15
	hi, _ := bits.Mul64(h, uint64(len(r.filter)/8))
	return int(hi) * 8, bits.RotateLeft64(key, 17) ^ h
}

func (r *keyRun) addToFilter(key uint64) {
	b, p := r.filterBits(key)
	for w := range 8 {
		r.filter[b+w] |= 1 << ((p >> (6 * w)) & 63)
	}
}

// mayHave is false when key is surely not in the run.
func (r *keyRun) mayHave(key uint64) bool {
	b, p := r.filterBits(key)
	for w := range 8 {
		if r.filter[b+w]&(1<<((p>>(6*w))&63)) == 0 {
			return false
		}
	}
	return true
}

// find reads the block of the run where key would be and looks for it.
func (r *keyRun) find(key uint64, buf *[]byte) (keyState, bool, error) {
	i := sort.Search(len(r.fences), func(i int) bool { return r.fences[i] > key }) - 1
	if i < 0 {
		return keyState{}, false, nil
	}
	first := i * fenceEvery
	n := min(fenceEvery, r.n-first)
	if cap(*buf) < n*runEntrySize {
		*buf = make([]byte, fenceEvery*runEntrySize)
	}
	b := (*buf)[:n*runEntrySize]
	if _, err := r.f.ReadAt(b, int64(first)*runEntrySize); err != nil {
		return keyState{}, false, fmt.Errorf("duplicate index: reading spilled keys: %w", err)
	}
	j := sort.Search(n, func(j int) bool { return binary.LittleEndian.Uint64(b[j*runEntrySize:]) >= key })
	if j == n || binary.LittleEndian.Uint64(b[j*runEntrySize:]) != key {
		return keyState{}, false, nil
	}
	e := b[j*runEntrySize:]
	return keyState{
		bits: binary.LittleEndian.Uint64(e[8:]),
		row:  int32(binary.LittleEndian.Uint32(e[16:])),
		at:   int32(binary.LittleEndian.Uint32(e[20:])),
	}, true, nil
}

func (r *keyRun) close() {
	r.f.Close()
	if r.path != "" {
		os.Remove(r.path)
	}
}

// close releases the runs' files.
func (x *keyIndex) close() {
	for _, r := range x.runs {
		r.close()
	}
	x.runs = nil
}
