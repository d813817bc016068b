package app

import (
	"bufio"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// ingestGCPercent is the garbage collector's target for the commands that
// ingest (serve, import, demo). Their live heap is mostly the duplicate
// index of the input being read (24 bytes per distinct key), and Go's
// default of 100 lets the heap grow to twice that before collecting: 150 MB
// of RSS for a million-row import. At 50 the peak is 120 MB for about 0.2 s
// more CPU per million rows, which InfluxDB's write time hides
// (docs/benchmarks.md). Prometheus makes the same trade, at 75.
const ingestGCPercent = 50

// tuneGCForIngest applies ingestGCPercent unless the user chose with GOGC.
func tuneGCForIngest() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(ingestGCPercent)
	}
}

// setMemoryLimit gives the daemon a soft memory limit unless GOMEMLIMIT
// sets one: configured (ingest.memory_limit), else half of what the
// daemon may use — its cgroup's memory.max, or the machine's memory
// without one. Half, because the limit is soft: the collector works harder
// near it, and a burst of pushes, the page cache of the spool and InfluxDB
// on the same host need the rest. Without a limit Go returns memory to
// the system slowly and collects only at twice the live heap, so one
// large input left the daemon at its peak for good.
func setMemoryLimit(configured int64, log *slog.Logger) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	limit, from := configured, "ingest.memory_limit"
	if limit <= 0 {
		avail, source := availableMemory()
		if avail <= 0 {
			return
		}
		limit, from = avail/2, "half of "+source
	}
	debug.SetMemoryLimit(limit)
	log.Info("memory limit", "bytes", limit, "from", from)
}

// availableMemory is the cgroup (v2, then v1) memory limit of the process,
// or the machine's MemTotal; 0 when none can be read.
func availableMemory() (int64, string) {
	total := memTotal()
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		// "max", or v1's huge "no limit" value, mean no limit.
		if err == nil && n > 0 && (total == 0 || n < total) {
			return n, f
		}
	}
	return total, "MemTotal"
}

func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
