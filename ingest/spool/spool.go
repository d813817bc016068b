package spool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// Options tune a Spool. The zero value is usable.
type Options struct {
	// MaxBytes bounds the bytes not yet delivered; past it Append returns
	// an error satisfying errors.Is(err, ErrFull). Zero means 1 GiB.
	MaxBytes int64
	// SegmentBytes is the size past which a new segment file is started;
	// delivered segments are deleted whole. Zero means 64 MiB.
	SegmentBytes int64
	// Logger receives recovery and failure reports; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Errors of a spool.
var (
	// ErrFull is matched (errors.Is) by the *FullError Append returns when
	// the spool holds MaxBytes of undelivered data.
	ErrFull = errors.New("spool full")
	// ErrTooLarge means one Append, or the data of one request (see
	// ForRequest), is larger than the whole spool and can never be
	// accepted, however long the client waits; split it.
	ErrTooLarge = errors.New("batch larger than the whole spool")
	// ErrClosed is returned by Append after Close.
	ErrClosed = errors.New("spool closed")
	// ErrLocked means another process has the spool directory open.
	ErrLocked = errors.New("spool directory is in use by another process")
)

// FullError is a refused Append of a full spool. RetryAfter is how long the
// client should wait, estimated from the recent delivery rate.
type FullError struct {
	Pending    int64 // undelivered bytes
	Max        int64 // Options.MaxBytes
	RetryAfter time.Duration
	// Disk is the write error when the disk, not MaxBytes, is full.
	Disk error
}

func (e *FullError) Error() string {
	if e.Disk != nil {
		return fmt.Sprintf("spool disk full (%v): %d bytes await delivery; retry after %v", e.Disk, e.Pending, e.RetryAfter)
	}
	return fmt.Sprintf("spool full: %d of %d bytes await delivery; retry after %v", e.Pending, e.Max, e.RetryAfter)
}

// Unwrap returns the disk's error, if any.
func (e *FullError) Unwrap() error { return e.Disk }

// Is makes errors.Is(err, ErrFull) true.
func (e *FullError) Is(target error) bool { return target == ErrFull }

// Backpressure is true: a full spool asks the sender to wait, which is how
// ingest.IsBackpressure recognises it without importing this package.
func (e *FullError) Backpressure() bool { return true }

// RetryAfter returns the wait a full spool suggested in err, or 0 when err
// is not a *FullError.
func RetryAfter(err error) time.Duration {
	var fe *FullError
	if errors.As(err, &fe) {
		return fe.RetryAfter
	}
	return 0
}

// segment is one file of the spool. The bytes of a segment are positions
// base … base+size; the next segment starts at or after base+size (a gap
// is left where recovery truncated a torn tail).
type segment struct {
	base int64
	size int64
}

// mark remembers when the n points ending at position end were appended,
// for delivery latency and the age of the oldest pending point.
type mark struct {
	end int64
	at  time.Time
	n   int64
}

// markMerge is the resolution of delivery-latency measurement: appends
// closer together than this share one mark, which bounds the memory marks
// take during a long outage.
const markMerge = 50 * time.Millisecond

// Spool is an on-disk queue of line-protocol records. Append is safe for
// concurrent use; Next and Ack are for a single consumer (the Sender).
type Spool struct {
	dir  string
	opts Options
	log  *slog.Logger
	now  func() time.Time
	lock *os.File

	mu       sync.Mutex // guards the fields below, up to syncMu
	segs     []segment  // oldest first; the last one is active
	active   *os.File   // the last segment, open for writing
	end      int64      // position after the last byte written
	unsynced []*os.File // sealed segments whose fsync is still owed
	dirDirty bool       // a segment was created since the last directory fsync
	broken   error      // a failed write or fsync: appends refuse until restart
	closed   bool
	marks    []mark
	// writeErr is the last failed segment write (a full disk), kept until
	// a write succeeds or a delivered segment is deleted (space freed).
	writeErr error
	// refusedAt is the ack position when an Append was last refused for
	// want of room (-1: never). While the ack position stays there, Err
	// reports the spool full.
	refusedAt int64

	syncMu sync.Mutex   // one fsync at a time; the group commit leader holds it
	synced atomic.Int64 // position up to which everything is on disk
	wake   chan struct{}

	readMu  sync.Mutex // the consumer side: the fields below
	rd      *os.File   // segment being read
	rdBase  int64
	buf     []byte
	ackFile *os.File
	ack     atomic.Int64 // position up to which InfluxDB has everything

	appended atomic.Int64 // points appended since Open
	pending  atomic.Int64 // points appended and not yet acknowledged
	corrupt  atomic.Int64 // damaged records skipped
	lat      latency
	rate     deliveryRate
}

// Open opens or creates the spool in dir, recovering what a previous
// process left: it truncates torn tails, drops delivered segments and
// counts the points still to deliver. It fails with ErrLocked when another
// process has dir open.
func Open(dir string, opts Options) (*Spool, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 1 << 30
	}
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = 64 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Spool{dir: dir, opts: opts, log: opts.Logger, now: opts.Now, wake: make(chan struct{}, 1), refusedAt: -1}
	for _, d := range []string{dir, s.segmentDir(), s.DeadLetterDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("spool: %w", err)
		}
	}
	lock, err := lockDir(filepath.Join(dir, "LOCK"))
	if err != nil {
		return nil, err
	}
	s.lock = lock
	if err := s.recover(); err != nil {
		s.closeFiles()
		return nil, fmt.Errorf("spool %s: recovery: %w", dir, err)
	}
	return s, nil
}

// Dir is the spool directory.
func (s *Spool) Dir() string { return s.dir }

// DeadLetterDir is where lines InfluxDB refused are kept.
func (s *Spool) DeadLetterDir() string { return filepath.Join(s.dir, "dead-letter") }

func (s *Spool) segmentDir() string { return filepath.Join(s.dir, "segments") }

func (s *Spool) segmentPath(base int64) string {
	return filepath.Join(s.segmentDir(), fmt.Sprintf("%020d.seg", base))
}

// Append makes observations durable: it encodes them, writes them to the
// active segment and returns once they are fsync'ed. The observations must
// have passed validation (models.Observation.Validate). A full spool gives
// a *FullError; nothing of a refused call is kept.
func (s *Spool) Append(ctx context.Context, obs []models.Observation) error {
	if len(obs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	buf := getBuffer()
	defer putBuffer(buf)
	data, err := encode(buf.b[:0], obs)
	buf.b = data
	if err != nil {
		return err
	}
	end, err := s.write(ctx, data, int64(len(obs)))
	if err != nil {
		return s.afterFailedWrite(err)
	}
	return s.syncTo(end)
}

// encode appends the records of obs to dst, encoding each line in place
// (no per-observation allocation or copy: this is the hot path of every
// push).
func encode(dst []byte, obs []models.Observation) ([]byte, error) {
	for i := range obs {
		start := len(dst)
		dst = append(dst, "00000000 "...)
		dst = store.AppendObservation(dst, obs[i])
		line := dst[start+9:]
		if err := checkLine(line); err != nil {
			return dst[:start], fmt.Errorf("observation %d (%s): %w", i, obs[i].Indicator, err)
		}
		putChecksum(dst[start:start+8], line)
		dst = append(dst, '\n')
	}
	return dst, nil
}

// errBadLine refuses a line that would break the framing.
var errBadLine = errors.New("line is empty, too long or contains a newline")

func checkLine(line []byte) error {
	if len(line) == 0 || len(line)+recordOverhead > maxRecordBytes {
		return errBadLine
	}
	if bytes.IndexByte(line, '\n') >= 0 {
		return errBadLine
	}
	return nil
}

// write appends data (n points) to the active segment and returns the
// position after it.
func (s *Spool) write(ctx context.Context, data []byte, n int64) (int64, error) {
	size := int64(len(data))
	tally := requestTallyOf(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return 0, ErrClosed
	case s.broken != nil:
		return 0, fmt.Errorf("spool is read-only after an I/O error (restart to recover): %w", s.broken)
	case size > s.opts.MaxBytes:
		return 0, fmt.Errorf("%d bytes, spool max %d: %w", size, s.opts.MaxBytes, ErrTooLarge)
	}
	if pending := s.end - s.ack.Load(); pending+size > s.opts.MaxBytes {
		if tally != nil && tally.bytes+size > s.opts.MaxBytes {
			// The request alone is more than an empty spool holds: sent
			// again, it would fill the spool again. Not worth a retry.
			return 0, fmt.Errorf("the request's data (%d bytes so far) is larger than the whole spool (%d bytes): %w", tally.bytes+size, s.opts.MaxBytes, ErrTooLarge)
		}
		s.refusedAt = s.ack.Load()
		return 0, &FullError{Pending: pending, Max: s.opts.MaxBytes, RetryAfter: s.rate.retryAfter(pending+size-s.opts.MaxBytes, s.now())}
	}
	act := &s.segs[len(s.segs)-1]
	if act.size > 0 && act.size+size > s.opts.SegmentBytes {
		if err := s.rotate(); err != nil {
			return 0, err
		}
		act = &s.segs[len(s.segs)-1]
	}
	if _, err := s.active.WriteAt(data, act.size); err != nil {
		// Cut a partial write off so the next record starts on a clean
		// line; if even that fails the file's tail is unknown.
		if terr := s.active.Truncate(act.size); terr != nil {
			s.broken = fmt.Errorf("write: %w; truncate: %w", err, terr)
		}
		s.writeErr = err
		if isDiskFull(err) {
			// Like MaxBytes: delivery will free room, so the client waits.
			pending := s.end - s.ack.Load()
			return 0, &FullError{Pending: pending, Max: s.opts.MaxBytes, RetryAfter: s.rate.retryAfter(size, s.now()), Disk: err}
		}
		return 0, fmt.Errorf("spool write: %w", err)
	}
	s.writeErr = nil
	if tally != nil {
		tally.bytes += size
	}
	act.size += size
	s.end += size
	s.addMark(n)
	s.appended.Add(n)
	s.pending.Add(n)
	return s.end, nil
}

func (s *Spool) addMark(n int64) {
	now := s.now()
	if k := len(s.marks); k > 0 && now.Sub(s.marks[k-1].at) < markMerge {
		s.marks[k-1].end = s.end
		s.marks[k-1].n += n
		return
	}
	s.marks = append(s.marks, mark{end: s.end, at: now, n: n})
}

// rotate seals the active segment and starts a new one at s.end. The
// sealed file is fsync'ed by the next group commit.
func (s *Spool) rotate() error {
	f, err := os.OpenFile(s.segmentPath(s.end), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("spool: new segment: %w", err)
	}
	s.unsynced = append(s.unsynced, s.active)
	s.active = f
	s.segs = append(s.segs, segment{base: s.end})
	s.dirDirty = true
	return nil
}

// syncTo returns once everything up to pos is on disk. Callers arriving
// while an fsync runs wait for it and are then usually covered by the next
// one, which a single leader issues for all of them.
func (s *Spool) syncTo(pos int64) error {
	if s.synced.Load() >= pos {
		return nil
	}
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if s.synced.Load() >= pos {
		return nil
	}
	s.mu.Lock()
	if s.broken != nil || s.closed {
		err := s.broken
		s.mu.Unlock()
		if err == nil {
			return ErrClosed
		}
		return fmt.Errorf("spool fsync: %w", err)
	}
	target, active, sealed, dirDirty := s.end, s.active, s.unsynced, s.dirDirty
	s.unsynced, s.dirDirty = nil, false
	s.mu.Unlock()

	if err := s.syncFiles(active, sealed, dirDirty); err != nil {
		// After a failed fsync the kernel may have dropped the dirty pages:
		// what is on disk is unknown, so stop accepting until a restart
		// re-reads the segments.
		s.mu.Lock()
		s.broken = err
		s.mu.Unlock()
		return fmt.Errorf("spool fsync: %w", err)
	}
	s.synced.Store(target)
	s.signal()
	return nil
}

func (s *Spool) syncFiles(active *os.File, sealed []*os.File, dirDirty bool) error {
	for _, f := range sealed {
		if err := f.Sync(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if err := active.Sync(); err != nil {
		return err
	}
	if dirDirty {
		return syncDir(s.segmentDir())
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// signal wakes a consumer waiting in Next.
func (s *Spool) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Err reports why the spool cannot accept data right now: closed, broken
// by an I/O error, its disk full, or full. Full means spool_max_bytes is
// reached, or an Append was refused for want of room and delivery has not
// freed any since: the moment the spool starts refusing data it says so,
// and it stops saying so once InfluxDB has taken some. A failed segment
// write (the disk is full) is reported until a write succeeds or a
// delivered segment is deleted.
func (s *Spool) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.broken != nil:
		return fmt.Errorf("spool is read-only after an I/O error: %w", s.broken)
	case s.writeErr != nil:
		return fmt.Errorf("spool disk: the last write failed (%w); waiting for delivery to free space", s.writeErr)
	}
	ack := s.ack.Load()
	if pending := s.end - ack; pending >= s.opts.MaxBytes || s.refusedAt == ack {
		return &FullError{Pending: pending, Max: s.opts.MaxBytes, RetryAfter: s.rate.retryAfter(1, s.now())}
	}
	return nil
}

// afterFailedWrite is called with the error of a refused or failed write:
// when the disk is full, a spool whose data is all delivered gives its
// active segment's space back at once, so that the client's retry can fit.
func (s *Spool) afterFailedWrite(err error) error {
	s.mu.Lock()
	failed := s.writeErr != nil
	s.mu.Unlock()
	if failed {
		s.reclaimActive()
	}
	return err
}

// isDiskFull reports whether a write failed for want of disk space or
// quota.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// requestTally counts the bytes one request has appended (see ForRequest).
// It is guarded by Spool.mu.
type requestTally struct{ bytes int64 }

type requestTallyKey struct{}

// ForRequest returns a context under which Appends count as one request
// (one push): when the spool is full and the request's own data is more
// than the whole spool could hold, Append returns ErrTooLarge rather than
// a *FullError, since waiting and sending it again can never succeed.
func ForRequest(ctx context.Context) context.Context {
	return context.WithValue(ctx, requestTallyKey{}, &requestTally{})
}

func requestTallyOf(ctx context.Context) *requestTally {
	t, _ := ctx.Value(requestTallyKey{}).(*requestTally)
	return t
}

// Close syncs and closes the segments and the ack file and releases the
// directory lock. Undelivered records stay for the next Open.
func (s *Spool) Close() error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	s.readMu.Lock()
	defer s.readMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	if s.broken == nil {
		errs = append(errs, s.syncFiles(s.active, s.unsynced, s.dirDirty))
		s.unsynced = nil
		if s.ackFile != nil {
			errs = append(errs, s.ackFile.Sync())
		}
	}
	errs = append(errs, s.closeFiles())
	s.signal()
	return errors.Join(errs...)
}

func (s *Spool) closeFiles() error {
	var errs []error
	for _, f := range append(s.unsynced, s.active, s.rd, s.ackFile) {
		if f != nil {
			if err := f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
				errs = append(errs, err)
			}
		}
	}
	s.unsynced, s.active, s.rd, s.ackFile = nil, nil, nil, nil
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
		s.lock = nil
	}
	return errors.Join(errs...)
}

// buffer pooling keeps Append from allocating a new encoding buffer for
// every request under load.
type buffer struct{ b []byte }

var bufferPool = sync.Pool{New: func() any { return &buffer{b: make([]byte, 0, 64<<10)} }}

func getBuffer() *buffer { return bufferPool.Get().(*buffer) }

func putBuffer(b *buffer) {
	// Very large buffers (a 64 MB push) are left to the GC rather than
	// pinned in the pool.
	if cap(b.b) <= 4<<20 {
		b.b = b.b[:0]
		bufferPool.Put(b)
	}
}
