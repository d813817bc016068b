package spool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// Batch is a run of consecutive records read from the spool. Lines are
// line protocol without newlines. A batch may hold no lines and still
// advance the spool (it then skipped damaged records or a recovery gap); it
// must be acknowledged all the same.
type Batch struct {
	Lines []string
	// Damaged counts records skipped inside the batch because their
	// checksum failed.
	Damaged    int
	start, end int64
	// released counts the lines of a batch that let them go (release)
	// while it waits to be acknowledged.
	released int
}

// size is the number of records of the batch, read or released.
func (b Batch) size() int { return len(b.Lines) + b.released }

// release lets the batch's lines go, keeping their count for Ack.
func (b *Batch) release() {
	b.released += len(b.Lines)
	b.Lines = nil
}

// Empty reports whether the batch covers no bytes at all: nothing was
// waiting.
func (b Batch) Empty() bool { return b.end == b.start }

// Next returns up to max records following the acknowledged position,
// waiting until there are some or ctx is done. It reads only what is
// already fsync'ed. Until the batch is acknowledged, Next returns the same
// records again: a batch that could not be delivered is retried.
func (s *Spool) Next(ctx context.Context, max int) (Batch, error) {
	for {
		b, err := s.TryNext(max)
		if err != nil || !b.Empty() {
			return b, err
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return Batch{}, ctx.Err()
		}
	}
}

// TryNext is Next without waiting: it returns an empty batch when nothing
// is waiting.
func (s *Spool) TryNext(max int) (Batch, error) {
	if max <= 0 {
		max = 1
	}
	s.readMu.Lock()
	defer s.readMu.Unlock()
	return s.readFrom(s.ack.Load(), max)
}

// TryNextAfter is TryNext reading on from the end of prev, before prev is
// acknowledged: the Sender reads the next batch while InfluxDB is busy
// with prev. Acknowledge prev first, then the batch returned.
func (s *Spool) TryNextAfter(prev Batch, max int) (Batch, error) {
	if max <= 0 {
		max = 1
	}
	s.readMu.Lock()
	defer s.readMu.Unlock()
	if prev.end < s.ack.Load() {
		return Batch{}, fmt.Errorf("spool: read after %d, but %d is already acknowledged", prev.end, s.ack.Load())
	}
	return s.readFrom(prev.end, max)
}

// readFrom reads up to max records from pos; the caller holds readMu.
func (s *Spool) readFrom(pos int64, max int) (Batch, error) {
	if s.ackFile == nil {
		return Batch{}, ErrClosed
	}
	limit := s.synced.Load()
	if pos >= limit {
		return Batch{start: pos, end: pos}, nil
	}
	seg, next, ok := s.segmentAt(pos)
	if !ok {
		return Batch{}, ErrClosed
	}
	if pos >= seg.base+seg.size {
		// The gap recovery left after a torn tail: jump to the next segment.
		return Batch{start: pos, end: next}, nil
	}
	limit = min(limit, seg.base+seg.size)
	chunk := min(limit-pos, chunkSize(max))
	if err := s.readAt(seg.base, pos-seg.base, chunk); err != nil {
		return Batch{}, err
	}
	b := parseBatch(s.buf, max)
	b.start = pos
	b.end += pos
	return b, nil
}

// chunkSize is how many bytes to read for a batch of max records: room for
// lines of 250 bytes, where observations take about 100.
func chunkSize(records int) int64 {
	return min(max(int64(records)*256, 256<<10), 64<<20)
}

// segmentAt finds the segment holding pos and where the one after it
// starts (the write position when it is the active one).
func (s *Spool) segmentAt(pos int64) (seg segment, next int64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return segment{}, 0, false
	}
	i := sort.Search(len(s.segs), func(i int) bool { return s.segs[i].base > pos }) - 1
	if i < 0 {
		i = 0
	}
	next = s.end
	if i+1 < len(s.segs) {
		next = s.segs[i+1].base
	}
	return s.segs[i], next, true
}

// readAt fills s.buf with n bytes of the segment at base from offset off.
func (s *Spool) readAt(base, off, n int64) error {
	if s.rd == nil || s.rdBase != base {
		if s.rd != nil {
			s.rd.Close()
		}
		f, err := os.Open(s.segmentPath(base))
		if err != nil {
			s.rd = nil
			return fmt.Errorf("spool read: %w", err)
		}
		s.rd, s.rdBase = f, base
	}
	if int64(cap(s.buf)) < n {
		s.buf = make([]byte, n)
	}
	s.buf = s.buf[:n]
	if _, err := s.rd.ReadAt(s.buf, off); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("spool read: %w", err)
	}
	return nil
}

// parseBatch decodes up to max records from buf; b.end is relative to buf.
func parseBatch(buf []byte, max int) Batch {
	// One string for the whole chunk: the lines are substrings of it, so a
	// batch costs one allocation instead of one per line.
	text := string(buf)
	var b Batch
	i := 0
	for i < len(buf) && len(b.Lines) < max {
		line, n, st := nextRecord(buf[i:])
		switch st {
		case recordOK:
			off := i + 9
			b.Lines = append(b.Lines, text[off:off+len(line)])
		case recordCorrupt:
			b.Damaged++
		case recordTorn:
			if i > 0 {
				// The chunk ended inside a record: read it next time.
				b.end = int64(i)
				return b
			}
			// No newline in a whole chunk (bigger than any record), or none
			// before the end of fsync'ed data (which always ends a record):
			// damage that no further reading completes.
			b.Damaged++
		}
		i += n
	}
	b.end = int64(i)
	return b
}

// Ack records that every line of b is in InfluxDB (or in the dead-letter
// directory): the ack position advances past b, and segments now wholly
// delivered are deleted. Batches must be acknowledged in the order Next
// returned them.
func (s *Spool) Ack(b Batch) error {
	if err := s.ack1(b); err != nil {
		return err
	}
	s.reclaimActive()
	return nil
}

func (s *Spool) ack1(b Batch) error {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	if b.start != s.ack.Load() {
		return fmt.Errorf("spool ack at %d, but the acknowledged position is %d", b.start, s.ack.Load())
	}
	if s.ackFile == nil {
		return ErrClosed
	}
	// The ack file is not fsync'ed: if a power loss drops this write, the
	// batch is delivered again, which idempotent points make harmless.
	if _, err := s.ackFile.WriteAt(encodeAck(b.end), 0); err != nil {
		return fmt.Errorf("spool ack: %w", err)
	}
	s.ack.Store(b.end)
	s.pending.Add(-int64(b.size()))
	s.corrupt.Add(int64(b.Damaged))
	now := s.now()
	s.rate.add(b.end-b.start, now)
	s.observeDelivered(int64(b.size()), now)
	return s.deleteDelivered(b.end)
}

// deleteDelivered removes sealed segments that lie wholly before pos.
func (s *Spool) deleteDelivered(pos int64) error {
	s.mu.Lock()
	var drop []int64
	for len(s.segs) > 1 && s.segs[1].base <= pos {
		drop = append(drop, s.segs[0].base)
		s.segs = s.segs[1:]
	}
	s.mu.Unlock()
	var errs []error
	for _, base := range drop {
		if err := s.removeSegment(base); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeSegment deletes a delivered segment file; the caller holds readMu.
// Deleting frees disk space, so a failed write no longer speaks for the
// disk.
func (s *Spool) removeSegment(base int64) error {
	if s.rd != nil && s.rdBase == base {
		s.rd.Close()
		s.rd = nil
	}
	if err := os.Remove(s.segmentPath(base)); err != nil {
		return fmt.Errorf("spool: deleting delivered segment: %w", err)
	}
	s.mu.Lock()
	s.writeErr = nil
	s.mu.Unlock()
	return nil
}

// reclaimMin is the size from which a wholly delivered active segment is
// replaced by an empty one and deleted. Below it, the file is kept (a
// quiet daemon would otherwise create and delete a file per push); after a
// failed write (full disk) it is reclaimed whatever its size.
const reclaimMin = 1 << 20

// reclaimDue reports whether the active segment is wholly delivered and
// worth reclaiming; the caller holds mu.
func (s *Spool) reclaimDue() bool {
	if s.closed || s.broken != nil || len(s.segs) == 0 {
		return false
	}
	act := s.segs[len(s.segs)-1]
	return act.size > 0 && s.ack.Load() == s.end && (act.size >= min(reclaimMin, s.opts.SegmentBytes) || s.writeErr != nil)
}

// reclaimActive gives back the space of the active segment once all of it
// is delivered: a new, empty active segment starts at the end position and
// the old file is deleted. Without this, delivered data in the active
// segment would occupy the disk until the segment filled up — on a full
// disk, forever. A crash between the two steps leaves a segment wholly
// before the ack position, which Open deletes.
func (s *Spool) reclaimActive() {
	s.mu.Lock()
	due := s.reclaimDue()
	s.mu.Unlock()
	if !due {
		return // the common case, decided without waiting for an fsync
	}
	s.syncMu.Lock() // no fsync may be using the active file
	defer s.syncMu.Unlock()
	s.readMu.Lock()
	defer s.readMu.Unlock()
	s.mu.Lock()
	if !s.reclaimDue() || s.synced.Load() != s.end || len(s.unsynced) > 0 {
		s.mu.Unlock()
		return
	}
	last := len(s.segs) - 1
	act := s.segs[last]
	f, err := os.OpenFile(s.segmentPath(s.end), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		s.mu.Unlock()
		s.log.Error("spool: cannot start a new segment to free the delivered one", "err", err)
		return
	}
	old := s.active
	s.active = f
	s.segs = append(s.segs[:last], segment{base: s.end})
	s.dirDirty = true
	s.mu.Unlock()
	if err := old.Close(); err != nil {
		s.log.Warn("spool: closing the delivered segment", "err", err)
	}
	if err := s.removeSegment(act.base); err != nil {
		s.log.Error("spool: cannot delete the delivered segment", "err", err)
		return
	}
	s.log.Info("spool: delivered segment deleted", "bytes", act.size)
}
