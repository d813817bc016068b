package trend

import (
	"sync"
	"sync/atomic"
)

// helper is work handed to another goroutine, which the goroutine that
// needs its result does itself if no processor has started it by then
// (join): on a loaded machine the helper's thread may wait for a core
// while the joining one has it.
type helper struct {
	claimed atomic.Bool
	done    sync.WaitGroup
	f       func()
}

// help starts f on a new goroutine that an idle processor picks up at
// once. A new goroutine waits in its parent's runnext slot, which another
// processor steals only after sleeping 3 µs, to let the parent run it
// first; with Linux's 50 µs timer slack that sleep took 60–80 µs at every
// hand-over on the benchmark machine (a virtual one). An empty goroutine
// started next takes the slot and moves f to the run queue, from which it
// is stolen without the sleep.
func help(f func()) *helper {
	h := &helper{f: f}
	h.done.Add(1)
	go h.run()
	go func() {}()
	return h
}

func (h *helper) run() {
	if h.claimed.CompareAndSwap(false, true) {
		h.f()
		h.done.Done()
	}
}

// join returns once f has run, running it here if no goroutine started it.
func (h *helper) join() {
	if h.claimed.CompareAndSwap(false, true) {
		h.f()
		return
	}
	h.done.Wait()
}
