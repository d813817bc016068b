package spool

import (
	"sync"
	"time"
)

// Stats is a snapshot of a spool and of the Sender delivering it, for
// health checks and for the Prometheus collector in package metrics (which
// turns it into const metrics at scrape time). Counters count since Open;
// they restart from zero with the process, as Prometheus counters may.
type Stats struct {
	// PendingPoints and PendingBytes are appended and not yet
	// acknowledged by InfluxDB (nor dead-lettered).
	PendingPoints int64
	PendingBytes  int64
	// MaxBytes is Options.MaxBytes: PendingBytes/MaxBytes is how full the
	// spool is.
	MaxBytes int64
	// OldestPendingAge is how long ago the oldest pending point was made
	// durable (for points recovered at Open: the time their segment was
	// last written); 0 when nothing is pending.
	OldestPendingAge time.Duration
	// Segments is the number of segment files on disk.
	Segments int
	// AppendedPoints counts points made durable.
	AppendedPoints int64
	// DamagedRecords counts records skipped because their checksum failed
	// (disk damage; a crash's torn tail is truncated at Open, not counted).
	DamagedRecords int64
	// Latency is the time from a point's Append to the InfluxDB 2xx that
	// delivered it, one observation per point, with markMerge (50 ms)
	// resolution.
	Latency Histogram

	// The fields below are filled by Sender.Stats.

	// DeliveredPoints counts points InfluxDB accepted.
	DeliveredPoints int64
	// DeadLetteredPoints counts points InfluxDB refused for good, now in
	// the dead-letter directory.
	DeadLetteredPoints int64
	// WriteErrors counts failed InfluxDB requests by kind: "unreachable"
	// (no HTTP answer, timeouts), "throttled" (429), "server" (5xx),
	// "rejected" (400, 413, 422: bad data), "auth" (401, 403),
	// "not_found" (404: no such database or bucket), "other".
	WriteErrors map[string]int64
	// LastSuccess is the time of the last 2xx from InfluxDB (a write or a
	// ping); zero if none yet.
	LastSuccess time.Time
	// InfluxUp says whether the last request to InfluxDB got a 2xx.
	InfluxUp bool
}

// LatencyBuckets are the upper bounds, in seconds, of Stats.Latency.
var LatencyBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}

// Histogram is a cumulative histogram in the form Prometheus exposes:
// Counts[i] observations were at most Bounds[i] seconds; Count and Sum
// cover all observations, including those above the last bound.
type Histogram struct {
	Bounds []float64
	Counts []uint64
	Count  uint64
	Sum    float64 // seconds
}

// Stats returns the state of the spool. The Sender fields are zero; use
// Sender.Stats for the whole picture.
func (s *Spool) Stats() Stats {
	now := s.now()
	s.mu.Lock()
	st := Stats{
		PendingBytes: s.end - s.ack.Load(),
		MaxBytes:     s.opts.MaxBytes,
		Segments:     len(s.segs),
	}
	if len(s.marks) > 0 && s.pending.Load() > 0 {
		st.OldestPendingAge = max(now.Sub(s.marks[0].at), 0)
	}
	s.mu.Unlock()
	st.PendingPoints = s.pending.Load()
	st.AppendedPoints = s.appended.Load()
	st.DamagedRecords = s.corrupt.Load()
	st.Latency = s.lat.snapshot()
	return st
}

// observeDelivered feeds the latency histogram with the n oldest pending
// points and drops their marks.
func (s *Spool) observeDelivered(n int64, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for n > 0 && len(s.marks) > 0 {
		m := &s.marks[0]
		take := min(n, m.n)
		s.lat.observe(now.Sub(m.at), take)
		m.n -= take
		n -= take
		if m.n == 0 {
			s.marks = s.marks[1:]
		}
	}
}

// latency is the histogram behind Stats.Latency.
type latency struct {
	mu     sync.Mutex
	counts [16]uint64 // per bucket, not cumulative; the last is +Inf
	count  uint64
	sum    float64
}

func (l *latency) observe(d time.Duration, n int64) {
	sec := d.Seconds()
	i := 0
	for i < len(LatencyBuckets) && sec > LatencyBuckets[i] {
		i++
	}
	l.mu.Lock()
	l.counts[i] += uint64(n)
	l.count += uint64(n)
	l.sum += sec * float64(n)
	l.mu.Unlock()
}

func (l *latency) snapshot() Histogram {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := Histogram{Bounds: LatencyBuckets, Counts: make([]uint64, len(LatencyBuckets)), Count: l.count, Sum: l.sum}
	var cum uint64
	for i := range LatencyBuckets {
		cum += l.counts[i]
		h.Counts[i] = cum
	}
	return h
}

// deliveryRate estimates how fast the spool drains, to tell refused
// clients how long to wait.
type deliveryRate struct {
	mu          sync.Mutex
	windowStart time.Time
	windowBytes int64
	bytesPerSec float64
	last        time.Time
}

func (r *deliveryRate) add(bytes int64, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last = now
	if r.windowStart.IsZero() {
		r.windowStart = now
	}
	r.windowBytes += bytes
	if el := now.Sub(r.windowStart); el >= time.Second {
		cur := float64(r.windowBytes) / el.Seconds()
		if r.bytesPerSec == 0 {
			r.bytesPerSec = cur
		} else {
			r.bytesPerSec = (r.bytesPerSec + cur) / 2
		}
		r.windowStart, r.windowBytes = now, 0
	}
}

// retryAfter estimates when need more bytes will have been freed: 1 to 30
// seconds, and 10 seconds when delivery has stalled (InfluxDB down).
func (r *deliveryRate) retryAfter(need int64, now time.Time) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bytesPerSec <= 0 || now.Sub(r.last) > 10*time.Second {
		return 10 * time.Second
	}
	d := time.Duration(float64(need) / r.bytesPerSec * float64(time.Second))
	return min(max(d, time.Second), 30*time.Second).Round(time.Second)
}
