// Package rejectlog keeps a durable, month-by-month record of every row the
// pipeline rejected — which source, which row, which field and rule — so the
// monthly report's data-quality section can say what was refused and why,
// long after the HTTP response or the drop folder's reason file is gone.
//
// Each month is one JSON-lines file, DIR/YYYY-MM.jsonl (Asia/Shanghai).
package rejectlog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Entry is one rejected row, or a tally of rejected rows not listed one by
// one (Count > 1: a source with thousands of rejections of one rule is
// listed up to a bound and counted beyond it, so that the report's counts
// stay exact without the log growing with every bad row of a bad file).
type Entry struct {
	Time    time.Time `json:"time"`
	Source  string    `json:"source"`
	Row     int       `json:"row"`
	Field   string    `json:"field,omitempty"`
	Rule    string    `json:"rule"`
	Message string    `json:"message"`
	Count   int       `json:"count,omitempty"` // rows this entry stands for; 0 means 1
}

// Rows is the number of rejected rows the entry stands for.
func (e Entry) Rows() int { return max(e.Count, 1) }

// Tally reports whether the entry counts rows rather than naming one.
func (e Entry) Tally() bool { return e.Count > 1 }

// Log appends entries to the month files of one directory. It is safe for
// concurrent use.
type Log struct {
	dir string
	mu  sync.Mutex
}

// Open returns a log writing under dir, creating it.
func Open(dir string) (*Log, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("rejection log: %w", err)
	}
	return &Log{dir: dir}, nil
}

// Reject records entries: the rejection sink of the ingest pipeline
// (ingest.RejectionSink), shared by all its channels.
func (l *Log) Reject(_ context.Context, entries []Entry) error { return l.Append(entries...) }

// Append records entries in the month file of each entry's time.
func (l *Log) Append(entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	byMonth := map[string][]Entry{}
	for _, e := range entries {
		m := MonthOf(e.Time)
		byMonth[m] = append(byMonth[m], e)
	}
	for month, es := range byMonth {
		if err := l.appendMonth(month, es); err != nil {
			return err
		}
	}
	return nil
}

func (l *Log) appendMonth(month string, entries []Entry) error {
	// One write of the whole batch: with O_APPEND it lands in one piece,
	// even beside another process (an import while serve runs) appending
	// to the same month.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("rejection log: %w", err)
		}
	}
	f, err := os.OpenFile(filepath.Join(l.dir, month+".jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("rejection log: %w", err)
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return fmt.Errorf("rejection log: %w", err)
	}
	return f.Close()
}

// MonthOf is the month file name ("2024-06") of t in Asia/Shanghai.
func MonthOf(t time.Time) string { return t.In(models.Shanghai).Format("2006-01") }

// Read returns the entries of one month ("2024-06"); a month without a file
// has none. A line that does not decode (a torn write) is skipped and
// counted in the returned number of damaged lines.
func Read(dir, month string) (entries []Entry, damaged int, err error) {
	f, err := os.Open(filepath.Join(dir, month+".jsonl"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("rejection log: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			damaged++
			continue
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return entries, damaged, fmt.Errorf("rejection log %s: %w", month, err)
	}
	return entries, damaged, nil
}

// CountByRule sums the rows of entries by rule code.
func CountByRule(entries []Entry) map[string]int {
	out := map[string]int{}
	for _, e := range entries {
		out[e.Rule] += e.Rows()
	}
	return out
}

// CountRows sums the rows of entries.
func CountRows(entries []Entry) int {
	n := 0
	for _, e := range entries {
		n += e.Rows()
	}
	return n
}
