package app

import (
	"io"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"testing"
)

// TestSetMemoryLimit: the configured limit, else half of what the process
// may use, and nothing when GOMEMLIMIT chose.
func TestSetMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if v, set := os.LookupEnv("GOMEMLIMIT"); set {
		t.Cleanup(func() { os.Setenv("GOMEMLIMIT", v) })
	}
	os.Unsetenv("GOMEMLIMIT")

	setMemoryLimit(512<<20, log)
	if got := debug.SetMemoryLimit(-1); got != 512<<20 {
		t.Errorf("configured 512 MiB: limit %d", got)
	}

	avail, source := availableMemory()
	if avail <= 0 {
		t.Fatalf("availableMemory = %d from %s; Linux has /proc/meminfo", avail, source)
	}
	setMemoryLimit(0, log)
	if got := debug.SetMemoryLimit(-1); got != avail/2 {
		t.Errorf("automatic: limit %d, want half of %d (%s)", got, avail, source)
	}

	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "1GiB")
	setMemoryLimit(512<<20, log)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set the limit was changed to %d", got)
	}
}
