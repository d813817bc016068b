package spool

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// recover rebuilds the in-memory state from the directory: the ack
// position, the segments still holding undelivered records (each checked
// record by record), and the active segment to append to.
func (s *Spool) recover() error {
	ack, err := s.openAck()
	if err != nil {
		return err
	}
	found, err := listSegments(s.segmentDir())
	if err != nil {
		return err
	}
	var lastEnd int64
	for _, seg := range found {
		if end := seg.base + seg.size; end > lastEnd {
			lastEnd = end
		}
		if seg.base+seg.size <= ack {
			// Delivered; the process died between the ack and the delete.
			if err := os.Remove(s.segmentPath(seg.base)); err != nil {
				return err
			}
			continue
		}
		from := max(ack-seg.base, 0)
		st, err := s.checkSegment(seg, from)
		if err != nil {
			return err
		}
		seg.size = st.validEnd
		s.segs = append(s.segs, seg)
		s.pending.Add(st.records)
		if st.records > 0 {
			s.marks = append(s.marks, mark{end: seg.base + seg.size, at: st.modTime, n: st.records})
		}
	}
	if len(s.segs) > 0 && s.segs[0].base > ack {
		// Segments were deleted but the ack file lost the news (a crash
		// before its page reached disk): what is gone was delivered.
		ack = s.segs[0].base
	}
	s.ack.Store(ack)
	return s.openActive(max(ack, lastEnd))
}

// openActive opens the last segment for appending, or creates one at base
// when none is left.
func (s *Spool) openActive(base int64) error {
	if len(s.segs) == 0 {
		f, err := os.OpenFile(s.segmentPath(base), os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		if err := f.Truncate(0); err != nil {
			f.Close()
			return err
		}
		s.segs = []segment{{base: base}}
		s.active = f
		s.dirDirty = true
	} else {
		last := s.segs[len(s.segs)-1]
		f, err := os.OpenFile(s.segmentPath(last.base), os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		s.active = f
	}
	last := s.segs[len(s.segs)-1]
	s.end = last.base + last.size
	s.synced.Store(s.end)
	return syncDir(s.segmentDir())
}

// segmentCheck is what checkSegment found in one segment.
type segmentCheck struct {
	records  int64 // intact records after the start offset
	validEnd int64 // size of the segment once its torn tail is cut
	modTime  time.Time
}

// checkSegment reads seg from offset from, counts intact records, logs
// damaged ones (the reader skips them) and truncates what follows the last
// intact record: bytes a crash left half-written, which nobody was told
// were accepted because they were never fsync'ed. The segment is fsync'ed,
// since after SIGKILL its pages may still be only in the page cache.
func (s *Spool) checkSegment(seg segment, from int64) (segmentCheck, error) {
	path := s.segmentPath(seg.base)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return segmentCheck{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return segmentCheck{}, err
	}
	st := segmentCheck{validEnd: from, modTime: info.ModTime()}
	damaged, err := scanRecords(io.NewSectionReader(f, from, info.Size()-from), func(n int64, ok bool) {
		if ok {
			st.records++
			st.validEnd = from + n
		}
	})
	if err != nil {
		return st, fmt.Errorf("%s: %w", path, err)
	}
	if damaged > 0 {
		s.log.Warn("spool: damaged records will be skipped", "segment", path, "records", damaged)
	}
	if torn := info.Size() - st.validEnd; torn > 0 {
		s.log.Warn("spool: truncating torn tail left by a crash", "segment", path, "bytes", torn)
		if err := f.Truncate(st.validEnd); err != nil {
			return st, err
		}
	}
	return st, f.Sync()
}

// scanRecords reads records from r and calls fn after each complete line
// with the bytes consumed so far and whether the line was an intact
// record. It returns the number of damaged lines before the last intact
// record; a line longer than any record counts as one damaged line.
func scanRecords(r io.Reader, fn func(consumed int64, ok bool)) (damaged int64, err error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var pos int64
	var badSinceOK int64
	overlong := false
	for {
		chunk, err := br.ReadSlice('\n')
		pos += int64(len(chunk))
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			overlong = true
			continue
		case errors.Is(err, io.EOF):
			return damaged, nil
		case err != nil:
			return damaged, err
		}
		if _, _, st := nextRecord(chunk); st == recordOK && !overlong {
			damaged += badSinceOK
			badSinceOK = 0
			fn(pos, true)
		} else {
			badSinceOK++
			fn(pos, false)
		}
		overlong = false
	}
}

// listSegments returns the segments in dir, oldest first. Files that are
// not segments are left alone.
func listSegments(dir string) ([]segment, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var segs []segment
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".seg")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		base, err := strconv.ParseInt(name, 10, 64)
		if err != nil || base < 0 {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, err
		}
		segs = append(segs, segment{base: base, size: info.Size()})
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].base < segs[j].base })
	return segs, nil
}

// The ack file holds one record (the framing of segments) whose line is
// the position as 20 digits. It is rewritten in place; a
// damaged one reads as 0, which replays everything still in the spool —
// safe, because points are idempotent.
const ackLen = recordOverhead + 20

func (s *Spool) openAck() (int64, error) {
	path := filepath.Join(s.dir, "ack")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return 0, err
	}
	s.ackFile = f
	b := make([]byte, ackLen)
	n, err := f.ReadAt(b, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	pos, ok := decodeAck(b[:n])
	if !ok {
		s.log.Warn("spool: ack file damaged; replaying every segment", "file", path)
		return 0, nil
	}
	return pos, nil
}

func encodeAck(pos int64) []byte {
	return appendRecord(make([]byte, 0, ackLen), fmt.Appendf(nil, "%020d", pos))
}

func decodeAck(b []byte) (int64, bool) {
	line, _, st := nextRecord(b)
	if st != recordOK || len(line) != 20 {
		return 0, false
	}
	pos, err := strconv.ParseInt(string(line), 10, 64)
	return pos, err == nil && pos >= 0
}

// lockDir takes an exclusive flock on path, so that two processes never
// append to or deliver from one spool.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("spool lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("spool lock %s: %w", path, err)
	}
	// The pid is for people looking at the directory; the flock is the lock.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}
