package trend

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestHelperRunsOnce checks that work handed to a helper runs exactly once
// and is finished when join returns, whether the joining goroutine runs
// it (no other processor free: GOMAXPROCS 1, join before any yield) or
// the helper's goroutine started it first (run with -race as well).
func TestHelperRunsOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var runs atomic.Int32
	work := func() {
		time.Sleep(time.Millisecond)
		runs.Add(1)
	}
	h := help(work)
	h.join() // GOMAXPROCS 1: the helper's goroutine has not run yet
	if n := runs.Load(); n != 1 {
		t.Fatalf("joined before the helper ran: %d runs, want 1", n)
	}
	runtime.GOMAXPROCS(2)
	for range 20 {
		runs.Store(0)
		h := help(work)
		time.Sleep(200 * time.Microsecond) // usually the helper starts first
		h.join()
		if n := runs.Load(); n != 1 {
			t.Fatalf("%d runs, want 1", n)
		}
	}
	time.Sleep(2 * time.Millisecond) // let finished helpers' goroutines return
	if n := runs.Load(); n != 1 {
		t.Fatalf("a helper ran its work again after join: %d runs", n)
	}
}
