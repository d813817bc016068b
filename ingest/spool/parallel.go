package spool

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
)

// Parallel delivery. InfluxDB on the same two cores takes writes faster
// from two connections than from one, so the Sender keeps
// SenderOptions.Concurrency requests in flight. Two rules keep what the
// spool promises:
//
//   - Last write wins per point. Every line goes to the writer its point
//     (series key — measurement and tags, everything before the first
//     unescaped space — and timestamp, the last field) hashes to, and each
//     writer sends its share of the batches in spool order, one request at
//     a time. All revisions of one point hash alike, so they travel
//     through one writer, in the order they were appended; requests of
//     different writers never hold the same point, so their relative order
//     cannot matter. A writer that fails (the context ended) sends nothing
//     more, so no later revision of a point it carries can overtake the
//     one it did not deliver. Hashing the point, not the series alone,
//     shares a batch evenly even when it holds few series (a file sorted
//     by station: 5 000 rows are one station's six pollutants).
//   - Acknowledged means stored. A batch is acknowledged only when every
//     writer has delivered (or dead-lettered) its share, and batches are
//     acknowledged in spool order: the ack position never passes a line
//     InfluxDB has not taken. A restart replays from there, in order, so
//     what a crash left half-delivered is rewritten oldest first.

// deliveryJob is one spool batch split across the writers.
type deliveryJob struct {
	b     Batch
	parts [][]string   // parts[i]: the lines writer i sends
	dead  [][]deadLine // dead[i]: what InfluxDB refused of parts[i]
	marks []string     // the batch's marks, once it is delivered
	errs  []error      // errs[i]: why parts[i] was not delivered
	done  sync.WaitGroup
	// begun is set once a writer starts sending its share: when Run is
	// stopped, the other shares of a begun batch still get their one
	// request, so that the batch is acknowledged rather than sent again.
	begun atomic.Bool
}

// split shares b's lines among n writers by point, keeping their order
// within each share.
func split(b Batch, n int) *deliveryJob {
	j := &deliveryJob{b: b, parts: make([][]string, n), dead: make([][]deadLine, n), errs: make([]error, n)}
	if n == 1 {
		j.parts[0] = b.Lines
	} else {
		per := len(b.Lines)/n + len(b.Lines)/(4*n) + 1
		for i := range j.parts {
			j.parts[i] = make([]string, 0, per)
		}
		for _, l := range b.Lines {
			i := pointHash(l) % uint32(n)
			j.parts[i] = append(j.parts[i], l)
		}
	}
	j.done.Add(n)
	return j
}

// pointHash is the FNV-1a hash of a line's point: its series key (the
// measurement and tag set, up to the first space not escaped by a
// backslash) and its timestamp (after the last space). A line without a
// timestamp is stamped by InfluxDB on arrival, a point of its own, so
// whatever its hash, no other line can overwrite it.
func pointHash(line string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == ' ' {
			break
		}
		h ^= uint32(c)
		h *= 16777619
		if c == '\\' && i+1 < len(line) {
			i++
			h ^= uint32(line[i])
			h *= 16777619
		}
	}
	if sp := strings.LastIndexByte(line, ' '); sp >= 0 {
		for i := sp; i < len(line); i++ {
			h ^= uint32(line[i])
			h *= 16777619
		}
	}
	return h
}

// readSize is the number of records read per batch: BatchSize for each
// writer, so that each request carries about BatchSize points (exactly
// as many only when the series share evenly).
func (s *Sender) readSize() int { return s.opts.BatchSize * s.opts.Concurrency }

// firstErr is the first writer's error, nil when every share was
// delivered.
func (j *deliveryJob) firstErr() error {
	for _, err := range j.errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// deadLines joins what InfluxDB refused of every share.
func (j *deliveryJob) deadLines() []deadLine {
	var out []deadLine
	for _, d := range j.dead {
		out = append(out, d...)
	}
	return out
}

// deliverFrom delivers b and the batches after it until the spool has no
// more or ctx ends. A reader splits each batch among the writers and reads
// the next while they work; at most Concurrency+1 batches hold their lines
// at once, and up to maxMarkedTogether more wait, without them, for their
// marks and acknowledgement. It returns once every writer has stopped.
func (s *Sender) deliverFrom(ctx context.Context, b Batch, stop onStop) error {
	n := s.opts.Concurrency
	quit := make(chan struct{})
	inOrder := make(chan *deliveryJob, n)
	queues := make([]chan *deliveryJob, n)
	var writers sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan *deliveryJob, n+2)
		writers.Add(1)
		go func() {
			defer writers.Done()
			s.runWriter(ctx, i, queues[i], quit, stop)
		}()
	}
	var readErr error
	go func() {
		defer func() {
			for _, q := range queues {
				close(q)
			}
			close(inOrder)
		}()
		for !b.Empty() {
			if ctx.Err() != nil {
				return
			}
			j := split(b, n)
			select {
			case inOrder <- j:
			case <-quit:
				return
			}
			for _, q := range queues {
				q <- j
			}
			nb, err := s.sp.TryNextAfter(b, s.readSize())
			if err != nil {
				readErr = err
				return
			}
			b = nb
		}
	}()
	var err error
	fail := func(e error) {
		if err == nil {
			err = e
			close(quit)
		}
	}
	// Delivered batches wait in ready while the reader has already handed
	// out the next one: their marks go out together, in one request, when
	// no batch is waiting or maxMarkedTogether are (a bulk import made one
	// request of marks per batch, half of a serial sender's requests).
	var ready []*deliveryJob
	flush := func() {
		if err == nil && len(ready) > 0 {
			if e := s.markAndFinish(ctx, ready, stop); e != nil {
				fail(e)
			}
		}
		clear(ready)
		ready = ready[:0]
	}
	for j := range inOrder {
		j.done.Wait()
		if err != nil {
			continue
		}
		if e := j.firstErr(); e != nil {
			flush() // the batches before it were stored: acknowledge them
			fail(e)
			continue
		}
		j.keepMarks(s.opts.Marks)
		ready = append(ready, j)
		if len(ready) < maxMarkedTogether && len(inOrder) > 0 {
			continue
		}
		flush()
	}
	flush()
	writers.Wait()
	if err == nil {
		err = readErr // closing inOrder ordered this read after the write
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// runWriter delivers writer i's share of each batch in turn. After a
// failure it sends nothing more: a later batch could hold a newer revision
// of a point whose older one was not delivered, and would be overtaken by
// it on the replay.
func (s *Sender) runWriter(ctx context.Context, i int, queue <-chan *deliveryJob, quit <-chan struct{}, stop onStop) {
	var failed error
	for j := range queue {
		if failed == nil {
			select {
			case <-quit:
				failed = errStopped
			default:
				j.dead[i], failed = s.deliverShare(ctx, j, i, stop)
			}
		}
		j.errs[i] = failed
		j.done.Done()
	}
}

// deliverShare delivers writer i's share of j. When Run is being stopped
// (finishRequests) and another writer has begun sending j, the share gets
// one request still, as the request in flight does.
func (s *Sender) deliverShare(ctx context.Context, j *deliveryJob, i int, stop onStop) ([]deadLine, error) {
	lines := j.parts[i]
	if len(lines) == 0 {
		return nil, nil
	}
	if ctx.Err() != nil && stop == finishRequests && j.begun.Load() {
		if err := s.write(ctx, lines, stop); err != nil {
			return nil, err
		}
		return nil, nil
	}
	j.begun.Store(true)
	return s.deliver(ctx, lines, stop)
}

// errStopped marks shares not sent because an earlier batch failed.
var errStopped = stoppedError{}

type stoppedError struct{}

func (stoppedError) Error() string { return "spool delivery stopped after an earlier failure" }

// finish dead-letters what InfluxDB refused of a delivered batch and
// acknowledges it.
func (s *Sender) finish(j *deliveryJob) error {
	b := j.b
	if b.Damaged > 0 {
		s.log.Warn("spool: skipped damaged records", "records", b.Damaged)
	}
	dead := j.deadLines()
	if len(dead) > 0 {
		if err := s.writeDeadLetter(b.start, dead); err != nil {
			return err
		}
	}
	if err := s.sp.Ack(b); err != nil {
		return err
	}
	s.delivered.Add(int64(b.size() - len(dead)))
	s.deadLettered.Add(int64(len(dead)))
	return nil
}

// maxMarkedTogether bounds the delivered batches that wait to have their
// marks written together: they are not acknowledged until then.
const maxMarkedTogether = 8

// keepMarks computes the marks of a delivered batch (SenderOptions.Marks)
// and lets its lines go: the batch may wait for the marks of the batches
// after it, and only its size is needed to acknowledge it.
func (j *deliveryJob) keepMarks(marks func([]string) []string) {
	if marks != nil {
		j.marks = marks(j.b.Lines)
	}
	j.parts = nil
	j.b.release()
}

// markAndFinish writes the marks of delivered batches in one request and
// then acknowledges the batches in spool order. A mark InfluxDB refuses is
// logged: it is the Sender's own line, so only a conflicting write from
// outside (a nonce of another type) can cause that, and the data must not
// wait on it.
func (s *Sender) markAndFinish(ctx context.Context, jobs []*deliveryJob, stop onStop) error {
	var marks []string
	for _, j := range jobs {
		marks = append(marks, j.marks...)
	}
	dead, err := s.deliver(ctx, marks, stop)
	if err != nil {
		return err
	}
	if len(dead) > 0 {
		s.log.Error("influxdb refused rollup marks; the months they name may keep stale daily figures until they are marked stale (greenmetrics migrate --rollups)",
			"marks", len(dead), "status", dead[0].status, "message", dead[0].message)
	}
	for _, j := range jobs {
		if err := s.finish(j); err != nil {
			return err
		}
	}
	return nil
}
